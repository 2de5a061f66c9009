/**
 * The ingest loop: resumes every pipeline from its watermark, fetches ahead in order,
 * runs the filter and the pipelines on each checkpoint in order, and commits batches of
 * consecutive checkpoints (rows + watermarks in one transaction each), with at most one
 * commit in flight while the next batch is being prepared.
 */
import type { Common } from "../../common/context.ts";
import { BaseError, NonRetryableError, isRetryable } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import { createCommitter, type CommitStats, type IndexedCheckpoint } from "../commit/committer.ts";
import { nextCheckpoint, readWatermarks } from "../commit/watermarks.ts";
import {
  createPackageFilter,
  normalizeId,
  pipelineNames,
  processCheckpoint,
  type PackageFilter,
  type PipelineName,
} from "../pipelines/index.ts";
import type { CheckpointSource } from "../sources/index.ts";
import { backoffDelay, sleep, type BackoffOptions } from "./backoff.ts";
import { planSequence, planSize, type CheckpointPlan } from "./checkpoint-plan.ts";
import { createCheckpointFetcher, type FetchedCheckpoint } from "./fetcher.ts";
import { loadKnownPackages } from "./known-packages.ts";
import { indexerMetrics } from "./metrics.ts";

export interface IndexerOptions {
  database: Database;
  source: CheckpointSource;
  /** A contiguous range (default) or an explicit sparse list of checkpoints. */
  plan?: CheckpointPlan;
  /** Where pipelines without a watermark start (default 0); ignored by those with one. */
  firstCheckpoint?: bigint;
  /** Stop cleanly after committing this checkpoint. */
  lastCheckpoint?: bigint;
  /** Index only transactions touching these packages (original ids); all when empty. */
  packages?: readonly string[];
  pipelines?: readonly PipelineName[];
  /** Concurrent fetches (default 8); the most at once when `minConcurrency` is set. */
  concurrency?: number;
  /** Adapt concurrent fetches between this and `concurrency` to how fast commits take checkpoints. */
  minConcurrency?: number;
  /** Checkpoints fetched ahead of the committer (default 4 x concurrency, at least 64). */
  maxAhead?: number;
  /** Fetched bytes waiting for the committer (default 64 MiB). */
  maxBytesAhead?: number;
  /** A batch closes at this many checkpoints (default 200) … */
  batchMaxCheckpoints?: number;
  /** … or rows (default 50,000) … */
  batchMaxRows?: number;
  /**
   * … or encoded checkpoint bytes (default 32 MiB: rows point into the file buffers, so this
   * bounds a batch's memory), or as soon as the next checkpoint is not ready and the
   * database is idle.
   */
  batchMaxBytes?: number;
  pollIntervalMs?: number;
  backoff?: BackoffOptions;
  /** Transient failures of one fetch or one commit retried before giving up (default: unlimited). */
  maxRetries?: number;
  /** How long to wait for another process to release the pipelines (default 30 s). */
  lockWaitMs?: number;
  /** Called after every commit, in order. */
  onCommit?(progress: IndexerProgress): void;
}

export interface IndexerProgress {
  stats: CommitStats;
  /** Totals since the run started. */
  checkpoints: number;
  transactions: number;
  rows: number;
  /** Checkpoints the run will index in all (null when unbounded). */
  planned: bigint | null;
}

export interface StageTimes {
  /** Reading and decoding checkpoint files, summed over concurrent fetches (ms). */
  fetchMs: number;
  /** Filter and pipelines: checkpoint -> rows (ms). */
  processMs: number;
  /** Rows -> column arrays (ms). */
  encodeMs: number;
  /** Database transactions (ms). */
  writeMs: number;
}

export interface IndexerRunResult {
  /** Why the run ended: the plan was done, or a stop was requested. */
  stoppedBy: "completed" | "shutdown";
  /** The first checkpoint this run was to index; null when there was nothing to do. */
  startCheckpoint: bigint | null;
  /** The highest checkpoint committed by this run; null when none was. */
  lastCommitted: bigint | null;
  checkpoints: number;
  transactions: number;
  rows: number;
  stages: StageTimes;
}

export interface Indexer {
  run(): Promise<IndexerRunResult>;
}

/**
 * @example
 * const indexer = createIndexer(common, { database, source: localFolderSource(dir), lastCheckpoint: 100n });
 * const result = await indexer.run();
 */
export function createIndexer(common: Common, options: IndexerOptions): Indexer {
  const { database, source, logger } = { ...options, logger: common.logger.child({ component: "indexer" }) };
  const names = options.pipelines ?? pipelineNames;
  const metrics = indexerMetrics(common.metrics);
  const signal = common.shutdown.signal;
  const maxRetries = options.maxRetries ?? Number.POSITIVE_INFINITY;

  return {
    async run() {
      // One process per pipeline: the watermark compare-and-set would refuse a second one's
      // commits anyway; the lock says so at start, by name. A process killed a moment ago may
      // still hold it until the server notices its connection is gone: wait a little.
      const keys = names.map((name) => `sui-zk-indexer:pipeline:${name}`);
      const deadline = performance.now() + (options.lockWaitMs ?? 30_000);
      let lock = await database.tryLock(keys);
      while (!lock && performance.now() < deadline && !signal.aborted) {
        logger.warn({ pipelines: names }, "another process holds these pipelines: waiting");
        await sleep(500, signal).catch(() => {});
        lock = await database.tryLock(keys);
      }
      if (!lock) {
        throw new NonRetryableError("Another process is indexing these pipelines into this database", {
          details: { database: database.location, pipelines: names.join(",") },
        });
      }
      try {
        return await runLocked();
      } finally {
        await lock.release();
      }
    },
  };

  async function runLocked(): Promise<IndexerRunResult> {
    const stages: StageTimes = { fetchMs: 0, processMs: 0, encodeMs: 0, writeMs: 0 };
    const totals = { checkpoints: 0, transactions: 0, rows: 0 };
    const last = options.lastCheckpoint ?? null;
    const plan = options.plan ?? { kind: "range", last: null };

    const marks = await readWatermarks(database, names);
    const nextByPipeline = new Map<PipelineName, bigint>();
    for (const name of names) {
      const { next, ignoredFirst } = nextCheckpoint(name, marks.get(name), options.firstCheckpoint);
      if (ignoredFirst) {
        logger.warn({ pipeline: name, firstCheckpoint: String(options.firstCheckpoint), resumeAt: String(next) }, "pipeline has a watermark: ignoring --first-checkpoint and resuming after it");
      }
      nextByPipeline.set(name, next);
    }
    const start = [...nextByPipeline.values()].reduce((a, b) => (a < b ? a : b));
    const planned = planSize(plan, start, last);
    const firstPlanned = planSequence(plan, start, last).next().value ?? null;
    const result = (stoppedBy: IndexerRunResult["stoppedBy"], lastCommitted: bigint | null): IndexerRunResult => ({
      stoppedBy,
      startCheckpoint: firstPlanned,
      lastCommitted,
      ...totals,
      stages,
    });
    if (planned === 0n) {
      logger.info({ start: String(start), last: last === null ? null : String(last) }, "nothing to index");
      return result("completed", null);
    }
    logger.info(
      { source: source.name, database: database.location, start: String(firstPlanned), last: last === null ? null : String(last), planned: planned === null ? null : String(planned), pipelines: names },
      "indexing",
    );

    const filter = await packageFilter(database, options.packages);
    const committer = createCommitter(
      database,
      new Map(names.map((name) => [name, marks.get(name)?.checkpointHiInclusive ?? null])),
    );
    const concurrency = options.concurrency ?? 8;
    const fetcher = createCheckpointFetcher({
      source,
      sequence: planSequence(plan, start, last),
      concurrency,
      minConcurrency: options.minConcurrency,
      onConcurrency: (n) => metrics.fetchConcurrency.set(n),
      maxAhead: options.maxAhead ?? Math.max(64, concurrency * 4),
      maxBytesAhead: options.maxBytesAhead ?? 64 * 1024 * 1024,
      pollIntervalMs: options.pollIntervalMs,
      backoff: options.backoff,
      maxRetries: options.maxRetries,
      signal,
      onRetry: ({ sequenceNumber, attempt, delayMs, error }) => {
        metrics.fetchRetries.inc();
        logger.warn({ checkpoint: String(sequenceNumber), attempt, delayMs, err: error }, "retrying checkpoint fetch");
      },
      onPoll: (sequenceNumber, location) => logger.debug({ checkpoint: String(sequenceNumber), location }, "checkpoint not found yet: polling"),
    });

    const toIndexed = (fetched: FetchedCheckpoint): IndexedCheckpoint => {
      const { checkpoint } = fetched;
      const started = performance.now();
      try {
        const active = names.filter((name) => nextByPipeline.get(name)! <= checkpoint.sequenceNumber);
        const selection = filter ? filter.select(checkpoint) : null;
        const { sequenceNumber, epoch, timestampMs, networkTotalTransactions } = checkpoint;
        return {
          // Only what the watermark needs: the batch does not keep the whole model alive.
          checkpoint: { sequenceNumber, epoch, timestampMs, networkTotalTransactions },
          transactionCount: checkpoint.transactions.length,
          rows: processCheckpoint(checkpoint, selection, active),
        };
      } catch (error) {
        // Lazily decoded parts (objects) fail here: name the file and the checkpoint.
        throw new NonRetryableError(error instanceof BaseError ? error.shortMessage : "Cannot index checkpoint", {
          cause: error,
          details: {
            ...(error instanceof BaseError ? error.details : { reason: error instanceof Error ? error.message : String(error) }),
            file: fetched.location,
            checkpoint: checkpoint.sequenceNumber,
          },
        });
      } finally {
        stages.processMs += performance.now() - started;
      }
    };

    let lastCommitted: bigint | null = null;
    const commitWithRetry = async (batch: IndexedCheckpoint[]): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        const timer = metrics.commitSeconds.startTimer();
        try {
          const stats = await committer.commit(batch);
          timer();
          stages.encodeMs += stats.encodeMs;
          stages.writeMs += stats.writeMs;
          totals.checkpoints += stats.checkpoints;
          totals.transactions += stats.transactions;
          totals.rows += stats.totalRows;
          lastCommitted = stats.watermark.checkpointHiInclusive;
          metrics.checkpoints.inc(stats.checkpoints);
          metrics.transactions.inc(stats.transactions);
          for (const [table, n] of Object.entries(stats.rows)) metrics.rows.inc({ table }, n);
          for (const [name, hi] of committer.watermarks) if (hi !== null) metrics.watermark.set({ pipeline: name }, Number(hi));
          options.onCommit?.({ stats, ...totals, planned });
          return;
        } catch (error) {
          if (!isRetryable(error) || attempt >= maxRetries) throw error;
          const delayMs = backoffDelay(attempt, options.backoff);
          logger.warn({ err: error, attempt, delayMs }, "retrying batch commit");
          await sleep(delayMs); // not abortable: the batch is either committed or abandoned whole
        }
      }
    };

    const maxCheckpoints = options.batchMaxCheckpoints ?? 200;
    const maxRows = options.batchMaxRows ?? 50_000;
    const maxBytes = options.batchMaxBytes ?? 32 * 1024 * 1024;
    let batchBytes = 0;
    let batch: IndexedCheckpoint[] = [];
    let batchRows = 0;
    let inflight: Promise<void> | null = null;
    let committing = false;
    const flush = async () => {
      if (inflight) await inflight;
      inflight = null;
      if (batch.length === 0) return;
      const closed = batch;
      batch = [];
      batchRows = 0;
      batchBytes = 0;
      committing = true;
      inflight = commitWithRetry(closed).finally(() => {
        committing = false;
      });
      // A failure surfaces at the next flush (or the final one); keep it from going unhandled meanwhile.
      inflight.catch(() => {});
    };

    let failure: unknown = null;
    try {
      for (;;) {
        let fetched: FetchedCheckpoint | null;
        try {
          const next = fetcher.next();
          next.catch(() => {}); // handled below, or moot once the loop has failed
          // At the tip the next checkpoint may be long in coming: once the commit in flight is
          // done, commit what waits in the batch instead of holding it back until then.
          if (batch.length > 0 && inflight) {
            const settled = (p: Promise<unknown>, what: string) => p.then(() => what, () => what);
            if ((await Promise.race([settled(next, "next"), settled(inflight, "committed")])) === "committed" && !fetcher.nextIsReady()) await flush();
          }
          fetched = await next;
        } catch (error) {
          failure = error;
          break;
        }
        if (!fetched) break;
        stages.fetchMs += fetched.fetchMs;
        let indexed: IndexedCheckpoint;
        try {
          indexed = toIndexed(fetched);
        } catch (error) {
          failure = error;
          break;
        }
        batch.push(indexed);
        batchRows += rowCount(indexed);
        batchBytes += fetched.bytes;
        const full = batch.length >= maxCheckpoints || batchRows >= maxRows || batchBytes >= maxBytes;
        // Commit early when the database is idle and the source is the bottleneck.
        const idle = !committing && !fetcher.nextIsReady();
        if (full || idle) await flush();
      }
    } finally {
      fetcher.close();
    }
    // Checkpoints before a bad one are good: commit them, then report the failure.
    await flush();
    if (inflight) await inflight;
    if (failure) throw failure;
    const stoppedBy = signal.aborted ? "shutdown" : "completed";
    logger.info({ stoppedBy, lastCommitted: lastCommitted === null ? null : String(lastCommitted), ...totals }, "indexer stopped");
    return result(stoppedBy, lastCommitted);
  }
}

async function packageFilter(database: Database, packages: readonly string[] | undefined): Promise<PackageFilter | null> {
  if (!packages || packages.length === 0) return null;
  const ids = packages.map(normalizeId);
  return createPackageFilter(ids, await loadKnownPackages(database, ids));
}

function rowCount(indexed: IndexedCheckpoint): number {
  const r = indexed.rows;
  return (
    (r.checkpoints?.length ?? 0) +
    (r.transactions ? r.transactions.transactions.length + r.transactions.calls.length : 0) +
    (r.events?.length ?? 0) +
    (r.object_versions?.length ?? 0) +
    (r.objects ? r.objects.upserts.length + r.objects.deletes.length : 0) +
    (r.balance_changes?.length ?? 0) +
    (r.packages?.length ?? 0)
  );
}
