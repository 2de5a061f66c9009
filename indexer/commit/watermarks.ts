/**
 * Per-pipeline watermarks: where each pipeline stands, where it resumes, and the
 * compare-and-set that moves it in the same transaction as the rows.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database, SqlTransaction } from "../../schema/db.ts";
import type { CheckpointModel } from "../model.ts";
import type { PipelineName } from "../pipelines/index.ts";

export interface Watermark {
  epochHi: bigint;
  checkpointHiInclusive: bigint;
  /** Exclusive: the network's total transactions after `checkpointHiInclusive`. */
  txHi: bigint;
  timestampMsHi: bigint;
}

/**
 * The watermark a pipeline reaches by committing this checkpoint.
 *
 * @example
 * watermarkOf(checkpoint).txHi === checkpoint.networkTotalTransactions;
 */
export function watermarkOf(
  checkpoint: Pick<CheckpointModel, "sequenceNumber" | "epoch" | "timestampMs" | "networkTotalTransactions">,
): Watermark {
  return {
    epochHi: checkpoint.epoch,
    checkpointHiInclusive: checkpoint.sequenceNumber,
    txHi: checkpoint.networkTotalTransactions,
    timestampMsHi: checkpoint.timestampMs,
  };
}

/**
 * @example
 * const marks = await readWatermarks(database, ["transactions", "events"]);
 * marks.get("events")?.checkpointHiInclusive;
 */
export async function readWatermarks(
  database: Pick<Database, "query">,
  pipelines: readonly PipelineName[],
): Promise<Map<PipelineName, Watermark>> {
  const rows = await database.query<{
    pipeline: PipelineName;
    epoch_hi: bigint;
    checkpoint_hi_inclusive: bigint;
    tx_hi: bigint;
    timestamp_ms_hi: bigint;
  }>(
    `SELECT pipeline, epoch_hi, checkpoint_hi_inclusive, tx_hi, timestamp_ms_hi FROM watermarks WHERE pipeline = ANY($1::text[])`,
    [[...pipelines]],
  );
  return new Map(
    rows.map((r) => [
      r.pipeline,
      {
        epochHi: BigInt(r.epoch_hi),
        checkpointHiInclusive: BigInt(r.checkpoint_hi_inclusive),
        txHi: BigInt(r.tx_hi),
        timestampMsHi: BigInt(r.timestamp_ms_hi),
      },
    ]),
  );
}

/**
 * The first checkpoint a sequential pipeline indexes, by the rules of Sui's indexer
 * framework: an existing watermark wins (resume at watermark + 1) and `--first-checkpoint`
 * is then ignored, unless it lies beyond watermark + 1, which would leave a gap and is an
 * error; without a watermark, `--first-checkpoint` (default 0) is where it starts.
 *
 * @example
 * nextCheckpoint("events", { checkpointHiInclusive: 9n, … }, 5n) // 10n (first ignored)
 */
export function nextCheckpoint(
  pipeline: PipelineName,
  watermark: Watermark | undefined,
  firstCheckpoint: bigint | undefined,
): { next: bigint; ignoredFirst: boolean } {
  if (!watermark) return { next: firstCheckpoint ?? 0n, ignoredFirst: false };
  const next = watermark.checkpointHiInclusive + 1n;
  if (firstCheckpoint !== undefined && firstCheckpoint > next) {
    throw new NonRetryableError("First checkpoint is beyond the watermark and would leave a gap", {
      details: { pipeline, firstCheckpoint, watermark: watermark.checkpointHiInclusive },
    });
  }
  return { next, ignoredFirst: firstCheckpoint !== undefined };
}

export interface WatermarkUpdate {
  pipeline: PipelineName;
  /** The checkpoint the pipeline stood at when this batch was built; null when it had none. */
  previous: bigint | null;
  next: Watermark;
}

/**
 * Moves the watermarks inside the batch's transaction, as a compare-and-set on the
 * previous checkpoint: if another process moved a watermark meanwhile, the whole batch
 * rolls back instead of writing rows twice.
 *
 * @example
 * await advanceWatermarks(tx, [{ pipeline: "events", previous: 41n, next: watermarkOf(checkpoint) }]);
 */
export async function advanceWatermarks(tx: SqlTransaction, updates: readonly WatermarkUpdate[]): Promise<void> {
  // Sent together (pipelined), checked together.
  const results = await Promise.all(
    updates.map(({ pipeline, previous, next }) => {
      const params = [pipeline, next.epochHi, next.checkpointHiInclusive, next.txHi, next.timestampMsHi];
      return previous === null
        ? tx.query(
            `INSERT INTO watermarks (pipeline, epoch_hi, checkpoint_hi_inclusive, tx_hi, timestamp_ms_hi)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pipeline) DO NOTHING RETURNING pipeline`,
            params,
          )
        : tx.query(
            `UPDATE watermarks SET epoch_hi = $2, checkpoint_hi_inclusive = $3, tx_hi = $4, timestamp_ms_hi = $5,
               updated_at = now()
             WHERE pipeline = $1 AND checkpoint_hi_inclusive = $6 RETURNING pipeline`,
            [...params, previous],
          );
    }),
  );
  results.forEach((rows, i) => {
    if (rows.length !== 1) {
      const { pipeline, previous, next } = updates[i]!;
      throw new NonRetryableError("Watermark moved under this indexer: is another one running?", {
        details: { pipeline, expected: previous ?? "none", next: next.checkpointHiInclusive },
      });
    }
  });
}
