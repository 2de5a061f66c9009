import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc } from "drizzle-orm";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../schema/testing.ts";
import { objects, objectVersions, transactions, watermarks } from "../../schema/index.ts";
import type { CheckpointModel } from "../model.ts";
import { pipelineNames, processCheckpoint } from "../pipelines/index.ts";
import { addr, buildCheckpoint, buildObject, buildTransaction, change, digestOf } from "../pipelines/test-builders.ts";
import { createCommitter, PARALLEL_COMMIT_GROUPS, type IndexedCheckpoint } from "./committer.ts";
import { readWatermarks } from "./watermarks.ts";

const OBJ = addr(0x0b1);

function indexed(checkpoint: CheckpointModel): IndexedCheckpoint {
  return {
    checkpoint,
    transactionCount: checkpoint.transactions.length,
    rows: processCheckpoint(checkpoint, null, pipelineNames),
  };
}

/** Checkpoints 0..2: OBJ created in 0, mutated in 1, deleted in 2; one failed tx with a multi-line error. */
function chain(): CheckpointModel[] {
  const v1 = buildObject({ objectId: OBJ, version: 1n });
  const v2 = buildObject({ objectId: OBJ, version: 2n, owner: { kind: "address", address: addr(0xb0b) } });
  return [
    buildCheckpoint(0n, {
      txBefore: 0n,
      transactions: [
        buildTransaction({ digest: digestOf(10), lamportVersion: 1n, outputObjects: [v1], changedObjects: [change("created", null, v1)] }),
        buildTransaction({ digest: digestOf(11), status: { success: false, error: "line 1\n\tline 2 \\ end" } }),
      ],
    }),
    buildCheckpoint(1n, {
      txBefore: 2n,
      transactions: [
        buildTransaction({ digest: digestOf(12), lamportVersion: 2n, inputObjects: [v1], outputObjects: [v2], changedObjects: [change("mutated", v1, v2)] }),
      ],
    }),
    buildCheckpoint(2n, {
      txBefore: 3n,
      transactions: [
        buildTransaction({ digest: digestOf(13), lamportVersion: 3n, inputObjects: [v2], changedObjects: [change("deleted", v2, null)] }),
      ],
    }),
  ];
}

describe.each(databaseKinds)("committer on %s", (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await database.destroy();
  });

  it("writes rows and watermarks of a batch together, and applies live objects in order", async () => {
    const [cp0, cp1, cp2] = chain().map(indexed);
    const committer = createCommitter(database, new Map());
    const stats = await committer.commit([cp0!, cp1!]);
    expect(stats).toMatchObject({ checkpoints: 2, transactions: 3 });
    expect(stats.rows).toMatchObject({ checkpoints: 2, transactions: 3, object_versions: 2, objects: 1 });

    const txs = await database.db.select().from(transactions).orderBy(asc(transactions.txSequenceNumber));
    expect(txs.map((t) => [t.txSequenceNumber, t.digest[0], t.checkpoint])).toEqual([
      [0n, 10, 0n],
      [1n, 11, 0n],
      [2n, 12, 1n],
    ]);
    expect(txs[1]?.error).toBe("line 1\n\tline 2 \\ end");
    const live = await database.db.select().from(objects);
    expect(live.map((o) => [o.objectId, o.version, o.ownerAddress])).toEqual([[OBJ, 2n, addr(0xb0b)]]);
    const marks = await readWatermarks(database, pipelineNames);
    expect([...marks.values()].map((w) => [w.checkpointHiInclusive, w.txHi])).toEqual(pipelineNames.map(() => [1n, 3n]));

    await committer.commit([cp2!]);
    expect(await database.db.select().from(objects)).toEqual([]);
    expect((await readWatermarks(database, ["objects"])).get("objects")?.checkpointHiInclusive).toBe(2n);
  });

  it("a failed pipeline writes nothing and keeps its watermark; the retry writes only what each pipeline lacks", async () => {
    const [cp0, cp1] = chain().map(indexed);
    const committer = createCommitter(database, new Map());
    await committer.commit([cp0!]);
    // A second copy of checkpoint 0's transaction in the batch violates the primary key mid-write.
    const broken: IndexedCheckpoint = {
      ...cp1!,
      rows: { ...cp1!.rows, transactions: { transactions: [...cp1!.rows.transactions!.transactions, ...cp0!.rows.transactions!.transactions], calls: [] } },
    };
    await expect(committer.commit([broken])).rejects.toMatchObject({ shortMessage: "Batch commit failed", retryable: false });
    expect(await database.db.select().from(transactions)).toHaveLength(2);
    const marks = new Map((await database.db.select().from(watermarks)).map((w) => [w.pipeline, w.checkpointHiInclusive]));
    const [objectGroup, transactionGroup] = PARALLEL_COMMIT_GROUPS;
    for (const name of transactionGroup!) expect(marks.get(name), name).toBe(0n);
    // PostgreSQL commits the other group concurrently, in its own transaction; PGlite commits
    // every pipeline in one transaction, so nothing moved there.
    const parallel = kind === "postgres";
    for (const name of objectGroup!) expect(marks.get(name), name).toBe(parallel ? 1n : 0n);
    expect((await database.db.select().from(objects)).map((o) => o.version)).toEqual([parallel ? 2n : 1n]);

    // The intact batch commits afterwards: each pipeline gets exactly its missing rows.
    await committer.commit([cp1!]);
    expect(await database.db.select().from(transactions)).toHaveLength(3);
    expect(await database.db.select().from(objectVersions)).toHaveLength(2);
    expect((await database.db.select().from(objects)).map((o) => o.version)).toEqual([2n]);
    const after = await database.db.select().from(watermarks);
    expect(after.map((w) => w.checkpointHiInclusive)).toEqual(after.map(() => 1n));
  });

  it("refuses to commit when another committer moved the watermark (compare-and-set)", async () => {
    const [cp0, cp1] = chain().map(indexed);
    const first = createCommitter(database, new Map());
    const second = createCommitter(database, new Map());
    await first.commit([cp0!]);
    await expect(second.commit([cp0!])).rejects.toThrow(/Watermark moved under this indexer|Batch commit failed/);
    await first.commit([cp1!]);
    expect(await database.db.select().from(transactions)).toHaveLength(3);
  });

  it("round-trips text holding the column separators, empty strings and nulls", async () => {
    const odd = ["unit \x1f sep", "record \x1e sep", ""];
    const withErrors = (seq: bigint, errors: (string | null)[]) =>
      indexed(
        buildCheckpoint(seq, {
          txBefore: seq * 10n,
          transactions: errors.map((error, i) =>
            buildTransaction({ digest: digestOf(Number(seq) * 10 + i), status: error === null ? { success: true } : { success: false, error } }),
          ),
        }),
      );
    const committer = createCommitter(database, new Map());
    await committer.commit([withErrors(0n, [...odd, null]), withErrors(1n, [""]), withErrors(2n, ["\\N"])]);
    const rows = await database.db.select().from(transactions).orderBy(asc(transactions.txSequenceNumber));
    expect(rows.map((r) => r.error)).toEqual([...odd, null, "", "\\N"]);
  });

  it("commits only the pipelines a checkpoint carries rows for", async () => {
    const [cp0] = chain();
    const committer = createCommitter(database, new Map());
    await committer.commit([{ checkpoint: cp0!, transactionCount: 2, rows: processCheckpoint(cp0!, null, ["events"]) }]);
    const marks = await readWatermarks(database, pipelineNames);
    expect([...marks.keys()]).toEqual(["events"]);
    expect(await database.db.select().from(transactions)).toEqual([]);
  });
});
