/**
 * The settler: plans batches from the indexed change stream (sequentially: batch k+1's
 * old root is batch k's new root), proves them in parallel (thread or queue prover), and
 * hands proved batches to the poster, which submits them strictly in order. Everything it
 * does is recorded in the settlement tables, so a restart continues from the tree's head
 * (never rebuilt), re-proves batches left `planned`, and lets the poster reconcile
 * `signed` and `posted` ones.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Common } from "../common/context.ts";
import { BaseError, NonRetryableError, isRetryable } from "../common/errors.ts";
import type { Database } from "../schema/db.ts";
import { settlerMetrics, type SettlerMetrics } from "./metrics.ts";
import { createBatchRepository, type BatchRecord, type BatchRepository, type BatchState } from "./pipeline/batches.ts";
import { acquireSettlerLock, type SettlerLock } from "./pipeline/lock.ts";
import { createPlanner, type Planner } from "./pipeline/planner.ts";
import { pruneTreeVersions } from "./pipeline/prune.ts";
import { createProofRecorder } from "./pipeline/record-proof.ts";
import { rollbackRejected } from "./pipeline/rollback.ts";
import { readSettings, type SettlementSettings } from "./pipeline/settings.ts";
import type { TransitionHook } from "./poster/crash-hook.ts";
import type { Poster } from "./poster/types.ts";
import type { BatchProver } from "./prover/types.ts";
import { openPgTreeStore, type PgTreeStore } from "./store/pg-tree-store.ts";
import { IndexedMerkleTree } from "./tree/indexed-merkle-tree.ts";
import { loadPoseidon } from "./tree/poseidon.ts";
import { toHex } from "./groth16/bytes.ts";

export interface SettlerOptions {
  database: Database;
  prover: BatchProver;
  /** The verifying key (Sui bytes) every proof is checked against before it is recorded. */
  vk: Uint8Array;
  /**
   * Submits proved batches to the registry. null only when the operator asked to prove
   * without posting (`--no-post`).
   */
  poster: Poster | null;
  /** Wait between polls of the indexer and the chain when idle (default 2 s). */
  pollIntervalMs?: number;
  /** Batches planned but not yet proved, at most (default 2 × the prover's concurrency). */
  maxAhead?: number;
  nodeCacheSize?: number;
  leafCacheSize?: number;
  /** Stream rows read per query (default 2,000). */
  readChunk?: number;
  /** Called once a batch's `planned` or `proved` record is committed (the crash tests' hook). */
  afterTransition?: TransitionHook;
}

export interface SettleSummary {
  planned: number;
  proved: number;
  confirmed: number;
  failed: number;
  rolledBack: number;
  /** Stream rows and tree operations in the batches planned by this run. */
  changes: number;
  operations: number;
  /** The tree's head after the run. */
  headBatch: bigint;
  root: bigint;
  /** Where the next batch starts. */
  nextCursor: bigint;
  /** Why the run stopped planning, when it did (the indexer is behind, nothing tracked…). */
  waiting: string | null;
  elapsedMs: number;
}

export interface Settler {
  readonly settings: SettlementSettings;
  readonly store: PgTreeStore;
  /** Settles everything the indexer has committed, then returns. */
  runOnce(): Promise<SettleSummary>;
  /** Follows the indexer until the shutdown signal. */
  run(): Promise<SettleSummary>;
  /** Releases the database lock (the prover and poster belong to the caller). */
  close(): Promise<void>;
}

/**
 * @example
 * const settler = await createSettler(common, { database, prover, vk: artifacts.vk, poster });
 * const summary = await settler.runOnce();
 * await settler.close();
 */
export async function createSettler(common: Common, options: SettlerOptions): Promise<Settler> {
  const { database, prover, poster } = options;
  const logger = common.logger.child({ component: "settler" });
  const settings = await readSettings(database);
  if (!settings) {
    throw new NonRetryableError("the settlement is not configured: run `settle init` (or `settle configure` to prove only)");
  }
  const lock: SettlerLock = await acquireSettlerLock(database);
  try {
    const poseidon = await loadPoseidon();
    const store = await openPgTreeStore(database, {
      depth: settings.depth,
      ...(options.nodeCacheSize !== undefined ? { nodeCacheSize: options.nodeCacheSize } : {}),
      ...(options.leafCacheSize !== undefined ? { leafCacheSize: options.leafCacheSize } : {}),
    });
    if (store.head.batch < 0n) throw new NonRetryableError("the settlement has no genesis tree (configure it again)");
    // The head holds the sentinel (next index >= 1): constructing the tree writes nothing.
    const tree = new IndexedMerkleTree(settings.depth, store, poseidon);
    const batches = createBatchRepository(database);
    const planner = createPlanner({
      database,
      settings,
      store,
      tree,
      batches,
      ...(options.readChunk !== undefined ? { readChunk: options.readChunk } : {}),
    });
    const loop = createLoop(common, { ...options, settings, store, tree, batches, planner, metrics: settlerMetrics(common.metrics) });
    if (poster) await checkRegistry(poster, settings);
    logger.info(
      { headBatch: store.head.batch.toString(), nextIndex: store.head.nextIndex.toString(), depth: settings.depth, batchSize: settings.batchSize, posting: poster !== null },
      "settler ready",
    );
    return {
      settings,
      store,
      runOnce: () => loop("once"),
      run: () => loop("follow"),
      close: () => lock.release(),
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Refuses to post to a registry made for another configuration. */
async function checkRegistry(poster: Poster, settings: SettlementSettings): Promise<void> {
  await poster.recover();
  const chain = await poster.readChainState();
  if (settings.registryId !== null && chain.registryId !== settings.registryId) {
    throw new NonRetryableError("the poster's registry is not the one this settlement was initialized with", {
      details: { configured: settings.registryId, poster: chain.registryId },
    });
  }
  if (toHex(chain.trackingConfigHash) !== toHex(settings.trackingHash)) {
    throw new NonRetryableError("the registry tracks a different configuration than this settlement", {
      details: { registry: toHex(chain.trackingConfigHash), local: toHex(settings.trackingHash) },
    });
  }
}

interface LoopContext extends SettlerOptions {
  settings: SettlementSettings;
  store: PgTreeStore;
  tree: IndexedMerkleTree;
  batches: BatchRepository;
  planner: Planner;
  metrics: SettlerMetrics;
}

function createLoop(common: Common, ctx: LoopContext): (mode: "once" | "follow") => Promise<SettleSummary> {
  const { database, prover, poster, batches, planner, store, tree, metrics } = ctx;
  const logger = common.logger.child({ component: "settler" });
  const recorder = createProofRecorder(batches, ctx.vk);
  const pollMs = ctx.pollIntervalMs ?? 2000;
  const maxAhead = ctx.maxAhead ?? 2 * prover.concurrency;
  const signal = common.shutdown.signal;

  return async (mode) => {
    const started = performance.now();
    const summary = { planned: 0, proved: 0, confirmed: 0, failed: 0, rolledBack: 0, changes: 0, operations: 0 };
    const inFlight = new Map<bigint, Promise<void>>();
    const retryAt = new Map<bigint, { at: number; delay: number }>();
    let fatal: Error | null = null;
    let waiting: string | null = null;

    const prove = (batch: BatchRecord): Promise<void> =>
      (async () => {
        const circuitInput = await batches.circuitInput(batch.batch);
        if (circuitInput === null) return;
        const output = await prover.prove({ batch: batch.batch, circuitInput });
        // The batch may have been rolled back while it was being proved.
        const current = await batches.get(batch.batch);
        if (!current || current.id !== batch.id || current.state !== "planned") {
          logger.info({ batch: batch.batch.toString() }, "proof discarded: the batch was rolled back or already proved");
          return;
        }
        await recorder.record(current, output);
        ctx.afterTransition?.(current.batch, "proved");
        summary.proved++;
        retryAt.delete(batch.batch);
        metrics.provingSeconds.observe((output.witnessMs + output.proveMs) / 1000);
        metrics.batches.inc({ event: "proved" });
        logger.info(
          { batch: batch.batch.toString(), prover: output.prover, witnessMs: Math.round(output.witnessMs), proveMs: Math.round(output.proveMs) },
          "batch proved",
        );
      })().catch(async (error: unknown) => {
        const message = error instanceof BaseError ? error.message : String(error);
        await batches.noteError(batch.batch, message).catch(() => {});
        if (isRetryable(error)) {
          const delay = Math.min(60_000, (retryAt.get(batch.batch)?.delay ?? 500) * 2);
          retryAt.set(batch.batch, { at: Date.now() + delay, delay });
          logger.warn({ batch: batch.batch.toString(), err: error, retryInMs: delay }, "proving failed; will retry");
        } else {
          // A valid plan always proves: a refusal means a bug or a wrong setup, not bad luck.
          fatal ??= error instanceof Error ? error : new Error(message);
          logger.error({ batch: batch.batch.toString(), err: error }, "proving failed for good");
        }
      });

    const startProofs = async (): Promise<boolean> => {
      if (inFlight.size >= prover.concurrency) return false;
      const planned = await batches.list({ states: ["planned"], limit: maxAhead + prover.concurrency });
      let started = false;
      for (const batch of planned) {
        if (inFlight.size >= prover.concurrency) break;
        if (inFlight.has(batch.batch)) continue;
        const retry = retryAt.get(batch.batch);
        if (retry && retry.at > Date.now()) continue;
        const task = prove(batch).finally(() => inFlight.delete(batch.batch));
        inFlight.set(batch.batch, task);
        started = true;
      }
      return started;
    };

    const planAhead = async (): Promise<boolean> => {
      let progressed = false;
      for (;;) {
        const counts = await batches.countByState();
        if (counts.planned >= maxAhead || signal.aborted) return progressed;
        const outcome = await planner.planNext();
        if (outcome.kind === "waiting") {
          waiting = outcome.reason;
          return progressed;
        }
        waiting = null;
        const p = outcome.result.planned;
        ctx.afterTransition?.(p.batch, "planned");
        progressed = true;
        summary.planned++;
        summary.changes += p.changes;
        summary.operations += p.inserts + p.updates;
        metrics.batches.inc({ event: "planned" });
        metrics.changes.inc(p.changes);
        metrics.operations.inc(p.inserts + p.updates);
        metrics.cursorCheckpoint.set(Number(p.toCursor >> 32n));
        const rate = summary.changes / Math.max(0.001, (performance.now() - started) / 1000);
        logger.info(
          {
            batch: p.batch.toString(),
            from: p.fromCursor.toString(),
            to: p.toCursor.toString(),
            changes: p.changes,
            inserts: p.inserts,
            updates: p.updates,
            skipped: p.skipped,
            changesPerSecond: Math.round(rate * 10) / 10,
          },
          "batch planned",
        );
      }
    };

    const post = async (): Promise<{ progressed: boolean; stalled: boolean }> => {
      if (!poster) return { progressed: false, stalled: false };
      try {
        const outcome = await poster.post();
        for (const n of outcome.confirmed) {
          const row = await batches.get(n);
          if (row?.provedAt && row.confirmedAt) {
            metrics.postingLatencySeconds.observe((Date.parse(row.confirmedAt) - Date.parse(row.provedAt)) / 1000);
          }
          metrics.batches.inc({ event: "confirmed" });
        }
        summary.confirmed += outcome.confirmed.length;
        summary.failed += outcome.failed.length;
        if (outcome.failed.length > 0) metrics.batches.inc({ event: "failed" }, outcome.failed.length);
        if (outcome.confirmed.length > 0) {
          const last = outcome.confirmed[outcome.confirmed.length - 1]!;
          await pruneTreeVersions(database, last);
          logger.info({ confirmed: outcome.confirmed.map(String) }, "batches confirmed on chain");
        }
        const progressed = outcome.confirmed.length + outcome.failed.length > 0;
        const proved = (await batches.countByState()).proved;
        return { progressed, stalled: !progressed && outcome.inFlight === null && proved > 0 };
      } catch (error) {
        if (!isRetryable(error)) throw error;
        logger.warn({ err: error }, "posting failed; will retry");
        return { progressed: false, stalled: false };
      }
    };

    const updateGauges = async (): Promise<Record<BatchState, number>> => {
      const counts = await batches.countByState();
      for (const state of ["planned", "proved", "signed", "posted"] as const) metrics.batchesPending.set({ state }, counts[state]);
      return counts;
    };

    let idlePolls = 0;
    while (!signal.aborted) {
      if (fatal) break;
      let progressed = false;
      const rollback = await rollbackRejected(database, store);
      if (rollback) {
        progressed = true;
        summary.rolledBack += 1 + rollback.abandoned.length;
        metrics.batches.inc({ event: "rolled_back" }, 1 + rollback.abandoned.length);
        logger.warn(
          { rejected: rollback.rejected.toString(), abandoned: rollback.abandoned.map(String), head: rollback.head.toString() },
          "rolled back behind a rejected batch",
        );
      }
      progressed = (await planAhead()) || progressed;
      progressed = (await startProofs()) || progressed;
      const posting = await post();
      progressed = posting.progressed || progressed;
      const counts = await updateGauges();

      if (mode === "once") {
        const unfinished = counts.planned + (poster ? counts.proved + counts.signed + counts.posted : 0);
        if (waiting !== null && inFlight.size === 0 && unfinished === 0) break;
        if (posting.stalled && inFlight.size === 0 && counts.planned === 0 && waiting !== null) {
          idlePolls++;
          if (idlePolls >= 3) {
            throw new NonRetryableError("the poster makes no progress on proved batches", {
              details: { proved: counts.proved },
            });
          }
        } else {
          idlePolls = 0;
        }
      }
      if (!progressed) {
        const wake = [sleep(pollMs, undefined, { signal }).catch(() => {}), ...inFlight.values()];
        await Promise.race(wake);
      }
    }
    await Promise.allSettled(inFlight.values());
    if (fatal) throw fatal;
    const head = store.head;
    const headRow = head.batch > 0n ? await batches.get(head.batch) : null;
    return {
      ...summary,
      headBatch: head.batch,
      root: headRow ? headRow.newRoot : await genesisRoot(store, tree),
      nextCursor: headRow?.toCursor ?? ctx.settings.startCursor,
      waiting,
      elapsedMs: performance.now() - started,
    };
  };
}

async function genesisRoot(store: PgTreeStore, tree: IndexedMerkleTree): Promise<bigint> {
  await store.prepare([]);
  try {
    return tree.root;
  } finally {
    store.discard();
  }
}
