/**
 * Two batch transitions the poster needs beyond settler/pipeline/batches.ts, written the
 * same way (a compare-and-set on the current state, so a restarted or duplicate process
 * can never apply one twice):
 *
 *   signed | posted --resign--> signed    the stored transaction is provably dead (an owned
 *                                         input moved on and the digest never executed):
 *                                         new bytes, signatures and digest replace it; the
 *                                         dead digest is kept in `error` for the record
 *   proved | signed | posted --confirmElsewhere--> confirmed
 *                                         the registry already holds exactly this batch's
 *                                         statement (another transaction settled it)
 *
 * Pipeline engineer: these could move into BatchRepository; they only touch the poster's
 * columns.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import type { SignedFields } from "../pipeline/batches.ts";

async function cas(database: Pick<Database, "query">, text: string, params: (string | bigint | Uint8Array | string[])[], what: string, batch: bigint): Promise<void> {
  const rows = await database.query<{ batch: bigint }>(text, params);
  if (rows.length === 0) {
    throw new NonRetryableError(`batch cannot ${what} from its current state`, { details: { batch } });
  }
}

/**
 * Replaces a dead signed transaction with a rebuilt one.
 *
 * @example
 * await resignBatch(database, 3n, { txBytes, txSignatures, txDigest }, "gas coin moved from v5 to v7");
 */
export async function resignBatch(database: Pick<Database, "query">, batch: bigint, fields: SignedFields, why: string): Promise<void> {
  await cas(
    database,
    `UPDATE settlement_batches
        SET state = 'signed', error = 'rebuilt: transaction ' || tx_digest || ' is dead (' || $5 || ')',
            tx_bytes = $2, tx_signatures = $3::text[], tx_digest = $4, signed_at = now(), updated_at = now()
      WHERE batch = $1 AND state IN ('signed', 'posted') RETURNING batch`,
    [batch, fields.txBytes, fields.txSignatures, fields.txDigest, why],
    "be re-signed",
    batch,
  );
}

/**
 * Records a batch as confirmed because the registry already holds its statement.
 *
 * @example
 * await confirmElsewhere(database, 4n, "settled by another transaction; the registry holds this root at batch 4");
 */
export async function confirmElsewhere(database: Pick<Database, "query">, batch: bigint, note: string): Promise<void> {
  await cas(
    database,
    `UPDATE settlement_batches
        SET state = 'confirmed', confirmed_at = now(), circuit_input = NULL, error = $2, updated_at = now()
      WHERE batch = $1 AND state IN ('proved', 'signed', 'posted') RETURNING batch`,
    [batch, note],
    "be confirmed",
    batch,
  );
}
