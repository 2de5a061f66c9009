/**
 * One settler per database: the tree store's cache and the strict batch sequence assume a
 * single writer. On Postgres the settler holds a transaction-scoped advisory lock for its
 * whole life (an idle transaction at READ COMMITTED holds no snapshot, so it does not
 * hold back vacuum); PGlite is embedded in one process, which already makes it exclusive.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";

export interface SettlerLock {
  release(): Promise<void>;
}

/** Per schema: settlements in different schemas of one server are independent. */
function lockKey(database: Database): string {
  return `sui-zk-indexer:settler:${database.schema ?? "public"}`;
}

/**
 * @example
 * const lock = await acquireSettlerLock(database);
 * try { await settler.run(); } finally { await lock.release(); }
 */
export async function acquireSettlerLock(database: Database): Promise<SettlerLock> {
  if (database.kind !== "postgres") return { release: async () => {} };
  const key = lockKey(database);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let acquired!: (ok: boolean) => void;
  const ready = new Promise<boolean>((resolve) => (acquired = resolve));
  const holder = database
    .transaction(async (tx) => {
      const [row] = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [key]);
      acquired(Boolean(row?.ok));
      if (row?.ok) await released;
    })
    .catch((error: unknown) => {
      acquired(false);
      throw error;
    });
  // A lost connection later surfaces in release(), not as an unhandled rejection.
  holder.catch(() => {});
  if (!(await ready)) {
    await holder.catch(() => {});
    throw new NonRetryableError("another settler is running on this database", { details: { lock: key } });
  }
  return {
    release: async () => {
      release();
      await holder;
    },
  };
}
