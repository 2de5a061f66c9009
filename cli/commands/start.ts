/**
 * `sui-zk-indexer start` (`npm start`): the main job. Indexes the configured source into
 * the database (PGlite in `.data/` by default, PostgreSQL with `DATABASE_URL`) and serves
 * the query API, `/health`, `/ready` and `/metrics` from the same process.
 *
 * With no configuration it follows Sui mainnet from its current tip over gRPC
 * (`https://fullnode.mainnet.sui.io:443`; needs network access). It takes the source flags
 * of `index` (`--from-dir DIR`, `--remote-store URL`, first/last checkpoint, …) plus the
 * network, pipeline-ownership and HTTP flags below; see cli/config.ts for the environment
 * variables and the config file. Exit codes: 0 after SIGINT/SIGTERM (the open batch is
 * committed whole or not at all, connections closed), 1 on failure.
 */
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { createCommon } from "../../common/context.ts";
import { BaseError } from "../../common/errors.ts";
import { stopOnSignals } from "../../common/shutdown.ts";
import { DEFAULT_CONFIG_FILE, DEFAULT_READY_MAX_LAG, loadConfigFile, resolveStartConfig, type StartFlags } from "../config.ts";
import { addSourceOptions } from "../options/source.ts";
import { runService } from "../service/run.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * @example
 * program.addCommand(createStartCommand()); // sui-zk-indexer start --network testnet --port 8080
 */
export function createStartCommand(): Command {
  return addSourceOptions(
    new Command("start").description(
      "Index a Sui network (default: mainnet over gRPC, from its tip) or checkpoint files into the database, and serve the API, /ready and /metrics",
    ),
  )
    .addOption(new Option("--network <name>", "mainnet or testnet: the default full node and checkpoint store (default mainnet)").conflicts("fromDir"))
    .addOption(new Option("--grpc <url>", "a full node's gRPC endpoint, https://host:443 or http://host:port (user:pass@ for basic auth)").conflicts("fromDir"))
    .option("--grpc-header <header>", "metadata for every gRPC call, `Name: value` (repeatable), e.g. an API key", collect)
    .option("--no-subscribe", "poll the full node at the tip instead of subscribing to checkpoints")
    .option("--pipelines <names>", "the pipelines this process owns, comma-separated (default: all)")
    .addOption(new Option("--on-locked <mode>", "when another process owns one of them: wait for it, or exit (default wait)").choices(["wait", "exit"]))
    .option("--min-concurrency <n>", "lowest adaptive fetch concurrency (default 2)")
    .option("--port <port>", "HTTP port (default $PORT, else 3000; 0 picks a free one)")
    .option("--host <host>", "address to bind (default $HOST, else 0.0.0.0)")
    .option("--ready-max-lag <n>", `/ready answers 200 within this many checkpoints of the tip (default ${DEFAULT_READY_MAX_LAG})`)
    .option("--config <file>", `a config file (default ./${DEFAULT_CONFIG_FILE} when present, or $SUI_ZK_INDEXER_CONFIG)`)
    .action(async (flags: StartFlags) => {
      // An operator's .env next to the process, without overriding the real environment.
      if (existsSync(".env")) process.loadEnvFile(".env");
      const common = createCommon();
      try {
        const file = await loadConfigFile(flags.config ?? (process.env.SUI_ZK_INDEXER_CONFIG || undefined));
        const config = await resolveStartConfig(flags, process.env, file);
        stopOnSignals(common.shutdown, (signal) => common.logger.info({ signal }, "stopping: finishing the open batch"));
        const result = await runService(common, config);
        const indexing = result.indexing;
        common.logger.info(
          indexing
            ? { stoppedBy: indexing.stoppedBy, lastCommitted: indexing.lastCommitted?.toString() ?? null, checkpoints: indexing.checkpoints, transactions: indexing.transactions, rows: indexing.rows }
            : { stoppedBy: "shutdown", checkpoints: 0 },
          "stopped",
        );
      } catch (error) {
        common.logger.error({ err: error, ...(error instanceof BaseError ? { details: error.details } : {}) }, error instanceof Error ? error.message : "start failed");
        process.exitCode = 1;
      } finally {
        await common.shutdown.stop("start finished");
      }
    });
}
