/**
 * Pagination under concurrent indexing: lists are paged while more checkpoints are
 * committed between page fetches; every walk must return exactly the listing as of its
 * first page (no row skipped or repeated), and a fresh listing afterwards must differ, so
 * the new checkpoints would have shown had the pages not been pinned. Also: package
 * filters follow upgrades, on hand-built checkpoints through the real pipelines.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestCommon } from "../common/context.ts";
import type { CheckpointModel } from "../indexer/model.ts";
import {
  addr,
  buildCheckpoint,
  buildEvent,
  buildObject,
  buildPackage,
  buildTransaction,
  change,
  digestOf,
} from "../indexer/pipelines/test-builders.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../schema/testing.ts";
import { createApi } from "./app.ts";
import type { ApiApp } from "./context.ts";
import { fixtureCheckpoint, fixtureNetworks, getJson, indexCheckpoints, indexFixtures } from "./testing.ts";

type Json = Record<string, unknown>;
interface PageBody {
  checkpoint: string | null;
  data: Json[];
  next_cursor: string | null;
}

const DEEPBOOK = "0x2c8d603bc51326b8c13cef9dd07031a408a48dddb541963357661df5d3204809";
const CLOCK = "0x0000000000000000000000000000000000000000000000000000000000000006";

/** A walk through one list, one page per `step()`. */
class Walk {
  items: Json[] = [];
  checkpoints = new Set<string | null>();
  private cursor: string | null = null;
  done = false;
  constructor(
    private readonly app: ApiApp,
    readonly path: string,
    readonly order: "asc" | "desc",
    private readonly limit: number,
  ) {}
  url(cursor: string | null): string {
    const sep = this.path.includes("?") ? "&" : "?";
    return `${this.path}${sep}limit=${this.limit}&order=${this.order}${cursor ? `&cursor=${cursor}` : ""}`;
  }
  async step(): Promise<void> {
    if (this.done) return;
    const { status, body } = await getJson<PageBody>(this.app, this.url(this.cursor));
    expect(status, this.url(this.cursor)).toBe(200);
    this.items.push(...body.data);
    this.checkpoints.add(body.checkpoint);
    this.cursor = body.next_cursor;
    this.done = this.cursor === null;
  }
}

/** The whole list, in pages of the maximum size. */
async function wholeList(app: ApiApp, path: string, order: "asc" | "desc"): Promise<{ checkpoint: string | null; data: Json[] }> {
  const walk = new Walk(app, path, order, 200);
  while (!walk.done) await walk.step();
  expect(walk.checkpoints.size).toBe(1);
  return { checkpoint: [...walk.checkpoints][0]!, data: walk.items };
}

describe.each(databaseKinds)("pagination on %s", (kind) => {
  let database: TestDatabase;
  let app: ApiApp;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
    app = createApi({ database, common: createTestCommon() });
  });
  afterEach(async () => {
    await database?.destroy();
  });

  it("never skips or repeats a row while checkpoints are indexed between pages", async () => {
    const mainnet = fixtureNetworks()[0]!;
    const first = mainnet.slice(0, 6);
    const later = mainnet.slice(6);
    await indexFixtures(database, first);
    const pin = first.at(-1)!.toString();

    // An owner and a type whose live objects change in the later checkpoints.
    const owner = "0xcde6dbe01902be1f200ff03dbbd149e586847be8cee15235f82750d9b06c0e04";
    const lists = [
      "/v1/checkpoints",
      "/v1/transactions",
      `/v1/transactions?package=${DEEPBOOK}`,
      `/v1/events?type=${DEEPBOOK}`,
      "/v1/events?from_checkpoint=0",
      `/v1/objects?type=${encodeURIComponent("0x2::coin::Coin")}`,
      "/v1/objects?type=0x2",
      `/v1/objects?owner=${owner}`,
      `/v1/objects/${CLOCK}/versions`,
      `/v1/transactions?object=${CLOCK}`,
      `/v1/balance-changes?owner=${owner}`,
    ];
    const expected = new Map<string, Json[]>();
    const walks: Walk[] = [];
    for (const path of lists) {
      for (const order of ["asc", "desc"] as const) {
        const whole = await wholeList(app, path, order);
        expect(whole.checkpoint).toBe(pin);
        expect(whole.data.length, path).toBeGreaterThan(2);
        expected.set(`${order} ${path}`, whole.data);
        walks.push(new Walk(app, path, order, Math.max(1, Math.floor(whole.data.length / (later.length + 2)))));
      }
    }

    // The whole lists above were read while the live objects table stood at the pin (the
    // owner and type listings answer from it); the walks below go on after later checkpoints
    // moved it past the pin (they answer from object_versions): both must give the same rows.
    for (const walk of walks) await walk.step();
    for (const sequenceNumber of later) {
      await indexFixtures(database, [sequenceNumber]);
      for (const walk of walks) await walk.step();
    }
    while (walks.some((w) => !w.done)) for (const walk of walks) await walk.step();

    for (const walk of walks) {
      const key = `${walk.order} ${walk.path}`;
      expect(walk.checkpoints, key).toEqual(new Set([pin]));
      expect(walk.items, key).toEqual(expected.get(key));
    }

    // The new checkpoints are visible to a fresh listing: without the pin, the walks
    // above would have picked up (or lost) rows.
    const latest = mainnet.at(-1)!.toString();
    for (const path of lists) {
      const fresh = await wholeList(app, path, "asc");
      expect(fresh.checkpoint).toBe(latest);
      expect(fresh.data, path).not.toEqual(expected.get(`asc ${path}`));
    }
  });

  it("a package filter matches every upgrade, given the original id or any version's id", async () => {
    // Start after a real checkpoint, then append hand-built ones through the same pipelines.
    const base = fixtureCheckpoint(fixtureNetworks()[0]![0]!);
    await indexFixtures(database, [base.sequenceNumber]);
    const original = addr(0xbee1);
    const upgraded = addr(0xbee2);
    const other = addr(0xbee3);
    const publish = buildTransaction({
      digest: digestOf(201),
      changedObjects: [change("created", null, buildPackage(original, 1n)), change("created", null, buildPackage(upgraded, 2n, original))],
      outputObjects: [buildPackage(original, 1n), buildPackage(upgraded, 2n, original)],
    });
    const call = (n: number, pkg: string) =>
      buildTransaction({
        digest: digestOf(n),
        sender: addr(0xcafe),
        moveCalls: [{ package: pkg, module: "m", function: "f" }],
        changedObjects: [
          change("mutated", buildObject({ objectId: addr(n), version: 5n }), buildObject({ objectId: addr(n), version: 6n })),
        ],
      });
    let txBefore = base.networkTotalTransactions;
    const next = (sequenceNumber: bigint, transactions: ReturnType<typeof buildTransaction>[]): CheckpointModel => {
      const checkpoint = buildCheckpoint(sequenceNumber, { txBefore, transactions, timestampMs: base.timestampMs + 1000n });
      txBefore = checkpoint.networkTotalTransactions;
      return checkpoint;
    };
    await indexCheckpoints(database, [
      next(base.sequenceNumber + 1n, [publish, call(202, original)]),
      next(base.sequenceNumber + 2n, [call(203, upgraded), call(204, other)]),
    ]);

    const digests = async (pkg: string) => {
      const { status, body } = await getJson<PageBody>(app, `/v1/transactions?package=${pkg}&order=asc`);
      expect(status).toBe(200);
      return body.data.map((t) => t.sequence_number);
    };
    const tx = (checkpointOffset: number, index: number) =>
      String(base.networkTotalTransactions + (checkpointOffset === 1 ? 0n : 2n) + BigInt(index));
    expect(await digests(original)).toEqual([tx(1, 1), tx(2, 0)]);
    expect(await digests(upgraded)).toEqual([tx(1, 1), tx(2, 0)]);
    expect(await digests(other)).toEqual([tx(2, 1)]);
    expect(await digests(addr(0xdead))).toEqual([]);
  });

  it("type and module prefixes give the same pages whether their keys are few (lanes) or many (range scan)", async () => {
    const base = fixtureCheckpoint(fixtureNetworks()[0]![0]!);
    await indexFixtures(database, [base.sequenceNumber]);
    const many = addr(0xabc1); // 70 event types: more than the lanes limit
    const few = addr(0xabc2); // 3 event types, one generic with two instantiations
    const manyTypes = Array.from({ length: 70 }, (_, i) => `${many}::m${i % 2}::E${i}`);
    const fewTypes = [`${few}::m::A`, `${few}::m::B<${addr(2)}::sui::SUI>`, `${few}::m::B<u64>`, `${few}::n::C`];
    let txBefore = base.networkTotalTransactions;
    const checkpoints: CheckpointModel[] = [];
    for (let c = 1n; c <= 3n; c++) {
      const transactions = Array.from({ length: 5 }, (_, i) =>
        buildTransaction({
          digest: digestOf(Number(c) * 10 + i),
          events: Array.from({ length: 6 }, (_, k) => {
            const type = k % 2 === 0 ? manyTypes[(Number(c) * 7 + i * 3 + k) % 70]! : fewTypes[(i + k) % 4]!;
            return buildEvent({ type, packageId: type.slice(0, 66), module: type.split("::")[1]! });
          }),
        }),
      );
      const checkpoint = buildCheckpoint(base.sequenceNumber + c, { txBefore, transactions, timestampMs: base.timestampMs + c });
      txBefore = checkpoint.networkTotalTransactions;
      checkpoints.push(checkpoint);
    }
    await indexCheckpoints(database, checkpoints);
    const all = checkpoints.flatMap((cp) =>
      cp.transactions.flatMap((tx, i) =>
        tx.events.map((e, k) => ({ key: `${cp.networkTotalTransactions - 5n + BigInt(i)}:${k}`, type: e.type, pkg: e.packageId, module: e.module })),
      ),
    );
    const expectFilter = async (path: string, keep: (e: (typeof all)[number]) => boolean) => {
      const expected = all.filter(keep).map((e) => e.key);
      expect(expected.length, path).toBeGreaterThan(0);
      for (const order of ["asc", "desc"] as const) {
        const walk = new Walk(app, path, order, 4);
        while (!walk.done) await walk.step();
        const keys = walk.items.map((e) => `${e.tx_sequence_number}:${e.event_index}`);
        expect(keys, `${order} ${path}`).toEqual(order === "asc" ? expected : [...expected].reverse());
      }
    };
    await expectFilter(`/v1/events?type=${many}`, (e) => e.type.startsWith(`${many}::`));
    await expectFilter(`/v1/events?type=${many}::m0`, (e) => e.type.startsWith(`${many}::m0::`));
    await expectFilter(`/v1/events?module=${many}`, (e) => e.pkg === many);
    await expectFilter(`/v1/events?type=${few}`, (e) => e.type.startsWith(`${few}::`));
    await expectFilter(`/v1/events?type=${few}::m`, (e) => e.type.startsWith(`${few}::m::`));
    await expectFilter(`/v1/events?type=${few}::m::B`, (e) => e.type.startsWith(`${few}::m::B<`));
    await expectFilter(`/v1/events?type=${encodeURIComponent(`${few}::m::B<u64>`)}`, (e) => e.type === `${few}::m::B<u64>`);
    await expectFilter(`/v1/events?module=${few}`, (e) => e.pkg === few);
    await expectFilter(`/v1/events?module=${few}::n`, (e) => e.pkg === few && e.module === "n");
  });
});
