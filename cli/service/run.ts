/**
 * The main job (`start`): index the configured source into the database and serve the
 * query API, `/ready` and `/metrics` from the same process, until a signal (or, for a
 * bounded run, until stopped after it completes).
 *
 * Order: open the database, listen (so `/health` answers and `/ready` says 503 while the
 * rest starts), check the chain against the database, take the pipeline locks (waiting if
 * asked to), index. On SIGINT/SIGTERM the indexer stops fetching and commits or abandons
 * its open batch whole; then the server, the locks, the source and the database close.
 */
import { createApi } from "../../api/app.ts";
import { startApiServer, type ApiServer } from "../../api/server.ts";
import type { Common } from "../../common/context.ts";
import { isRetryable } from "../../common/errors.ts";
import { openDatabase } from "../../schema/db.ts";
import { checkChainIdentity } from "../../indexer/chain-identity.ts";
import { backoffDelay, sleep } from "../../indexer/ingest/backoff.ts";
import { createIndexer, type IndexerRunResult } from "../../indexer/ingest/indexer.ts";
import { indexerMetrics } from "../../indexer/ingest/metrics.ts";
import { createProgressReporter } from "../../indexer/ingest/progress.ts";
import { acquirePipelineLocks, type PipelineLocks } from "../../indexer/pipeline-locks.ts";
import type { GrpcSource, ServiceInfo } from "../../indexer/sources/grpc.ts";
import { redactedConfig, type StartConfig } from "../config.ts";
import { createServiceApp } from "./app.ts";
import { createLagTracker } from "./lag.ts";
import { createConfiguredSource } from "./source.ts";

export interface ServiceResult {
  /** Null when it stopped before indexing started (a signal while waiting for locks). */
  indexing: IndexerRunResult | null;
  /** The port the HTTP server listened on. */
  port: number | null;
}

/**
 * Runs until `common.shutdown` stops it; throws what made it fail.
 *
 * @example
 * const common = createCommon();
 * stopOnSignals(common.shutdown);
 * await runService(common, await resolveStartConfig(flags, process.env, await loadConfigFile()));
 */
export async function runService(common: Common, config: StartConfig): Promise<ServiceResult> {
  const { logger, shutdown } = common;
  logger.info({ config: redactedConfig(config) }, "starting");
  const database = await openDatabase({ url: config.database.url ?? "", schema: config.database.schema, dataDir: config.database.dataDir, maxConnections: 8 });
  const configured = createConfiguredSource(common, config.source);
  const stopped = new Promise<void>((resolve) => shutdown.onStop(resolve));
  let server: ApiServer | null = null;
  let locks: PipelineLocks | null = null;
  let lost: Error | null = null;
  let done = false;
  const progress = createProgressReporter({ logger });
  try {
    const lag = createLagTracker(common, {
      database,
      pipelines: config.pipelines,
      tip: configured.tip,
      lastCheckpoint: config.lastCheckpoint,
      readyMaxLag: config.readyMaxLag,
      done: () => done,
      owned: () => locks !== null,
    });
    const api = createApi({ database, common, cursorSecret: config.cursorSecret, sourceTip: configured.tip });
    server = await startApiServer({ app: createServiceApp({ api, lag }), port: config.port, hostname: config.host });
    logger.info({ port: server.port, host: config.host, database: database.location }, "serving the API, /ready and /metrics");

    let firstCheckpoint = config.firstCheckpoint;
    if (configured.grpc) {
      const info = await untilAnswered(common, configured.grpc);
      if (!info) return { indexing: null, port: server.port };
      logger.info({ chainId: info.chainId, chain: info.chain, height: info.checkpointHeight?.toString() ?? null, lowestAvailable: String(info.lowestAvailableCheckpoint) }, "full node");
      const check = await checkChainIdentity(database, { chainId: info.chainId, chain: info.chain }, configured.source, shutdown.signal);
      logger.info({ chainId: info.chainId, ...check, ...("verifiedAt" in check ? { verifiedAt: check.verifiedAt?.toString() ?? null } : {}) }, "chain identity");
      if (firstCheckpoint === "tip") firstCheckpoint = info.checkpointHeight ?? info.lowestAvailableCheckpoint;
    }

    locks = await acquirePipelineLocks(common, {
      url: database.kind === "postgres" ? (config.database.url ?? null) : null,
      schema: database.schema,
      pipelines: config.pipelines,
      onLocked: config.onLocked,
      onLost: (error) => {
        lost = error;
        logger.error({ err: error }, "stopping: another process may take these pipelines");
        void shutdown.stop("lost the pipeline locks");
      },
    }).catch((error: unknown) => {
      if (shutdown.stopped) return null; // a signal while waiting for a pipeline
      throw error;
    });
    if (!locks) return { indexing: null, port: server.port };

    indexerMetrics(common.metrics).fetchConcurrency.set(config.concurrency);
    const indexing = await createIndexer(common, {
      database,
      source: configured.source,
      plan: config.plan,
      firstCheckpoint: firstCheckpoint === "tip" ? undefined : firstCheckpoint,
      lastCheckpoint: config.lastCheckpoint,
      packages: config.packages,
      pipelines: config.pipelines,
      concurrency: config.concurrency,
      minConcurrency: config.minConcurrency,
      batchMaxCheckpoints: config.batchMaxCheckpoints,
      batchMaxRows: config.batchMaxRows,
      // The indexer's own per-run lock only meets other kinds of process (`index`) here: ours is held.
      lockWaitMs: config.onLocked === "exit" ? 0 : Number.POSITIVE_INFINITY,
      onCommit: (p) => progress.update(p),
    }).run();
    if (lost) throw lost;
    if (indexing.stoppedBy === "completed" && !shutdown.stopped) {
      done = true;
      logger.info({ lastCommitted: indexing.lastCommitted?.toString() ?? null }, "indexing complete: serving until stopped");
      await stopped;
    }
    return { indexing, port: server.port };
  } finally {
    progress.finish();
    await server?.close().catch((error: unknown) => logger.warn({ err: error }, "closing the HTTP server"));
    await locks?.release();
    await configured.source.close?.();
    await database.close();
  }
}

/** The node's service info, retrying transient failures; null if stopped meanwhile. */
async function untilAnswered(common: Common, grpc: GrpcSource): Promise<ServiceInfo | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await grpc.serviceInfo({ maxAgeMs: 0, signal: common.shutdown.signal });
    } catch (error) {
      if (common.shutdown.stopped) return null;
      if (!isRetryable(error)) throw error;
      const delayMs = backoffDelay(attempt, { baseMs: 500, maxMs: 30_000 });
      common.logger.warn({ err: error, attempt, delayMs }, "full node does not answer yet: retrying");
      await sleep(delayMs, common.shutdown.signal).catch(() => {});
    }
  }
}
