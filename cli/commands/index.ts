/**
 * `sui-zk-indexer index`: index checkpoints from a local folder or a remote checkpoint
 * store into the configured database (PGlite in `.data/` by default, PostgreSQL with
 * `DATABASE_URL`), resuming every pipeline at its watermark + 1. Stops after
 * `--last-checkpoint`, at the end of a sparse list, or on SIGINT/SIGTERM (the open batch is
 * committed whole, then the database is closed and the process exits 0).
 */
import { Command } from "commander";
import { createCommon, type Common } from "../../common/context.ts";
import { BaseError, NonRetryableError } from "../../common/errors.ts";
import { stopOnSignals } from "../../common/shutdown.ts";
import { openDatabase } from "../../schema/db.ts";
import { checkpointFilesIn, listPlan, parseCheckpointList, type CheckpointPlan } from "../../indexer/ingest/checkpoint-plan.ts";
import { createIndexer, type IndexerRunResult } from "../../indexer/ingest/indexer.ts";
import { createProgressReporter } from "../../indexer/ingest/progress.ts";
import { normalizeId } from "../../indexer/pipelines/index.ts";
import { localFolderSource, remoteStoreSource, type CheckpointSource } from "../../indexer/sources/index.ts";
import { addSourceOptions, parseConcurrency, parsePositive, parseU64, type SourceFlags } from "../options/source.ts";

/** The flags `index` takes: the shared source flags (cli/options/source.ts). */
export type IndexFlags = SourceFlags;

export interface IndexSettings {
  source: CheckpointSource;
  plan: CheckpointPlan | undefined;
  firstCheckpoint: bigint | undefined;
  lastCheckpoint: bigint | undefined;
  packages: string[];
  concurrency: number;
  batchMaxCheckpoints: number | undefined;
  batchMaxRows: number | undefined;
}

/**
 * Validates the flags into indexer settings (the folder is listed for `--sparse`).
 *
 * @example
 * const settings = await indexSettings({ fromDir: "./checkpoints", lastCheckpoint: "100" });
 */
export async function indexSettings(flags: IndexFlags): Promise<IndexSettings> {
  if (Boolean(flags.fromDir) === Boolean(flags.remoteStore)) {
    throw new NonRetryableError("Give exactly one source: --from-dir DIR or --remote-store URL");
  }
  if (flags.sparse && !flags.fromDir) throw new NonRetryableError("--sparse lists a folder: it needs --from-dir");
  if (flags.sparse && flags.checkpoints) throw new NonRetryableError("Give --sparse or --checkpoints, not both");
  const source = flags.fromDir ? localFolderSource(flags.fromDir) : remoteStoreSource(flags.remoteStore!);
  let plan: CheckpointPlan | undefined;
  if (flags.checkpoints) plan = listPlan(parseCheckpointList(flags.checkpoints));
  else if (flags.sparse) plan = listPlan(await checkpointFilesIn(flags.fromDir!));
  return {
    source,
    plan,
    firstCheckpoint: parseU64("--first-checkpoint", flags.firstCheckpoint),
    lastCheckpoint: parseU64("--last-checkpoint", flags.lastCheckpoint),
    packages: (flags.packages ?? "").split(",").map((p) => p.trim()).filter(Boolean).map(normalizeId),
    concurrency: parseConcurrency(flags.concurrency),
    batchMaxCheckpoints: parsePositive("--batch-checkpoints", flags.batchCheckpoints),
    batchMaxRows: parsePositive("--batch-rows", flags.batchRows),
  };
}

/**
 * Runs one indexing job on the configured database until it completes or `common.shutdown`
 * stops it; closes the database either way.
 *
 * @example
 * const result = await runIndex(createCommon(), await indexSettings({ fromDir: "./cps", sparse: true }));
 */
export async function runIndex(common: Common, settings: IndexSettings): Promise<IndexerRunResult> {
  const database = await openDatabase();
  const progress = createProgressReporter({ logger: common.logger });
  try {
    return await createIndexer(common, {
      database,
      source: settings.source,
      plan: settings.plan,
      firstCheckpoint: settings.firstCheckpoint,
      lastCheckpoint: settings.lastCheckpoint,
      packages: settings.packages,
      concurrency: settings.concurrency,
      batchMaxCheckpoints: settings.batchMaxCheckpoints,
      batchMaxRows: settings.batchMaxRows,
      onCommit: (p) => progress.update(p),
    }).run();
  } finally {
    progress.finish();
    await settings.source.close?.();
    await database.close();
  }
}

export function createIndexCommand(): Command {
  return addSourceOptions(
    new Command("index").description(
      "Index Sui checkpoints from a folder or a remote checkpoint store (DATABASE_URL, else PGlite in $SUI_ZK_INDEXER_DATA_DIR or .data/)",
    ),
  ).action(async (flags: IndexFlags) => {
    const common = createCommon();
    try {
      const settings = await indexSettings(flags);
      stopOnSignals(common.shutdown, (signal) => common.logger.info({ signal }, "stopping: finishing the open batch"));
      const result = await runIndex(common, settings);
      common.logger.info(
        {
          stoppedBy: result.stoppedBy,
          lastCommitted: result.lastCommitted === null ? null : String(result.lastCommitted),
          checkpoints: result.checkpoints,
          transactions: result.transactions,
          rows: result.rows,
        },
        "index finished",
      );
    } catch (error) {
      common.logger.error({ err: error, ...(error instanceof BaseError ? { details: error.details } : {}) }, error instanceof Error ? error.message : "index failed");
      process.exitCode = 1;
    } finally {
      await common.shutdown.stop("index finished");
    }
  });
}
