/**
 * Package id -> original id, from the indexer's packages table (every published or
 * upgraded version it indexed). An id it does not know is its own original: a package
 * published before the indexer's first checkpoint is matched only by the ids listed.
 */
import type { Database } from "../../schema/db.ts";

export interface PackageOriginals {
  /** Loads the ids not known yet (one query). */
  load(ids: Iterable<string>): Promise<void>;
  /** The original id of a loaded (or unknown) package id. */
  originalOf(id: string): string;
}

/**
 * @example
 * const originals = createPackageOriginals(database);
 * await originals.load(filter.packageIdsOf(state));
 * filter.matches(state);
 */
export function createPackageOriginals(database: Pick<Database, "query">): PackageOriginals {
  // Package ids are few (tens of thousands on mainnet), and the mapping never changes.
  const known = new Map<string, string>();
  return {
    async load(ids) {
      const missing = [...new Set(ids)].filter((id) => !known.has(id));
      if (missing.length === 0) return;
      const rows = await database.query<{ storage_id: string; original_id: string }>(
        `SELECT DISTINCT storage_id, original_id FROM packages WHERE storage_id = ANY($1::text[])`,
        [missing],
      );
      for (const id of missing) known.set(id, id);
      for (const row of rows) known.set(row.storage_id, row.original_id);
    },
    originalOf: (id) => known.get(id) ?? id,
  };
}
