/**
 * Undoing rejected batches. When the poster marks batch k `failed` (rejected for good),
 * the batches planned after it were built on its tree and are void: they are marked
 * failed too, every tree version of batch k and later is deleted, and the head moves back
 * to batch k - 1, so k is planned again from k - 1's cursor. One transaction: a crash
 * leaves either the old state or the rolled-back one.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import type { PgTreeStore } from "../store/pg-tree-store.ts";
import { readTreeHead } from "../store/pg-tree-store.ts";

export interface Rollback {
  /** The rejected batch. */
  rejected: bigint;
  /** The new head: rejected - 1. */
  head: bigint;
  /** Later batches abandoned with it. */
  abandoned: bigint[];
}

/**
 * Rolls back behind the lowest failed batch that has no live replacement, if any.
 *
 * @example
 * const rollback = await rollbackRejected(database, store);
 * if (rollback) logger.warn(rollback, "rolled back");
 */
export async function rollbackRejected(database: Database, store: PgTreeStore): Promise<Rollback | null> {
  const rollback = await database.transaction(async (tx) => {
    const [row] = await tx.query<{ batch: bigint | null; error: string | null }>(
      `SELECT f.batch, f.error FROM settlement_batches f
       WHERE f.state = 'failed'
         AND NOT EXISTS (SELECT 1 FROM settlement_batches l WHERE l.batch = f.batch AND l.state <> 'failed')
         AND (EXISTS (SELECT 1 FROM settlement_batches l WHERE l.batch > f.batch AND l.state <> 'failed')
              OR EXISTS (SELECT 1 FROM tree_leaves t WHERE t.batch >= f.batch)
              OR EXISTS (SELECT 1 FROM tree_nodes t WHERE t.batch >= f.batch))
       ORDER BY f.batch LIMIT 1`,
    );
    if (!row || row.batch === null) return null;
    const rejected = BigInt(row.batch);
    const confirmedAfter = await tx.query<{ batch: bigint }>(
      `SELECT batch FROM settlement_batches WHERE batch > $1 AND state = 'confirmed' LIMIT 1`,
      [rejected],
    );
    if (confirmedAfter.length > 0) {
      throw new NonRetryableError("a batch after the rejected one is confirmed: the batch history is inconsistent", {
        details: { rejected, confirmed: BigInt(confirmedAfter[0]!.batch) },
      });
    }
    const abandoned = await tx.query<{ batch: bigint }>(
      `UPDATE settlement_batches SET state = 'failed', updated_at = now(),
         error = 'rolled back: built on batch ' || $1::text || ', which was rejected'
       WHERE batch > $1 AND state <> 'failed' RETURNING batch`,
      [rejected],
    );
    await tx.query(`DELETE FROM tree_nodes WHERE batch >= $1`, [rejected]);
    await tx.query(`DELETE FROM tree_leaves WHERE batch >= $1`, [rejected]);
    return {
      rejected,
      head: rejected - 1n,
      abandoned: abandoned.map((r) => BigInt(r.batch)).sort((a, b) => (a < b ? -1 : 1)),
    };
  });
  if (rollback) store.reset(await readTreeHead(database));
  return rollback;
}
