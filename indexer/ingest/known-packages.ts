import type { Database } from "../../schema/db.ts";
import type { KnownPackage } from "../pipelines/index.ts";

/**
 * The package versions already indexed whose original id is one of `originalIds`: seeds
 * the package filter's storage id -> original id map on (re)start.
 *
 * @example
 * const filter = createPackageFilter(ids, await loadKnownPackages(database, ids));
 */
export async function loadKnownPackages(database: Pick<Database, "query">, originalIds: readonly string[]): Promise<KnownPackage[]> {
  const rows = await database.query<{ storage_id: string; original_id: string }>(
    `SELECT storage_id, original_id FROM packages WHERE original_id = ANY($1::text[])`,
    [[...originalIds]],
  );
  return rows.map((r) => ({ storageId: r.storage_id, originalId: r.original_id }));
}
