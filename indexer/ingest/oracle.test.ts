/**
 * Independent oracle: DeepBook's own indexer derived rows from the same checkpoints
 * (../shared/fixtures/deepbook-snapshots). Every fact it states about a transaction, its
 * checkpoint and its events must hold, with the same value, in our tables.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBase58 } from "@mysten/bcs";
import { fixturesDir } from "../../common/fixtures.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../schema/testing.ts";
import { listPlan } from "./checkpoint-plan.ts";
import { fixtureSets, runIndexer } from "./test-helpers.ts";

type SnapshotRow = Record<string, string | number | boolean | null>;

interface Fact {
  snapshot: string;
  row: SnapshotRow;
}

function loadFacts(): Fact[] {
  const dir = join(fixturesDir(), "deepbook-snapshots");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".snap"))
    .flatMap((snapshot) => {
      const text = readFileSync(join(dir, snapshot), "utf8");
      // insta format: a YAML header between two `---` lines, then the JSON rows.
      const body = text.slice(text.indexOf("---", 3) + 3);
      return (JSON.parse(body) as SnapshotRow[]).map((row) => ({ snapshot, row }));
    });
}

const ADDRESS = /^0x[0-9a-f]{64}$/;
const INTEGER = /^[0-9]+$/;
const META = new Set(["event_digest", "digest", "sender", "checkpoint", "timestamp", "checkpoint_timestamp_ms", "package"]);

function le(value: bigint, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

/**
 * The byte strings one of which an event field's value must appear as in the event's BCS
 * contents, if we can tell: addresses as 32 bytes, integers little-endian in any width
 * they fit (the snapshot does not say u8 or u64), type names as ASCII.
 */
function expectedBytes(value: SnapshotRow[string]): Buffer[] | null {
  if (typeof value !== "string") return null;
  if (ADDRESS.test(value)) return [Buffer.from(value.slice(2), "hex")];
  if (INTEGER.test(value)) {
    const n = BigInt(value);
    const widths = [1, 2, 4, 8, 16, 32].filter((w) => n < 2n ** BigInt(8 * w));
    return widths.length > 0 ? widths.map((w) => le(n, w)) : null;
  }
  // Type names (TypeName strings) are stored as ASCII without the 0x prefix.
  if (/^[0-9a-f]{64}::\w+::\w+/.test(value)) return [Buffer.from(value, "ascii")];
  return null;
}

const facts = loadFacts();
const sets = fixtureSets();
const present = new Set([...sets.mainnet, ...sets.testnet].map(String));

describe("the fixture oracle itself", () => {
  it("has facts, and only facts about checkpoints we lack are left out", () => {
    expect(facts.length).toBeGreaterThan(40);
    const absent = new Set(facts.filter((f) => !present.has(String(f.row.checkpoint))).map((f) => String(f.row.checkpoint)));
    expect([...absent]).toEqual(["67459304"]);
  });
});

describe.each(databaseKinds)("DeepBook snapshot facts on %s", (kind) => {
  const databases: Record<"mainnet" | "testnet", TestDatabase | null> = { mainnet: null, testnet: null };

  beforeAll(async () => {
    // One database per network: their transaction sequence numbers and objects overlap.
    for (const network of ["mainnet", "testnet"] as const) {
      const database = await openTestDatabase(kind);
      databases[network] = database;
      const result = await runIndexer(database, sets.dir, { plan: listPlan(sets[network]) });
      expect(result.checkpoints).toBe(sets[network].length);
    }
  });
  afterAll(async () => {
    for (const database of Object.values(databases)) await database?.destroy();
  });

  it("holds every transaction, sender, checkpoint, timestamp, event and called package", async () => {
    let checked = 0;
    let contentChecks = 0;
    for (const { snapshot, row } of facts) {
      if (!present.has(String(row.checkpoint))) continue;
      const network = sets.testnet.map(String).includes(String(row.checkpoint)) ? "testnet" : "mainnet";
      const database = databases[network]!;
      const where = `${snapshot} ${row.event_digest}`;
      const digest = fromBase58(String(row.digest));
      const [tx] = await database.query<{ tx_sequence_number: bigint; sender: string; checkpoint: bigint; timestamp_ms: bigint }>(
        "SELECT tx_sequence_number, sender, checkpoint, timestamp_ms FROM transactions WHERE digest = $1",
        [digest],
      );
      expect(tx, `${where}: transaction`).toBeDefined();
      expect(tx!.sender, `${where}: sender`).toBe(row.sender);
      expect(String(tx!.checkpoint), `${where}: checkpoint`).toBe(String(row.checkpoint));
      expect(String(tx!.timestamp_ms), `${where}: tx timestamp`).toBe(String(row.checkpoint_timestamp_ms));
      const [cp] = await database.query<{ timestamp_ms: bigint }>("SELECT timestamp_ms FROM checkpoints WHERE sequence_number = $1", [BigInt(String(row.checkpoint))]);
      expect(String(cp?.timestamp_ms), `${where}: checkpoint timestamp`).toBe(String(row.checkpoint_timestamp_ms));

      // event_digest = tx digest (base58) + event index (decimal).
      const eventIndex = Number(String(row.event_digest).slice(String(row.digest).length));
      const [event] = await database.query<{ contents: Uint8Array; sender: string; type: string }>(
        "SELECT contents, sender, type FROM events WHERE tx_sequence_number = $1 AND event_index = $2",
        [tx!.tx_sequence_number, eventIndex],
      );
      expect(event, `${where}: event ${eventIndex}`).toBeDefined();
      expect(event!.sender, `${where}: event sender`).toBe(row.sender);

      // `package` is the first command's package when it is a Move call, "" otherwise.
      if (row.package) {
        const calls = await database.query("SELECT 1 FROM tx_calls WHERE tx_sequence_number = $1 AND package = $2", [tx!.tx_sequence_number, row.package]);
        expect(calls.length, `${where}: call to ${row.package}`).toBeGreaterThan(0);
      }

      // Decoded event fields must be in the BCS we stored, byte for byte.
      const contents = Buffer.from(event!.contents);
      for (const [field, value] of Object.entries(row)) {
        if (META.has(field)) continue;
        // Some events carry no timestamp: DeepBook's handler then fills in the checkpoint's (checked above).
        if (field === "onchain_timestamp" && value === row.checkpoint_timestamp_ms) continue;
        const candidates = expectedBytes(value);
        if (!candidates) continue;
        expect(candidates.some((bytes) => contents.includes(bytes)), `${where}: ${field} = ${String(value)} in event contents`).toBe(true);
        contentChecks++;
      }
      checked++;
    }
    expect(checked).toBe(facts.filter((f) => present.has(String(f.row.checkpoint))).length);
    expect(contentChecks).toBeGreaterThan(200);
  });
});
