/** Shared by the ingest tests: fixture checkpoints split by network, and a quiet indexer run. */
import { openSync, readSync, closeSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createTestCommon, type Common } from "../../common/context.ts";
import { fixtureCheckpointsDir } from "../../common/fixtures.ts";
import type { Database } from "../../schema/db.ts";
import { localFolderSource } from "../sources/index.ts";
import { createIndexer, type IndexerOptions, type IndexerRunResult } from "./indexer.ts";

/** Testnet fixtures are those of epochs 944-945 (see the fixtures' README); the rest are mainnet. */
const TESTNET_EPOCHS = new Set([944n, 945n]);

export interface FixtureSets {
  dir: string;
  mainnet: bigint[];
  testnet: bigint[];
}

/** The fixture checkpoints by network, sorted, read from each file's header (epoch at bytes 1..9). */
export function fixtureSets(): FixtureSets {
  const dir = fixtureCheckpointsDir();
  const sets: FixtureSets = { dir, mainnet: [], testnet: [] };
  for (const name of readdirSync(dir).filter((n) => /^\d+\.chk$/.test(n))) {
    const header = Buffer.alloc(25);
    const fd = openSync(join(dir, name), "r");
    try {
      readSync(fd, header, 0, 25, 0);
    } finally {
      closeSync(fd);
    }
    const epoch = header.readBigUInt64LE(1);
    const sequenceNumber = header.readBigUInt64LE(9);
    (TESTNET_EPOCHS.has(epoch) ? sets.testnet : sets.mainnet).push(sequenceNumber);
  }
  const byNumber = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  sets.mainnet.sort(byNumber);
  sets.testnet.sort(byNumber);
  return sets;
}

/** Runs the indexer over a folder with a silent logger; the context is returned for inspection. */
export async function runIndexer(
  database: Database,
  dir: string,
  options: Omit<IndexerOptions, "database" | "source"> = {},
  common: Common = createTestCommon(),
): Promise<IndexerRunResult> {
  return createIndexer(common, { pollIntervalMs: 50, backoff: { baseMs: 5, maxMs: 50 }, ...options, database, source: localFolderSource(dir) }).run();
}

/** Every indexed table's rows in key order (watermarks without updated_at), as comparable JSON. */
export const TABLE_ORDER: Record<string, string> = {
  checkpoints: "sequence_number",
  transactions: "tx_sequence_number",
  tx_calls: "package, tx_sequence_number, module, function",
  events: "tx_sequence_number, event_index",
  object_versions: "object_id, version",
  objects: "object_id",
  balance_changes: "tx_sequence_number, owner, coin_type, source",
  packages: "storage_id, version",
  watermarks: "pipeline",
};

export async function dumpTables(database: Pick<Database, "query">): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, order] of Object.entries(TABLE_ORDER)) {
    const columns = table === "watermarks" ? "pipeline, epoch_hi, checkpoint_hi_inclusive, tx_hi, timestamp_ms_hi" : "*";
    const rows = await database.query(`SELECT ${columns} FROM ${table} ORDER BY ${order}`);
    // Normalize before JSON: a Buffer's toJSON would run before any replacer.
    out[table] = rows.map((row) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") : v,
          ]),
        ),
      ),
    );
  }
  return out;
}
