/**
 * How far the change stream may be read: the indexer's object_versions watermark (and the
 * packages one when the tracking filter maps package upgrades), never beyond.
 */
import type { Database } from "../../schema/db.ts";

/**
 * The highest checkpoint whose stream rows are all committed, or null before the indexer
 * committed any.
 *
 * @example
 * const watermark = await readStreamWatermark(database, false);
 */
export async function readStreamWatermark(database: Pick<Database, "query">, withPackages: boolean): Promise<bigint | null> {
  const pipelines = withPackages ? ["object_versions", "packages"] : ["object_versions"];
  const rows = await database.query<{ pipeline: string; checkpoint_hi_inclusive: bigint }>(
    `SELECT pipeline, checkpoint_hi_inclusive FROM watermarks WHERE pipeline = ANY($1::text[])`,
    [pipelines],
  );
  if (rows.length < pipelines.length) return null;
  return rows.reduce((min, r) => (BigInt(r.checkpoint_hi_inclusive) < min ? BigInt(r.checkpoint_hi_inclusive) : min), BigInt(rows[0]!.checkpoint_hi_inclusive));
}
