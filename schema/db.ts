/**
 * The one place that opens a database: embedded PGlite by default (under `.data/pglite`,
 * or `$SUI_ZK_INDEXER_DATA_DIR/pglite`), PostgreSQL through postgres.js when a URL is
 * given (`DATABASE_URL`). Both get the same migrations, the same drizzle API, and the same
 * raw transaction interface with a COPY fast path, so every caller and test runs on both.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { projectRoot } from "../common/fixtures.ts";
import { NonRetryableError, RetryableError } from "../common/errors.ts";
import * as tables from "./index.ts";

export type DatabaseKind = "pglite" | "postgres";
export type Tables = typeof tables;
/** The drizzle database, typed the same for both drivers. */
export type DrizzleDb = PgDatabase<PgQueryResultHKT, Tables>;

/** A value a raw query may bind. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array | SqlValue[];
export type SqlRow = Record<string, unknown>;

/** Raw SQL inside one database transaction: what the committer writes through. */
export interface SqlTransaction {
  /** A parameterized statement (`$1`, `$2`, …); int8 comes back as bigint on both drivers. */
  query<T extends SqlRow = SqlRow>(text: string, params?: SqlValue[]): Promise<T[]>;
  /**
   * `COPY table (columns) FROM STDIN` in text format: `data` is already encoded
   * (tab-separated, `\N` for null; `toCopyText` in indexer/commit/columnar.ts). A rejected
   * COPY rejects (and the transaction rolls back) on both drivers.
   */
  copyIn(table: string, columns: readonly string[], data: string): Promise<void>;
}

export interface Database {
  readonly kind: DatabaseKind;
  readonly db: DrizzleDb;
  /** The Postgres schema the tables live in (search_path); null on PGlite. */
  readonly schema: string | null;
  /** Where the data lives: the PGlite folder, or the Postgres URL without its password. */
  readonly location: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** PGlite only: the whole data folder as a tarball, for `loadDataDir` (test templates). */
  dumpDataDir?(): Promise<Blob>;
  /**
   * Takes session-level advisory locks on every key, or none: `null` when another session
   * holds one. Held until `release()` or until the process dies (its connection closes).
   * PGlite is one process per data folder: always granted.
   */
  tryLock(keys: readonly string[]): Promise<{ release(): Promise<void> } | null>;
  /** A raw statement outside any explicit transaction. */
  query<T extends SqlRow = SqlRow>(text: string, params?: SqlValue[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; default `process.env.DATABASE_URL`. Without one, PGlite is used. */
  url?: string;
  /** PGlite's folder parent; default `$SUI_ZK_INDEXER_DATA_DIR` or `.data`. `memory://` keeps it in memory. */
  dataDir?: string;
  /**
   * Postgres only: the schema to create and use (search_path, and where the migrations
   * table lives); default `process.env.DATABASE_SCHEMA`, else public. Isolates tests, or
   * several indexers sharing one database.
   */
  schema?: string;
  /** Apply the committed migrations (default true). */
  migrate?: boolean;
  /** PGlite only: start from a `dumpDataDir()` tarball instead of an empty cluster. */
  loadDataDir?: Blob;
  /** postgres.js pool size (default 4). */
  maxConnections?: number;
  /**
   * Postgres only: run parameterized queries as named prepared statements, planned once per
   * connection (default true; `DATABASE_PREPARE=false` turns it off, e.g. behind PgBouncer
   * in transaction mode, which cannot keep a session's statements).
   */
  prepare?: boolean;
}

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));
const MEMORY = "memory://";

/**
 * Opens the configured database and applies the migrations.
 *
 * @example
 * const database = await openDatabase(); // PGlite in .data/, or DATABASE_URL
 * const rows = await database.db.select().from(watermarks);
 * await database.close();
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const url = options.url ?? process.env.DATABASE_URL;
  return url ? openPostgres(url, options) : openPglite(options);
}

/** The default data folder: `$SUI_ZK_INDEXER_DATA_DIR`, else `.data` in the project root. */
export function defaultDataDir(): string {
  return resolve(process.env.SUI_ZK_INDEXER_DATA_DIR ?? resolve(projectRoot, ".data"));
}

async function openPglite(options: OpenDatabaseOptions): Promise<Database & { pglite: PGlite }> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const inMemory = dataDir === MEMORY;
  const folder = inMemory ? MEMORY : resolve(dataDir, "pglite");
  if (!inMemory) mkdirSync(folder, { recursive: true });
  // int8 as bigint: PGlite's default (number) loses precision above 2^53.
  const pglite = await PGlite.create(inMemory ? undefined : folder, {
    parsers: { [pgliteTypes.INT8]: (value: string) => BigInt(value) },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const db = drizzlePglite(pglite, { schema: tables }) as unknown as DrizzleDb;
  if (options.migrate ?? true) {
    try {
      await migratePglite(db as never, { migrationsFolder });
    } catch (error) {
      await pglite.close();
      throw error;
    }
  }
  const runner = (client: Pick<PGlite, "query">) => ({
    async query<T extends SqlRow>(text: string, params: SqlValue[] = []): Promise<T[]> {
      return (await client.query<T>(text, params.map(toPgliteParam))).rows;
    },
    async copyIn(table: string, columns: readonly string[], data: string): Promise<void> {
      await client.query(`COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(", ")}) FROM '/dev/blob'`, [], {
        blob: new Blob([data]),
      });
    },
  });
  return {
    kind: "pglite",
    db,
    schema: null,
    location: folder,
    pglite,
    transaction: (fn) => pglite.transaction((tx) => fn(runner(tx))),
    dumpDataDir: () => pglite.dumpDataDir("none"),
    tryLock: async () => ({ release: async () => {} }),
    query: (text, params) => runner(pglite).query(text, params),
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const schema = options.schema ?? (process.env.DATABASE_SCHEMA || null);
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new NonRetryableError("Invalid schema name", { details: { schema } });
  }
  const sql = postgres(url, {
    max: options.maxConnections ?? 4,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
    ...(schema ? { connection: { search_path: schema } } : {}),
  });
  try {
    if (schema) await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    else await sql`SELECT 1`;
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new RetryableError("Cannot connect to PostgreSQL", { details: { url: redactUrl(url) }, cause: error });
  }
  const db = drizzlePostgres(sql, { schema: tables }) as unknown as DrizzleDb;
  if (options.migrate ?? true) {
    try {
      await migratePostgresLocked(sql, db, schema ?? "drizzle");
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
  }
  // The statements are few and fixed (the queries are built from a small set of shapes, every
  // value bound), so each connection's cache stays small. After five runs Postgres may keep a
  // generic plan, blind to the values: every list's index yields its exact order, so that
  // plan never sorts a popular key's rows (it once sorted 27,000 of one owner's: 880 ms).
  const prepare = options.prepare ?? !/^(0|false|no|off)$/i.test(process.env.DATABASE_PREPARE ?? "");
  const runner = (client: postgres.Sql) => ({
    async query<T extends SqlRow>(text: string, params: SqlValue[] = []): Promise<T[]> {
      const values = params.map(toPostgresParam) as postgres.ParameterOrJSON<never>[];
      return (await client.unsafe(text, values, { prepare: prepare && params.length > 0 })) as unknown as T[];
    },
    async copyIn(table: string, columns: readonly string[], data: string): Promise<void> {
      const query = client.unsafe(`COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(", ")}) FROM STDIN`);
      // postgres.js 3.4 never settles a COPY writable that the server rejects after the data
      // was sent (porsager/postgres#1173): the transaction would hang and the error be lost.
      // The error still reaches the query's `reject`, a no-op once the query has resolved to
      // the stream: listen there, and fail the copy with it.
      const hooked = query as unknown as { reject: (error: unknown) => void };
      const original = hooked.reject;
      let failCopy: (error: unknown) => void = () => {};
      const failed = new Promise<never>((_, reject) => (failCopy = reject));
      failed.catch(() => {});
      hooked.reject = (error) => {
        failCopy(error);
        original(error);
      };
      const writable = await query.writable();
      await Promise.race([pipeline(Readable.from(chunked(data)), writable), failed]);
    },
  });
  return {
    kind: "postgres",
    db,
    schema,
    location: redactUrl(url) + (schema ? ` (schema ${schema})` : ""),
    transaction: (fn) => sql.begin((tx) => fn(runner(tx as unknown as postgres.Sql))) as Promise<never>,
    query: (text, params) => runner(sql).query(text, params),
    tryLock: (keys) => tryAdvisoryLocks(sql, keys.map((key) => `${schema ?? "public"}:${key}`)),
    close: () => sql.end({ timeout: 5 }),
  };
}

/** Applies the committed migrations; concurrent starters wait on an advisory lock. */
async function migratePostgresLocked(sql: postgres.Sql, db: DrizzleDb, migrationsSchema: string): Promise<void> {
  // A session-level lock needs one connection for lock and unlock: reserve it.
  const lockConnection = await sql.reserve();
  const key = `sui-zk-indexer:migrate:${migrationsSchema}`;
  try {
    await lockConnection`SELECT pg_advisory_lock(hashtext(${key}))`;
    await migratePostgres(db as never, { migrationsFolder, migrationsSchema });
  } finally {
    await lockConnection`SELECT pg_advisory_unlock(hashtext(${key}))`.catch(() => {});
    lockConnection.release();
  }
}

async function tryAdvisoryLocks(sql: postgres.Sql, keys: readonly string[]): Promise<{ release(): Promise<void> } | null> {
  // Session-level locks live on one connection: reserve it for as long as they are held.
  const connection = await sql.reserve();
  const held: string[] = [];
  const release = async () => {
    for (const key of held) await connection`SELECT pg_advisory_unlock(hashtext(${key}))`.catch(() => {});
    connection.release();
  };
  try {
    for (const key of keys) {
      const [row] = await connection<{ locked: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${key})) AS locked`;
      if (!row?.locked) {
        await release();
        return null;
      }
      held.push(key);
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { release };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid url>";
  }
}

function toPgliteParam(value: SqlValue): unknown {
  return value;
}

function toPostgresParam(value: SqlValue): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return value;
}

/** Splits a large COPY payload so the socket gets it in pieces, not one huge write. */
function* chunked(data: string, size = 1 << 20): Generator<string> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}
