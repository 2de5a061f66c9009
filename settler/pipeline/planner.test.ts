import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../schema/db.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../schema/testing.ts";
import { openPgTreeStore, type PgTreeStore } from "../store/pg-tree-store.ts";
import { ALICE, BOB, ChainBuilder, indexStream, type Write } from "../testing/chain-builder.ts";
import type { TrackingConfig } from "../tracking/config.ts";
import { batchCommitment } from "../tree/batch.ts";
import { encodeCursor } from "../tree/cursor.ts";
import { createIndexedMerkleTree, IndexedMerkleTree } from "../tree/indexed-merkle-tree.ts";
import { objectKey, objectValue } from "../tree/object-encoding.ts";
import { loadPoseidon, type Poseidon } from "../tree/poseidon.ts";
import { addr } from "../../indexer/pipelines/test-builders.ts";
import { createBatchRepository, type BatchRecord } from "./batches.ts";
import { configureSettlement } from "./configure.ts";
import { createPlanner, type PlanOutcome } from "./planner.ts";
import { pruneTreeVersions } from "./prune.ts";
import { rollbackRejected } from "./rollback.ts";
import { readSettings } from "./settings.ts";

let poseidon: Poseidon;
beforeAll(async () => {
  poseidon = await loadPoseidon();
});

const cursor = (checkpoint: bigint, offset: bigint) => encodeCursor(checkpoint, offset);

interface Harness {
  store: PgTreeStore;
  planNext(): Promise<PlanOutcome>;
  /** Plans until the planner waits; returns the batches planned. */
  planAll(): Promise<BatchRecord[]>;
}

async function openHarness(database: Database, cache?: { nodes: number; leaves: number }): Promise<Harness> {
  const settings = (await readSettings(database))!;
  const store = await openPgTreeStore(database, {
    depth: settings.depth,
    ...(cache ? { nodeCacheSize: cache.nodes, leafCacheSize: cache.leaves } : {}),
  });
  const tree = new IndexedMerkleTree(settings.depth, store, poseidon);
  const batches = createBatchRepository(database);
  const planner = createPlanner({ database, settings, store, tree, batches, readChunk: 3 });
  return {
    store,
    planNext: () => planner.planNext(),
    async planAll() {
      const out: BatchRecord[] = [];
      for (;;) {
        const outcome = await planner.planNext();
        if (outcome.kind === "waiting") return out;
        out.push((await batches.get(outcome.result.planned.batch))!);
      }
    },
  };
}

async function configure(
  database: Database,
  options: { depth?: number; batchSize: number; maxSpan?: bigint; start: bigint; tracking?: TrackingConfig },
): Promise<void> {
  await configureSettlement(database, {
    tracking: options.tracking ?? { kind: "all" },
    depth: options.depth ?? 4,
    batchSize: options.batchSize,
    maxSpan: options.maxSpan ?? 10n,
    startCursor: options.start,
  });
}

/** The tree an independent, uninterrupted run would hold: in memory, op by op. */
async function referenceTree(depth: number, ops: [objectId: string, value: bigint][][]): Promise<{ tree: IndexedMerkleTree; roots: bigint[] }> {
  const tree = await createIndexedMerkleTree({ depth, poseidon });
  const roots: bigint[] = [];
  for (const batch of ops) {
    for (const [id, value] of batch) tree.apply(objectKey(poseidon, id), value);
    roots.push(tree.root);
  }
  return { tree, roots };
}

describe.each(databaseKinds)("planner on %s", (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(() => database.destroy());

  it("cuts a batch in the middle of a busy checkpoint, coalesces, and skips an object created and wrapped in one batch", async () => {
    const chain = new ChainBuilder(100n);
    const w = (object: number, kind?: Write["kind"]): Write => ({ object, ...(kind ? { kind } : {}) });
    const cp100 = chain.checkpoint([[w(1), w(2)], [w(1)], [w(3)], [w(5)]]);
    const s = { 1: chain.stateOf(1)!, 2: chain.stateOf(2)!, 3: chain.stateOf(3)!, 5: chain.stateOf(5)! };
    const cp101 = chain.checkpoint([[w(2, "deleted")], [w(4)], [w(4, "wrapped")]]);
    await indexStream(database, [cp100, cp101]);
    await configure(database, { batchSize: 3, start: cursor(100n, 0n) });

    const harness = await openHarness(database);
    const [b1, b2, ...rest] = await harness.planAll();
    expect(rest).toEqual([]);

    // Rows (checkpoint, tx, id): 100:0 obj1, 100:1 obj2, 100:2 obj1 again, 100:3 obj3, 100:4 obj5.
    // obj5 would need a 4th slot: the batch ends before it, inside checkpoint 100.
    expect(b1).toMatchObject({ batch: 1n, state: "planned", fromCursor: cursor(100n, 0n), toCursor: cursor(100n, 4n) });
    expect(b1).toMatchObject({ changes: 4, distinctKeys: 3, inserts: 3, updates: 0, skipped: 0 });
    // Batch 2 runs to the watermark (checkpoint 101): obj5, obj2 deleted (-> 0), obj4 created
    // then wrapped (absent before and after: no operation).
    expect(b2).toMatchObject({ batch: 2n, fromCursor: cursor(100n, 4n), toCursor: cursor(102n, 0n) });
    expect(b2).toMatchObject({ changes: 4, distinctKeys: 3, inserts: 1, updates: 1, skipped: 1 });

    const value = (n: 1 | 2 | 3 | 5) => objectValue(poseidon, s[n]);
    // Operations follow each object's LAST change in the stream: obj2 (100:1), obj1 (100:2), obj3.
    const ops1: [string, bigint][] = [[addr(2), value(2)], [addr(1), value(1)], [addr(3), value(3)]];
    const ops2: [string, bigint][] = [[addr(5), value(5)], [addr(2), 0n]];
    const reference = await referenceTree(4, [ops1, ops2]);
    expect([b1!.newRoot, b2!.newRoot]).toEqual(reference.roots);
    expect(b2!.oldRoot).toBe(b1!.newRoot);
    expect([b1!.oldNextIndex, b1!.newNextIndex, b2!.newNextIndex]).toEqual([1n, 4n, 5n]);
    const commitment = (ops: [string, bigint][]) => batchCommitment(poseidon, ops.map(([id, v]) => ({ key: objectKey(poseidon, id), value: v })));
    expect(b1!.commitment).toBe(commitment(ops1));
    expect(b2!.commitment).toBe(commitment(ops2));
  });

  it("counts offsets before the tracking filter; an object leaving the tracked set gets value 0, one entering is inserted", async () => {
    const chain = new ChainBuilder(200n);
    const alice = { kind: "address", address: ALICE } as const;
    const bob = { kind: "address", address: BOB } as const;
    const cp200 = chain.checkpoint([[{ object: 1, owner: alice }], [{ object: 2, owner: bob }], [{ object: 3, owner: alice }]]);
    const s3 = chain.stateOf(3)!;
    const s1 = chain.stateOf(1)!;
    const cp201 = chain.checkpoint([[{ object: 1, owner: bob }], [{ object: 2, owner: alice }]]);
    const s2 = chain.stateOf(2)!;
    await indexStream(database, [cp200, cp201]);
    await configure(database, { batchSize: 1, start: cursor(200n, 0n), tracking: { kind: "filter", owners: [ALICE], packages: [], types: [] } });

    const batches = await (await openHarness(database)).planAll();
    expect(batches.map((b) => [b.fromCursor, b.toCursor])).toEqual([
      // obj2 (Bob's) is not tracked but still takes offset 1: obj3 starts at offset 2.
      [cursor(200n, 0n), cursor(200n, 2n)],
      [cursor(200n, 2n), cursor(201n, 0n)],
      [cursor(201n, 0n), cursor(201n, 1n)],
      [cursor(201n, 1n), cursor(202n, 0n)],
    ]);
    // Bob's obj2 sits in batch 1's range [offset 0, offset 2) and costs no slot there.
    expect(batches.map((b) => [b.inserts, b.updates, b.skipped])).toEqual([
      [1, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const reference = await referenceTree(4, [
      [[addr(1), objectValue(poseidon, s1)]],
      [[addr(3), objectValue(poseidon, s3)]],
      [[addr(1), 0n]],
      [[addr(2), objectValue(poseidon, s2)]],
    ]);
    expect(batches.map((b) => b.newRoot)).toEqual(reference.roots);
  });

  it("inserts an object first seen mid-life, never reads past the watermark, and closes span-limited batches without operations", async () => {
    const chain = new ChainBuilder(300n);
    // Object 7 existed before the settlement starts: its first row is a mutation.
    const early = chain.checkpoint([[{ object: 7 }]]);
    const cp301 = chain.checkpoint([[{ object: 7 }]]);
    const s7 = chain.stateOf(7)!;
    await indexStream(database, [early, cp301]);
    await configure(database, { batchSize: 2, maxSpan: 2n, start: cursor(301n, 0n) });
    const harness = await openHarness(database);

    const first = await harness.planAll();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ fromCursor: cursor(301n, 0n), toCursor: cursor(302n, 0n), inserts: 1, updates: 0 });
    expect(first[0]!.newRoot).toBe((await referenceTree(4, [[[addr(7), objectValue(poseidon, s7)]]])).roots[0]);
    // Nothing above the watermark (301) is planned.
    expect(await harness.planNext()).toMatchObject({ kind: "waiting" });

    // Five checkpoints without changes, then one with a change: the cursor must advance by at
    // most maxSpan (2) checkpoints per batch, so no-op batches carry it there.
    chain.skip(5n);
    const cp307 = chain.checkpoint([[{ object: 8 }]]);
    await indexStream(database, [cp307]);
    const later = await harness.planAll();
    expect(later.map((b) => [b.fromCursor, b.toCursor, b.inserts + b.updates])).toEqual([
      [cursor(302n, 0n), cursor(304n, 0n), 0],
      [cursor(304n, 0n), cursor(306n, 0n), 0],
      [cursor(306n, 0n), cursor(308n, 0n), 1],
    ]);
    // A batch of only no-ops keeps root and next index, and commits to nothing.
    expect(later[0]).toMatchObject({ oldRoot: first[0]!.newRoot, newRoot: first[0]!.newRoot, commitment: 0n, changes: 0 });
  });

  it("continues after a restart from the stored tree with the same root, whatever the cache size", async () => {
    const chain = new ChainBuilder(400n);
    const checkpoints = [];
    for (let i = 0; i < 4; i++) checkpoints.push(chain.checkpoint([[{ object: 1 + i }, { object: 10 }], [{ object: 20 + (i % 2) }]]));
    await indexStream(database, checkpoints.slice(0, 2));
    await configure(database, { depth: 5, batchSize: 2, start: cursor(400n, 0n) });

    const before = await (await openHarness(database)).planAll();
    expect(before.length).toBeGreaterThan(1);
    const head = before[before.length - 1]!;

    // A restart: a new connection (PGlite: the same data loaded into a new instance).
    const reopened =
      kind === "pglite"
        ? await openDatabase({ url: "", dataDir: "memory://", loadDataDir: await database.dumpDataDir!() })
        : await openDatabase({ url: (await import("../../schema/testing.ts")).testPostgresUrl(), schema: database.schema! });
    try {
      await indexStream(reopened, checkpoints.slice(2));
      // Cache size 0: every read goes to the tables, so a preload gap would throw here.
      const resumed = await openHarness(reopened, { nodes: 0, leaves: 0 });
      expect(resumed.store.head).toEqual({ batch: head.batch, nextIndex: head.newNextIndex });
      const after = await resumed.planAll();
      expect(after[0]!.oldRoot).toBe(head.newRoot);
      expect(after[0]!.fromCursor).toBe(head.toCursor);
      expect(resumed.store.cachedEntries).toBe(0);

      // The same stream planned in one go on a fresh database gives the same roots.
      const fresh = await openTestDatabase(kind);
      try {
        await indexStream(fresh, checkpoints);
        await configure(fresh, { depth: 5, batchSize: 2, start: cursor(400n, 0n) });
        const small = await openHarness(fresh, { nodes: 50, leaves: 4 });
        const all = await small.planAll();
        expect(small.store.cachedEntries).toBeLessThanOrEqual(54);
        expect(all.map((b) => [b.toCursor, b.newRoot])).toEqual([...before, ...after].map((b) => [b.toCursor, b.newRoot]));
      } finally {
        await fresh.destroy();
      }
    } finally {
      await reopened.close();
    }
  });

  it("rolls back behind a rejected batch and plans the same batch again", async () => {
    const chain = new ChainBuilder(500n);
    const cps = [0, 1, 2].map((i) => chain.checkpoint([[{ object: 1 + i }]]));
    await indexStream(database, cps);
    await configure(database, { batchSize: 1, maxSpan: 1n, start: cursor(500n, 0n) });
    const harness = await openHarness(database);
    const planned = await harness.planAll();
    expect(planned.map((b) => b.batch)).toEqual([1n, 2n, 3n]);

    const repo = createBatchRepository(database);
    await repo.markFailed(2n, "rejected on chain: EInvalidProof");
    const rollback = await rollbackRejected(database, harness.store);
    expect(rollback).toEqual({ rejected: 2n, head: 1n, abandoned: [3n] });
    expect(harness.store.head).toEqual({ batch: 1n, nextIndex: planned[0]!.newNextIndex });
    const [{ n }] = (await database.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM (SELECT batch FROM tree_nodes WHERE batch >= 2 UNION ALL SELECT batch FROM tree_leaves WHERE batch >= 2) v`,
    )) as [{ n: bigint }];
    expect(Number(n)).toBe(0);
    expect((await repo.list()).map((b) => b.batch)).toEqual([1n]);
    expect(await rollbackRejected(database, harness.store)).toBeNull();

    const again = await harness.planAll();
    expect(again.map((b) => [b.batch, b.fromCursor, b.newRoot])).toEqual(planned.slice(1).map((b) => [b.batch, b.fromCursor, b.newRoot]));
    const history = await database.query<{ batch: bigint; state: string; error: string }>(
      `SELECT batch, state, error FROM settlement_batches ORDER BY id`,
    );
    expect(history.map((r) => [BigInt(r.batch), r.state])).toEqual([
      [1n, "planned"],
      [2n, "failed"],
      [3n, "failed"],
      [2n, "planned"],
      [3n, "planned"],
    ]);
    expect(history[2]!.error).toMatch(/rolled back: built on batch 2/);
  });

  it("prunes superseded versions through the confirmed batch and keeps planning on top", async () => {
    const chain = new ChainBuilder(600n);
    const cps = [];
    const ops: [string, bigint][][] = [];
    for (let i = 0; i < 4; i++) {
      cps.push(chain.checkpoint([[{ object: 1 }, { object: 2 }]]));
      ops.push([1, 2].map((n) => [addr(n), objectValue(poseidon, chain.stateOf(n)!)]));
    }
    await indexStream(database, cps);
    await configure(database, { batchSize: 2, maxSpan: 1n, start: cursor(600n, 0n) });
    const harness = await openHarness(database, { nodes: 0, leaves: 0 });
    const planned = await harness.planAll();
    expect(planned).toHaveLength(4);
    const count = async () =>
      Number(((await database.query<{ n: bigint }>(`SELECT count(*) AS n FROM tree_nodes`)) as [{ n: bigint }])[0].n);
    const beforePrune = await count();
    const pruned = await pruneTreeVersions(database, 3n);
    expect(pruned.nodes).toBeGreaterThan(0);
    expect(await count()).toBe(beforePrune - pruned.nodes);
    // Only the newest version at or below batch 3 and those above it remain per position.
    const [dupes] = (await database.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM (SELECT level, index FROM tree_nodes WHERE batch <= 3 GROUP BY level, index HAVING count(*) > 1) d`,
    )) as [{ n: bigint }];
    expect(Number(dupes.n)).toBe(0);
    expect(await pruneTreeVersions(database, 3n)).toEqual({ nodes: 0, leaves: 0 });

    // Planning continues on top of the pruned tables (cache off: every read hits them).
    const cp = chain.checkpoint([[{ object: 1 }, { object: 3 }]]);
    ops.push([1, 3].map((n) => [addr(n), objectValue(poseidon, chain.stateOf(n)!)]));
    await indexStream(database, [cp]);
    const [next] = await harness.planAll();
    expect(next!.oldRoot).toBe(planned[3]!.newRoot);
    const reference = await referenceTree(4, ops);
    expect([...planned, next!].map((b) => b.newRoot)).toEqual(reference.roots);
  });
});
