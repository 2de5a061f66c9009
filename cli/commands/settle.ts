/**
 * `sui-zk-indexer settle`: the settler's commands.
 *
 *   settle init       configure the settlement and create its registry (settle-init.ts)
 *   settle configure  configure the settlement only, to prove without a registry (--no-post)
 *   settle run        follow the indexer: plan, prove, post, until SIGINT/SIGTERM
 *   settle once       settle everything indexed so far, then exit
 *   settle status     a table of batches, and the registry as Sui holds it
 *   settle worker     take proving jobs from a BullMQ queue (`run --queue` elsewhere)
 *
 * Posting goes to Sui through the poster (settler/poster/sui-factory.ts); proving without
 * posting must be asked for with --no-post.
 */
import { Command } from "commander";
import { createCommon, type Common } from "../../common/context.ts";
import { BaseError, NonRetryableError } from "../../common/errors.ts";
import { stopOnSignals } from "../../common/shutdown.ts";
import { openDatabase, type Database } from "../../schema/db.ts";
import { createBatchRepository, type BatchRecord, type BatchState } from "../../settler/pipeline/batches.ts";
import { configureSettlement } from "../../settler/pipeline/configure.ts";
import { readSettings, type SettlementSettings } from "../../settler/pipeline/settings.ts";
import { createSuiPosterFactory, openSuiChain } from "../../settler/poster/sui-factory.ts";
import type { Poster } from "../../settler/poster/types.ts";
import { startQueueWorker } from "../../settler/prover/queue-prover.ts";
import { createSettler, type SettleSummary } from "../../settler/settler.ts";
import { crashHookFromEnv } from "../../settler/poster/crash-hook.ts";
import { formatOnChainStatus, readOnChainStatus } from "../../settler/sui/registry-status.ts";
import { decodeCursor } from "../../settler/tree/cursor.ts";
import { addProvingOptions, createProverFromFlags, provingArtifacts, type ProvingFlags } from "../options/proving.ts";
import { addSettlementOptions, settlementInputFromFlags, type SettlementFlags } from "../options/settlement.ts";
import { addSuiOptions, suiSettings, type SuiFlags } from "../options/sui.ts";
import { createSettleInitCommand } from "./settle-init.ts";

export interface SettleRunFlags extends ProvingFlags, SuiFlags {
  /** commander's negated --no-post. */
  post: boolean;
  pollMs?: string;
  json?: boolean;
}

const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

async function requireSettings(database: Database): Promise<SettlementSettings> {
  const settings = await readSettings(database);
  if (!settings) throw new NonRetryableError("the settlement is not configured: run `settle init` (or `settle configure` with --no-post)");
  return settings;
}

/**
 * Plans, proves and (unless --no-post) posts: once, or following the indexer.
 *
 * @example
 * const summary = await runSettle(common, database, { dev: true, post: false, threads: "2" }, "once");
 */
export async function runSettle(common: Common, database: Database, flags: SettleRunFlags, mode: "once" | "follow"): Promise<SettleSummary> {
  const settings = await requireSettings(database);
  const circuit = { depth: settings.depth, batchSize: settings.batchSize };
  const artifacts = await provingArtifacts(flags, circuit, common.logger);
  let poster: Poster | null = null;
  if (flags.post) {
    if (!settings.registryId) throw new NonRetryableError("no registry yet: run `settle init`, or prove only with --no-post");
    poster = await createSuiPosterFactory(suiSettings(flags))(common, { database, batches: createBatchRepository(database), settings });
  } else {
    common.logger.warn("--no-post: batches are proved and kept, nothing is sent to Sui");
  }
  const prover = createProverFromFlags(flags, artifacts, circuit);
  try {
    const pollMs = flags.pollMs === undefined ? undefined : Number(flags.pollMs);
    const settler = await createSettler(common, {
      database,
      prover,
      vk: artifacts.vk,
      poster,
      afterTransition: crashHookFromEnv(),
      ...(pollMs !== undefined && pollMs > 0 ? { pollIntervalMs: pollMs } : {}),
    });
    try {
      return mode === "once" ? await settler.runOnce() : await settler.run();
    } finally {
      await settler.close();
    }
  } finally {
    await prover.close();
    await poster?.close();
  }
}

/**
 * The summary of a run as label/value rows.
 *
 * @example
 * for (const [label, value] of summaryRows(summary)) console.log(label, value);
 */
export function summaryRows(s: SettleSummary): [string, string][] {
  const { checkpoint, offset } = decodeCursor(s.nextCursor);
  const seconds = s.elapsedMs / 1000;
  return [
    ["batches", `${s.planned} planned, ${s.proved} proved, ${s.confirmed} confirmed, ${s.failed} failed, ${s.rolledBack} rolled back`],
    ["changes", `${s.changes} stream rows, ${s.operations} tree operations`],
    ["rate", `${(s.changes / Math.max(seconds, 0.001)).toFixed(2)} changes/s, ${(s.operations / Math.max(seconds, 0.001)).toFixed(2)} operations/s over ${seconds.toFixed(1)} s`],
    ["head batch", s.headBatch.toString()],
    ["root", `0x${s.root.toString(16).padStart(64, "0")}`],
    ["next cursor", `${s.nextCursor} (checkpoint ${checkpoint}, offset ${offset})`],
    ["waiting", s.waiting ?? "-"],
  ];
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}

/**
 * A text table of batches: number, state, range, operations, proving time, digest.
 *
 * @example
 * process.stdout.write(formatBatches(await batches.list()) + "\n");
 */
export function formatBatches(batches: readonly BatchRecord[]): string {
  const header = ["batch", "state", "from", "to", "changes", "ins", "upd", "skip", "prove s", "attempts", "tx digest", "error"];
  const rows = batches.map((b) => {
    const from = decodeCursor(b.fromCursor);
    const to = decodeCursor(b.toCursor);
    return [
      b.batch.toString(),
      b.state,
      `${from.checkpoint}:${from.offset}`,
      `${to.checkpoint}:${to.offset}`,
      String(b.changes),
      String(b.inserts),
      String(b.updates),
      String(b.skipped),
      b.provingMs === null ? "-" : (b.provingMs / 1000).toFixed(1),
      String(b.attempts),
      b.txDigest ?? "-",
      b.error ? b.error.slice(0, 60) : "",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

export interface SettleStatus {
  settings: SettlementSettings;
  counts: Record<BatchState, number>;
  batches: BatchRecord[];
  onChain: string | null;
}

/**
 * The settlement as this database has it, and the registry when a node is given.
 *
 * @example
 * const status = await readSettleStatus(database, { limit: "20" });
 */
export async function readSettleStatus(database: Database, flags: SuiFlags & { limit?: string }): Promise<SettleStatus> {
  const settings = await requireSettings(database);
  const repository = createBatchRepository(database);
  const limit = Number(flags.limit ?? "20");
  const counts = await repository.countByState();
  const head = await repository.head();
  const after = head && head.batch > BigInt(limit) ? head.batch - BigInt(limit) : -1n;
  const batches = await repository.list({ afterBatch: after, limit });
  let onChain: string | null = null;
  if (settings.registryId && (flags.suiRpc ?? process.env.SUI_RPC_URL)) {
    const chain = openSuiChain(suiSettings(flags), settings.packageId);
    try {
      const confirmed = (await repository.lastConfirmed())?.batch ?? 0n;
      onChain = formatOnChainStatus(await readOnChainStatus(chain, settings, confirmed));
    } finally {
      chain.close();
    }
  }
  return { settings, counts, batches, onChain };
}

function settingsRows(s: SettlementSettings): [string, string][] {
  const { checkpoint, offset } = decodeCursor(s.startCursor);
  return [
    ["tracking", s.trackingJson],
    ["depth / batch size", `${s.depth} / ${s.batchSize}`],
    ["max span", `${s.maxSpan} checkpoints`],
    ["start cursor", `${s.startCursor} (checkpoint ${checkpoint}, offset ${offset})`],
    ["registry", s.registryId ?? "none (run settle init)"],
  ];
}

/** Opens the database, runs `fn`, reports errors, closes everything. */
async function withDatabase(common: Common, what: string, fn: (database: Database) => Promise<void>): Promise<void> {
  const database = await openDatabase();
  try {
    await fn(database);
  } catch (error) {
    common.logger.error({ err: error, ...(error instanceof BaseError ? { details: error.details } : {}) }, error instanceof Error ? error.message : `${what} failed`);
    process.exitCode = 1;
  } finally {
    await database.close();
    await common.shutdown.stop(`${what} finished`);
  }
}

function runCommand(name: "run" | "once"): Command {
  const command = new Command(name).description(
    name === "run"
      ? "Follow the indexer: plan batches, prove them in parallel, post them in order, until SIGINT/SIGTERM"
      : "Settle everything the indexer has committed, then exit",
  );
  addProvingOptions(command);
  addSuiOptions(command);
  return command
    .option("--no-post", "prove only: keep proved batches, send nothing to Sui")
    .option("--poll-ms <ms>", "wait between polls of the indexer and the chain when idle (default 2000)")
    .option("--json", "print the summary as JSON")
    .action(async (flags: SettleRunFlags) => {
      const common = createCommon();
      if (name === "run") stopOnSignals(common.shutdown, (signal) => common.logger.info({ signal }, "stopping: the open batch is abandoned, planned batches stay"));
      await withDatabase(common, `settle ${name}`, async (database) => {
        const summary = await runSettle(common, database, flags, name === "run" ? "follow" : "once");
        process.stdout.write(`${flags.json ? json(summary) : table(summaryRows(summary))}\n`);
      });
    });
}

function statusCommand(): Command {
  const command = new Command("status").description("A table of batches and their states, and the registry on chain (with --sui-rpc or SUI_RPC_URL)");
  addSuiOptions(command);
  return command
    .option("--limit <n>", "latest batches shown (default 20)")
    .option("--json", "print as JSON")
    .action(async (flags: SuiFlags & { limit?: string; json?: boolean }) => {
      const common = createCommon();
      await withDatabase(common, "settle status", async (database) => {
        const status = await readSettleStatus(database, flags);
        if (flags.json) {
          const settings = { ...status.settings, trackingHash: Buffer.from(status.settings.trackingHash).toString("hex") };
          process.stdout.write(`${json({ ...status, settings })}\n`);
          return;
        }
        const counts = Object.entries(status.counts).map(([state, n]) => `${state} ${n}`).join(", ");
        process.stdout.write(
          [
            "Settlement",
            table(settingsRows(status.settings)).replace(/^/gm, "  "),
            `  batches             ${counts}`,
            "",
            formatBatches(status.batches),
            "",
            status.onChain ?? "On chain: not queried (give --sui-rpc or set SUI_RPC_URL)",
          ].join("\n") + "\n",
        );
      });
    });
}

function configureCommand(): Command {
  const command = new Command("configure").description(
    "Configure the settlement without creating a registry (to prove with --no-post; `settle init` does this and more)",
  );
  addSettlementOptions(command);
  return command.action(async (flags: SettlementFlags) => {
    const common = createCommon();
    await withDatabase(common, "settle configure", async (database) => {
      const settings = await configureSettlement(database, settlementInputFromFlags(flags));
      process.stdout.write(`${table(settingsRows(settings))}\n`);
    });
  });
}

interface WorkerFlags extends ProvingFlags {
  depth?: string;
  batchSize?: string;
  name?: string;
}

function workerCommand(): Command {
  const command = new Command("worker").description("Take proving jobs from the BullMQ queue (--queue redis://…) until SIGINT/SIGTERM");
  addProvingOptions(command);
  return command
    .option("--depth <n>", "circuit depth (default: the settlement's, from this machine's database)")
    .option("--batch-size <n>", "circuit B (default: the settlement's)")
    .option("--name <name>", "worker name in results and logs (default host-pid)")
    .action(async (flags: WorkerFlags) => {
      const common = createCommon();
      stopOnSignals(common.shutdown, (signal) => common.logger.info({ signal }, "stopping: finishing the jobs in hand"));
      await withDatabase(common, "settle worker", async (database) => {
        if (!flags.queue) throw new NonRetryableError("settle worker needs --queue redis://…");
        const settings = await readSettings(database);
        const depth = flags.depth !== undefined ? Number(flags.depth) : settings?.depth;
        const batchSize = flags.batchSize !== undefined ? Number(flags.batchSize) : settings?.batchSize;
        if (depth === undefined || batchSize === undefined) throw new NonRetryableError("give --depth and --batch-size (no settlement configured here)");
        const circuit = { depth, batchSize };
        const artifacts = await provingArtifacts(flags, circuit, common.logger);
        const threads = flags.threads === undefined ? undefined : Number(flags.threads);
        const worker = startQueueWorker(common, {
          redisUrl: flags.queue,
          artifacts,
          circuit,
          ...(flags.queueName ? { queueName: flags.queueName } : {}),
          ...(threads ? { threads } : {}),
          ...(flags.name ? { name: flags.name } : {}),
        });
        common.logger.info({ worker: worker.name, depth, batchSize }, "proving worker started");
        await new Promise<void>((resolve) => common.shutdown.signal.addEventListener("abort", () => resolve(), { once: true }));
        await worker.close();
      });
    });
}

/**
 * @example
 * program.addCommand(createSettleCommand());
 */
export function createSettleCommand(): Command {
  return new Command("settle")
    .description("Settle the indexed object state on Sui: batches proven with Groth16, posted to the registry")
    .addCommand(createSettleInitCommand())
    .addCommand(configureCommand())
    .addCommand(runCommand("run"))
    .addCommand(runCommand("once"))
    .addCommand(statusCommand())
    .addCommand(workerCommand());
}
