/**
 * `sui-zk-indexer serve`: the query API over HTTP, on the configured database (PGlite in
 * `.data/` by default, PostgreSQL with `DATABASE_URL`), until SIGINT/SIGTERM.
 *
 * Port: `--port`, else `$PORT`, else 3000. Cursor HMAC key: `$API_CURSOR_SECRET` (at least
 * 16 bytes; share it between replicas so that cursors survive restarts and load balancing),
 * else a random key per process.
 */
import { Command } from "commander";
import { createApi } from "../../api/app.ts";
import { startApiServer } from "../../api/server.ts";
import { createCommon, type Common } from "../../common/context.ts";
import { NonRetryableError } from "../../common/errors.ts";
import { stopOnSignals } from "../../common/shutdown.ts";
import { openDatabase } from "../../schema/db.ts";

export const DEFAULT_PORT = 3000;

/**
 * The port from the flag, else the environment, else the default.
 *
 * @example
 * parsePort(undefined, "8080"); // 8080
 */
export function parsePort(flag: string | undefined, env: string | undefined): number {
  const value = flag ?? env;
  if (value === undefined || value === "") return DEFAULT_PORT;
  const port = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new NonRetryableError("Invalid port", { details: { port: value, from: flag !== undefined ? "--port" : "PORT" } });
  }
  return port;
}

/**
 * The cursor HMAC key from `$API_CURSOR_SECRET`, or undefined for a random one.
 *
 * @example
 * cursorSecretFrom(process.env.API_CURSOR_SECRET);
 */
export function cursorSecretFrom(env: string | undefined): Uint8Array | undefined {
  if (env === undefined || env === "") return undefined;
  const bytes = new TextEncoder().encode(env);
  if (bytes.length < 16) throw new NonRetryableError("API_CURSOR_SECRET must be at least 16 bytes");
  return bytes;
}

export interface RunServeOptions {
  port: number;
  host: string;
  common: Common;
  cursorSecret?: Uint8Array;
}

/**
 * Serves until `common.shutdown` stops; then closes the server, then the database.
 *
 * @example
 * await runServe({ port: 3000, host: "0.0.0.0", common: createCommon() });
 */
export async function runServe(options: RunServeOptions): Promise<void> {
  const { common } = options;
  const database = await openDatabase({ maxConnections: 16 });
  const stopped = new Promise<void>((resolve) => common.shutdown.onStop(resolve));
  // onStop callbacks run in reverse: the server stops taking requests before the database closes.
  common.shutdown.onStop(() => database.close());
  const app = createApi({ database, common, cursorSecret: options.cursorSecret });
  const server = await startApiServer({ app, port: options.port, hostname: options.host });
  common.shutdown.onStop(() => server.close());
  common.logger.info({ port: server.port, host: options.host, database: database.location }, "API listening");
  await stopped;
  common.logger.info("API stopped");
}

/**
 * @example
 * program.addCommand(createServeCommand()); // sui-zk-indexer serve --port 3000
 */
export function createServeCommand(): Command {
  return new Command("serve")
    .description("Serve the query API for dApps over HTTP (OpenAPI document at /openapi.json)")
    .option("--port <port>", `port to listen on (default $PORT, else ${DEFAULT_PORT}; 0 picks a free one)`)
    .option("--host <host>", "address to bind", "0.0.0.0")
    .action(async (flags: { port?: string; host: string }) => {
      const common = createCommon();
      try {
        const port = parsePort(flags.port, process.env.PORT);
        const cursorSecret = cursorSecretFrom(process.env.API_CURSOR_SECRET);
        stopOnSignals(common.shutdown, (signal) => common.logger.info({ signal }, "stopping"));
        await runServe({ port, host: flags.host, common, cursorSecret });
      } catch (error) {
        common.logger.error({ err: error }, "serve failed");
        await common.shutdown.stop("serve failed");
        process.exitCode = 1;
      }
    });
}
