/**
 * Pipeline ownership across processes: each pipeline is owned by exactly one indexer
 * process at a time, through a session-level Postgres advisory lock held on a dedicated
 * connection for the life of the process. Operators split pipelines across machines with
 * `--pipelines`; a process asking for a taken pipeline waits for it or exits, naming the
 * pipeline and the process (backend pid, application, client address) that holds it.
 *
 * The lock key hashes the schema and the pipeline name, so separate schemas (or databases)
 * never contend. A dropped connection silently drops its locks; a heartbeat notices (the
 * backend pid changes or the query fails) and reports the loss, and the committer's
 * watermark compare-and-set still keeps a second writer from committing twice meanwhile.
 * PGlite is one process by construction: nothing to lock.
 */
import type { Common } from "../common/context.ts";
import { NonRetryableError } from "../common/errors.ts";
import { openDatabase, type Database } from "../schema/db.ts";
import { sleep } from "./ingest/backoff.ts";
import type { PipelineName } from "./pipelines/index.ts";

export type OnLocked = "wait" | "exit";

export interface PipelineLockOptions {
  /** The Postgres URL the indexer writes to; null for PGlite (no locks needed). */
  url: string | null;
  /** The Postgres schema (search_path) the tables live in, when not the default. */
  schema?: string | null;
  pipelines: readonly PipelineName[];
  /** A taken pipeline: wait until it is free (default), or fail at once. */
  onLocked?: OnLocked;
  /** How often a waiting process tries again (default 2 s). */
  retryMs?: number;
  /** How often the held locks are checked (default 10 s). */
  heartbeatMs?: number;
  /** Called once if the locks are lost (the connection dropped): stop indexing. */
  onLost?(error: NonRetryableError): void;
}

export interface PipelineLocks {
  readonly pipelines: readonly PipelineName[];
  /** Releases every lock and closes the connection (idempotent). */
  release(): Promise<void>;
}

interface Holder extends Record<string, unknown> {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
}

/** The lock key of a pipeline (SQL expression over `name`): its schema and name, hashed to a bigint. */
const lockKey = (name: string) => `hashtextextended('sui-zk-indexer:pipeline:' || current_schema() || ':' || ${name}, 0)`;

/**
 * @example
 * const locks = await acquirePipelineLocks(common, { url: process.env.DATABASE_URL ?? null, pipelines: ["events"], onLocked: "exit" });
 * try { await indexer.run(); } finally { await locks.release(); }
 */
export async function acquirePipelineLocks(common: Common, options: PipelineLockOptions): Promise<PipelineLocks> {
  const pipelines = [...options.pipelines];
  if (!options.url) return { pipelines, release: async () => {} };
  const logger = common.logger.child({ component: "pipeline-locks" });
  const retryMs = options.retryMs ?? 2_000;
  // One connection: session-level locks belong to the session that took them.
  const connection = await openDatabase({ url: options.url, schema: options.schema ?? undefined, migrate: false, maxConnections: 1 });
  const held = new Set<PipelineName>();
  let heartbeat: NodeJS.Timeout | undefined;
  let released = false;

  const release = async () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    try {
      if (held.size > 0) await connection.query(`SELECT pg_advisory_unlock(${lockKey("p")}) FROM unnest($1::text[]) AS p`, [[...held]]);
    } catch (error) {
      logger.warn({ err: error }, "could not release pipeline locks: they go with the connection");
    } finally {
      held.clear();
      await connection.close();
    }
  };

  try {
    const [{ pid }] = (await connection.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")) as [{ pid: number }];
    for (let attempt = 0; ; attempt++) {
      for (const pipeline of pipelines) {
        if (held.has(pipeline)) continue;
        const [row] = await connection.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${lockKey("$1")}) AS locked`, [pipeline]);
        if (row?.locked) held.add(pipeline);
      }
      const taken = pipelines.filter((p) => !held.has(p));
      if (taken.length === 0) break;
      const holders = await holdersOf(connection, taken);
      if (options.onLocked === "exit") {
        throw new NonRetryableError("Pipelines are owned by another indexer process: give this one other --pipelines, or --on-locked wait", {
          details: { pipelines: taken.join(","), holders: holders || null },
        });
      }
      if (attempt === 0) logger.warn({ pipelines: taken, holders }, "pipelines are owned by another indexer process: waiting for them");
      await sleep(retryMs, common.shutdown.signal);
    }
    logger.info({ pipelines, backendPid: pid }, "pipelines owned by this process");

    heartbeat = setInterval(() => {
      void connection
        .query<{ pid: number }>("SELECT pg_backend_pid() AS pid")
        .then(([row]) => {
          if (row?.pid !== pid) throw new Error(`reconnected as backend ${row?.pid}`);
        })
        .catch((error: unknown) => {
          if (released) return;
          clearInterval(heartbeat);
          options.onLost?.(
            new NonRetryableError("Lost the pipeline locks: the database connection dropped", {
              cause: error,
              details: { pipelines: pipelines.join(","), backendPid: pid },
            }),
          );
        });
    }, options.heartbeatMs ?? 10_000);
    heartbeat.unref();
    return { pipelines, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Who holds the advisory locks of these pipelines, for the operator: "events: pid 123 (indexer-b, 10.0.0.2)". */
async function holdersOf(connection: Database, pipelines: readonly PipelineName[]): Promise<string> {
  const parts: string[] = [];
  for (const pipeline of pipelines) {
    const rows = await connection.query<Holder>(
      `SELECT l.pid, a.application_name, host(a.client_addr) AS client_addr
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND ((l.classid::bigint << 32) | l.objid::bigint) = ${lockKey("$1")}`,
      [pipeline],
    );
    const who = rows.map((r) => `pid ${r.pid}${r.application_name || r.client_addr ? ` (${[r.application_name, r.client_addr].filter(Boolean).join(", ")})` : ""}`);
    parts.push(`${pipeline}: ${who.join(", ") || "another session"}`);
  }
  return parts.join("; ");
}
