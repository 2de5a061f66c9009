/**
 * The committer: writes a batch of consecutive indexed checkpoints and moves the
 * watermarks of the pipelines it covers. A pipeline's rows and its watermark always move in
 * one database transaction. On PostgreSQL the pipelines are split into two groups that
 * commit concurrently, each in its own transaction on its own connection, so the server
 * writes with two backends (two cores) instead of one; on PGlite (one connection) everything
 * is one transaction. Every table is written with multi-row statements taking one
 * text-array parameter per column (see columnar.ts); the live objects table gets the batch's
 * net upserts and deletes.
 *
 * If one group commits and the other fails, their pipelines' watermarks differ: the retry
 * (or the next run, which resumes each pipeline at its own watermark) writes only what each
 * pipeline lacks, because a batch's rows are always cut at the pipeline's watermark here.
 */
import { performance } from "node:perf_hooks";
import { NonRetryableError, RetryableError } from "../../common/errors.ts";
import type { Database, SqlTransaction } from "../../schema/db.ts";
import {
  balanceChanges,
  checkpoints,
  events,
  objects,
  objectVersions,
  packages,
  transactions,
  txCalls,
} from "../../schema/index.ts";
import type { CheckpointModel } from "../model.ts";
import {
  mergeLiveObjectChanges,
  pipelineNames,
  type LiveObjectChanges,
  type PipelineName,
  type PipelineRows,
} from "../pipelines/index.ts";
import { createColumnarEncoder, type ColumnarEncoder, type ColumnData } from "./columnar.ts";
import { advanceWatermarks, watermarkOf, type Watermark, type WatermarkUpdate } from "./watermarks.ts";

/** One checkpoint's rows, for the pipelines that had not indexed it yet. */
export interface IndexedCheckpoint {
  checkpoint: Pick<CheckpointModel, "sequenceNumber" | "epoch" | "timestampMs" | "networkTotalTransactions">;
  /** Transactions in the checkpoint (all, not only the selected ones): for rates. */
  transactionCount: number;
  rows: Partial<PipelineRows>;
}

export interface CommitStats {
  checkpoints: number;
  transactions: number;
  /** Rows written per table (objects: upserts + deletes). */
  rows: Record<string, number>;
  totalRows: number;
  encodeMs: number;
  writeMs: number;
  watermark: Watermark;
}

export interface Committer {
  /** The checkpoint each pipeline has committed up to; null before its first commit. */
  readonly watermarks: ReadonlyMap<PipelineName, bigint | null>;
  /**
   * Writes the batch (consecutive checkpoints, in order) atomically. On failure nothing is
   * written and the committer's watermarks do not move, so the same batch can be retried.
   */
  commit(batch: readonly IndexedCheckpoint[]): Promise<CommitStats>;
}

/** Rows per statement: bounds one statement's size (a few MB), not its bind parameters. */
const ROWS_PER_STATEMENT = 10_000;

export const encoders = {
  checkpoints: createColumnarEncoder(checkpoints),
  transactions: createColumnarEncoder(transactions),
  txCalls: createColumnarEncoder(txCalls),
  events: createColumnarEncoder(events),
  objectVersions: createColumnarEncoder(objectVersions),
  balanceChanges: createColumnarEncoder(balanceChanges),
  packages: createColumnarEncoder(packages),
  objects: createColumnarEncoder(objects),
};

const upsertObjectsSuffix =
  ` ON CONFLICT (object_id) DO UPDATE SET ` +
  encoders.objects.columns
    .filter((c) => c !== "object_id")
    .map((c) => `"${c}" = excluded."${c}"`)
    .join(", ");

/**
 * The pipelines that commit together when commits run in parallel: about half the rows and
 * index entries each (object versions and live objects are the heaviest tables).
 */
export const PARALLEL_COMMIT_GROUPS: readonly (readonly PipelineName[])[] = [
  ["object_versions", "objects", "packages", "checkpoints"],
  ["transactions", "events", "balance_changes"],
];

export interface CommitterOptions {
  /** Commit the pipeline groups concurrently on separate connections (default: on PostgreSQL). */
  parallel?: boolean;
}

/**
 * @example
 * const committer = createCommitter(database, new Map([["events", 41n]]));
 * await committer.commit([{ checkpoint, transactionCount: 3, rows: { events: [...] } }]);
 */
export function createCommitter(
  database: Pick<Database, "transaction" | "kind">,
  initial: ReadonlyMap<PipelineName, bigint | null>,
  options: CommitterOptions = {},
): Committer {
  const watermarks = new Map(initial);
  const groups = (options.parallel ?? database.kind === "postgres") ? PARALLEL_COMMIT_GROUPS : [pipelineNames];

  /** One group's rows and watermarks, in one transaction. */
  const commitPart = async (payload: EncodedBatch): Promise<void> => {
    const updates: WatermarkUpdate[] = [...payload.his].map(([pipeline, hi]) => ({
      pipeline,
      previous: watermarks.get(pipeline) ?? null,
      next: hi,
    }));
    await database.transaction(async (tx) => {
      // Every statement is sent at once (postgres.js pipelines them on the transaction's
      // connection): the server never waits for this thread between statements.
      const statements: Promise<unknown>[] = [];
      for (const table of payload.tables) statements.push(...insertChunked(tx, table.encoder, table.data));
      if (payload.objects) statements.push(...writeLiveObjects(tx, payload.objects));
      statements.push(advanceWatermarks(tx, updates));
      await settleInOrder(statements);
    });
    for (const update of updates) watermarks.set(update.pipeline, update.next.checkpointHiInclusive);
  };

  return {
    watermarks,
    async commit(batch) {
      if (batch.length === 0) throw new NonRetryableError("Empty batch");
      const started = performance.now();
      const payloads = groups
        .map((names) => restrictBatch(batch, names, watermarks))
        .filter((part) => part.length > 0)
        .map(encodeBatch);
      const encoded = performance.now();
      const results = await Promise.allSettled(payloads.map(commitPart));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw classifyDatabaseError(failed.reason, batch);
      const rowCounts: Record<string, number> = {};
      for (const payload of payloads) {
        for (const [table, n] of Object.entries(payload.rowCounts)) rowCounts[table] = (rowCounts[table] ?? 0) + n;
      }
      const last = batch[batch.length - 1]!;
      return {
        checkpoints: batch.length,
        transactions: batch.reduce((n, c) => n + c.transactionCount, 0),
        rows: rowCounts,
        totalRows: Object.values(rowCounts).reduce((a, b) => a + b, 0),
        encodeMs: encoded - started,
        writeMs: performance.now() - encoded,
        watermark: watermarkOf(last.checkpoint),
      };
    },
  };
}

/**
 * The batch cut to these pipelines, without what a pipeline already committed (at or
 * below its watermark); checkpoints left with no pipeline are dropped.
 */
function restrictBatch(
  batch: readonly IndexedCheckpoint[],
  names: readonly PipelineName[],
  watermarks: ReadonlyMap<PipelineName, bigint | null>,
): IndexedCheckpoint[] {
  const out: IndexedCheckpoint[] = [];
  for (const indexed of batch) {
    const rows: Partial<PipelineRows> = {};
    let any = false;
    for (const name of names) {
      const value = indexed.rows[name];
      if (value === undefined) continue;
      const mark = watermarks.get(name) ?? null;
      if (mark !== null && indexed.checkpoint.sequenceNumber <= mark) continue;
      (rows as Record<PipelineName, unknown>)[name] = value;
      any = true;
    }
    if (any) out.push({ ...indexed, rows });
  }
  return out;
}

export interface EncodedTable {
  encoder: ColumnarEncoder<unknown>;
  data: ColumnData[];
}

export interface EncodedBatch {
  /** Append-only tables with rows, in the order they are written. */
  tables: EncodedTable[];
  objects: LiveObjectChanges | null;
  his: Map<PipelineName, Watermark>;
  rowCounts: Record<string, number>;
}

/**
 * Concatenates each table's rows over the batch, encoded column by column.
 *
 * @example
 * const { tables, objects, rowCounts } = encodeBatch(batch);
 */
export function encodeBatch(batch: readonly IndexedCheckpoint[]): EncodedBatch {
  const his = new Map<PipelineName, Watermark>();
  const tables = new Map<ColumnarEncoder<never>, ColumnData[]>();
  const rowCounts: Record<string, number> = {};
  const add = <R>(encoder: ColumnarEncoder<R>, rows: readonly R[]) => {
    rowCounts[encoder.table] = (rowCounts[encoder.table] ?? 0) + rows.length;
    if (rows.length === 0) return;
    let data = tables.get(encoder as ColumnarEncoder<never>);
    if (!data) tables.set(encoder as ColumnarEncoder<never>, (data = encoder.empty()));
    encoder.encodeInto(rows, data);
  };
  const liveChanges: LiveObjectChanges[] = [];
  for (const { checkpoint, rows } of batch) {
    for (const name of Object.keys(rows) as PipelineName[]) his.set(name, watermarkOf(checkpoint));
    if (rows.checkpoints) add(encoders.checkpoints, rows.checkpoints);
    if (rows.transactions) {
      add(encoders.transactions, rows.transactions.transactions);
      add(encoders.txCalls, rows.transactions.calls);
    }
    if (rows.events) add(encoders.events, rows.events);
    if (rows.object_versions) add(encoders.objectVersions, rows.object_versions);
    if (rows.balance_changes) add(encoders.balanceChanges, rows.balance_changes);
    if (rows.packages) add(encoders.packages, rows.packages);
    if (rows.objects) liveChanges.push(rows.objects);
  }
  const objects = liveChanges.length > 0 ? mergeLiveObjectChanges(liveChanges) : null;
  if (objects) rowCounts.objects = objects.upserts.length + objects.deletes.length;
  return {
    tables: [...tables].map(([encoder, data]) => ({ encoder: encoder as ColumnarEncoder<unknown>, data })),
    objects,
    his,
    rowCounts,
  };
}

/** Starts the statements inserting `data` (cut at ROWS_PER_STATEMENT rows); does not wait for them. */
function insertChunked(tx: SqlTransaction, encoder: ColumnarEncoder<unknown>, data: ColumnData[], suffix?: string): Promise<unknown>[] {
  const rows = data[0]?.length ?? 0;
  const started: Promise<unknown>[] = [];
  for (let i = 0; i < rows; i += ROWS_PER_STATEMENT) {
    const chunk = rows <= ROWS_PER_STATEMENT ? data : data.map((column) => column.slice(i, i + ROWS_PER_STATEMENT));
    const { sql, params } = encoder.statement(chunk, suffix);
    started.push(tx.query(sql, params));
  }
  return started;
}

/** Net deletes, then net upserts (disjoint sets: each object's last state in the batch). */
function writeLiveObjects(tx: SqlTransaction, changes: LiveObjectChanges): Promise<unknown>[] {
  const started: Promise<unknown>[] = [];
  for (let i = 0; i < changes.deletes.length; i += ROWS_PER_STATEMENT) {
    started.push(tx.query(`DELETE FROM objects WHERE object_id = ANY($1::text[])`, [changes.deletes.slice(i, i + ROWS_PER_STATEMENT)]));
  }
  if (changes.upserts.length === 0) return started;
  const data = encoders.objects.empty();
  encoders.objects.encodeInto(changes.upserts, data);
  return [...started, ...insertChunked(tx, encoders.objects as ColumnarEncoder<unknown>, data, upsertObjectsSuffix)];
}

/**
 * Waits for every statement, then throws the first failure in statement order: after a
 * failure the later statements fail too ("transaction is aborted"), which says nothing.
 */
async function settleInOrder(statements: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(statements);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** Postgres SQLSTATE classes worth retrying: connection, transaction rollback, resources, shutdown. */
const RETRYABLE_SQLSTATE = /^(08|40|53|57P)/;
const RETRYABLE_NODE = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"]);

function classifyDatabaseError(error: unknown, batch: readonly IndexedCheckpoint[]): Error {
  if (error instanceof NonRetryableError || error instanceof RetryableError) return error;
  const code = (error as { code?: unknown }).code;
  const details = {
    firstCheckpoint: batch[0]!.checkpoint.sequenceNumber,
    lastCheckpoint: batch[batch.length - 1]!.checkpoint.sequenceNumber,
    code: typeof code === "string" ? code : undefined,
    reason: error instanceof Error ? error.message : String(error),
  };
  const retryable = typeof code === "string" && (RETRYABLE_SQLSTATE.test(code) || RETRYABLE_NODE.has(code));
  return retryable
    ? new RetryableError("Batch commit failed", { details, cause: error })
    : new NonRetryableError("Batch commit failed", { details, cause: error });
}
