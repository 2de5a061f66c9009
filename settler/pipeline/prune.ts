/**
 * Deletes tree versions nobody can read any more: for each position, every version older
 * than the newest one at or below the last confirmed batch. What stays is the tree as of
 * the settled root (the API's answers) and everything newer (proofs running ahead, and
 * what a rollback needs). Without this the tables grow by depth + 1 rows per update.
 */
import type { Database } from "../../schema/db.ts";

/**
 * Prunes through `confirmed` (the last confirmed batch) and records it.
 *
 * @example
 * await pruneTreeVersions(database, 41n); // { nodes: 1234, leaves: 17 }
 */
export async function pruneTreeVersions(database: Database, confirmed: bigint): Promise<{ nodes: number; leaves: number }> {
  return database.transaction(async (tx) => {
    const [config] = await tx.query<{ pruned_through: bigint }>(
      `SELECT pruned_through FROM settlement_config WHERE id = 1 FOR UPDATE`,
    );
    if (!config) return { nodes: 0, leaves: 0 };
    const from = BigInt(config.pruned_through);
    if (confirmed <= from) return { nodes: 0, leaves: 0 };
    // A version written in (from, confirmed] supersedes every older version of its position.
    const [nodes] = await tx.query<{ n: bigint }>(
      `WITH d AS (
         DELETE FROM tree_nodes o USING tree_nodes n
         WHERE n.batch > $1 AND n.batch <= $2 AND o.level = n.level AND o.index = n.index AND o.batch < n.batch
         RETURNING 1)
       SELECT count(*) AS n FROM d`,
      [from, confirmed],
    );
    const [leaves] = await tx.query<{ n: bigint }>(
      `WITH d AS (
         DELETE FROM tree_leaves o USING tree_leaves n
         WHERE n.batch > $1 AND n.batch <= $2 AND o.index = n.index AND o.batch < n.batch
         RETURNING 1)
       SELECT count(*) AS n FROM d`,
      [from, confirmed],
    );
    await tx.query(`UPDATE settlement_config SET pruned_through = $1, updated_at = now() WHERE id = 1`, [confirmed]);
    return { nodes: Number(nodes?.n ?? 0), leaves: Number(leaves?.n ?? 0) };
  });
}
