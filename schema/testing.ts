/**
 * Test helpers: a fresh, migrated database per test on either backend, dropped afterwards.
 * PostgreSQL: a new schema in the server at `TEST_DATABASE_URL` (default
 * postgres://postgres@127.0.0.1:5432/postgres); PGlite: in memory.
 */
import { randomBytes } from "node:crypto";
import { openDatabase, quoteIdent, type Database, type DatabaseKind } from "./db.ts";

export const databaseKinds: readonly DatabaseKind[] = ["pglite", "postgres"];

export function testPostgresUrl(): string {
  return process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

/** A unique schema name for one test. */
export function freshSchemaName(prefix = "t"): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

export interface TestDatabase extends Database {
  /** Closes the connection and drops the test schema. */
  destroy(): Promise<void>;
}

/**
 * @example
 * describe.each(databaseKinds)("on %s", (kind) => {
 *   let database: TestDatabase;
 *   beforeEach(async () => { database = await openTestDatabase(kind); });
 *   afterEach(() => database.destroy());
 * });
 */
export async function openTestDatabase(kind: DatabaseKind, schema = freshSchemaName()): Promise<TestDatabase> {
  if (kind === "pglite") {
    // Creating and migrating a PGlite cluster takes seconds; loading a migrated dump is faster.
    const database = await openDatabase({ url: "", dataDir: "memory://", loadDataDir: await pgliteTemplate() });
    return Object.assign(database, { destroy: () => database.close() });
  }
  const url = testPostgresUrl();
  const database = await openDatabase({ url, schema });
  return Object.assign(database, {
    destroy: async () => {
      await database.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await database.close();
    },
  });
}

let template: Promise<Blob> | undefined;

/** A freshly migrated, empty PGlite cluster as a tarball, made once per test worker. */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const database = await openDatabase({ url: "", dataDir: "memory://" });
    try {
      return await database.dumpDataDir!();
    } finally {
      await database.close();
    }
  })();
  return template;
}

/** Drops a schema left by a test that could not clean up (e.g. a killed child process). */
export async function dropSchema(schema: string): Promise<void> {
  const database = await openDatabase({ url: testPostgresUrl(), migrate: false });
  try {
    await database.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await database.close();
  }
}
