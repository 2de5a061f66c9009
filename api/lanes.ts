/**
 * Prefix filters over an index that is not in the listing's order (a type prefix, an
 * emitting package without its module): their matches span many index keys, and reading
 * them in the listing's order would mean sorting a whole history. When the distinct keys
 * are few, they are enumerated with a skip scan (one index descent per key) and the
 * listing reads each key's rows in order from the index ("lanes") and merges them.
 */
import type { TypeFilter } from "./params.ts";
import type { ApiDatabase } from "./sql.ts";

/** Above this many distinct keys, a prefix filter falls back to a plain range condition. */
export const MAX_LANES = 64;

export type PrefixTypeFilter = Exclude<TypeFilter, { kind: "exact" }>;

/**
 * A type prefix as a range `[lo, hi)` in byte order (the text_pattern_ops operators).
 *
 * @example
 * typeRange({ kind: "module", prefix: "0x…::coin::" }); // ["0x…::coin::", "0x…::coin:;"]
 */
export function typeRange(filter: PrefixTypeFilter): [string, string] {
  // ';' sorts right after ':', '=' right after '<'.
  if (filter.kind === "name") return [filter.name, `${filter.name}=`];
  return [filter.prefix, `${filter.prefix.slice(0, -1)};`];
}

/**
 * The distinct types matching a prefix filter in `table` (whose `type` index uses
 * text_pattern_ops), in byte order; null when there are more than MAX_LANES.
 *
 * @example
 * await distinctTypes(database, "events", { kind: "module", prefix: "0x…::pool::" }); // ["0x…::pool::A", …]
 */
export async function distinctTypes(
  database: ApiDatabase,
  table: "events" | "object_versions",
  filter: PrefixTypeFilter,
): Promise<string[] | null> {
  const [lo, hi] = typeRange(filter);
  const rows = await database.query<{ v: string }>(
    `WITH RECURSIVE lanes(v) AS (
       (SELECT type FROM ${table} WHERE type ~>=~ $1 AND type ~<~ $2 ORDER BY type USING ~<~ LIMIT 1)
       UNION ALL
       SELECT (SELECT x.type FROM ${table} x WHERE x.type ~>~ lanes.v AND x.type ~<~ $2 ORDER BY x.type USING ~<~ LIMIT 1)
       FROM lanes WHERE lanes.v IS NOT NULL
     ) SELECT v FROM lanes WHERE v IS NOT NULL LIMIT $3`,
    [lo, hi, MAX_LANES + 1],
  );
  // The range of a struct name also holds longer names (`Coin` .. `Coin=` holds `CoinX`).
  const types = filter.kind === "name" ? rows.map((r) => r.v).filter((v) => v === filter.name || v.startsWith(`${filter.name}<`)) : rows.map((r) => r.v);
  return rows.length > MAX_LANES ? null : types;
}

/**
 * The distinct emitting modules of a package in the events table, or null when there are
 * more than MAX_LANES.
 *
 * @example
 * await distinctModules(database, "0x2c8d…"); // ["pool", "vault"]
 */
export async function distinctModules(database: ApiDatabase, pkg: string): Promise<string[] | null> {
  const rows = await database.query<{ v: string }>(
    `WITH RECURSIVE lanes(v) AS (
       (SELECT module FROM events WHERE package = $1 ORDER BY module LIMIT 1)
       UNION ALL
       SELECT (SELECT e.module FROM events e WHERE e.package = $1 AND e.module > lanes.v ORDER BY e.module LIMIT 1)
       FROM lanes WHERE lanes.v IS NOT NULL
     ) SELECT v FROM lanes WHERE v IS NOT NULL LIMIT $2`,
    [pkg, MAX_LANES + 1],
  );
  return rows.length > MAX_LANES ? null : rows.map((r) => r.v);
}
