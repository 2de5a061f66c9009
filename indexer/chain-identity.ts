/**
 * Keeps a database on one network. The first run from a source that knows its chain (a full
 * node) records the chain id in `chain_identity`; every later run compares. A database
 * that already holds checkpoints but no chain id (indexed from files) is checked once
 * against the node instead: the node's checkpoint at the highest stored sequence number
 * must have the digest stored for it.
 */
import { NonRetryableError } from "../common/errors.ts";
import type { Database } from "../schema/db.ts";
import { PrunedCheckpointError } from "./sources/grpc.ts";
import type { CheckpointSource } from "./sources/types.ts";

export interface ChainIdentity {
  /** Base58 digest of the genesis checkpoint. */
  chainId: string;
  chain: string | null;
}

export type ChainCheck =
  /** First sight: recorded (after the stored checkpoints, if any, matched the node's). */
  | { outcome: "recorded"; verifiedAt: bigint | null }
  | { outcome: "matches" };

/**
 * @example
 * const info = await grpcSource.serviceInfo();
 * await checkChainIdentity(database, { chainId: info.chainId, chain: info.chain }, grpcSource);
 */
export async function checkChainIdentity(
  database: Pick<Database, "query">,
  identity: ChainIdentity,
  source?: CheckpointSource,
  signal?: AbortSignal,
): Promise<ChainCheck> {
  const [stored] = await database.query<{ chain_id: string; chain: string | null }>("SELECT chain_id, chain FROM chain_identity");
  if (stored) {
    if (stored.chain_id === identity.chainId) return { outcome: "matches" };
    throw new NonRetryableError("The database was indexed from another network: refusing to extend it", {
      details: { databaseChainId: stored.chain_id, databaseChain: stored.chain, sourceChainId: identity.chainId, sourceChain: identity.chain },
    });
  }
  const verifiedAt = source ? await verifyStoredCheckpoint(database, source, identity, signal) : null;
  await database.query("INSERT INTO chain_identity (chain_id, chain) VALUES ($1, $2) ON CONFLICT (singleton) DO NOTHING", [identity.chainId, identity.chain]);
  // Two first runs at once: whichever wrote first decides, and the other must agree.
  const [winner] = await database.query<{ chain_id: string }>("SELECT chain_id FROM chain_identity");
  if (winner?.chain_id !== identity.chainId) return checkChainIdentity(database, identity);
  return { outcome: "recorded", verifiedAt };
}

/** The highest stored checkpoint's digest against the source's; null when there is none to compare. */
async function verifyStoredCheckpoint(
  database: Pick<Database, "query">,
  source: CheckpointSource,
  identity: ChainIdentity,
  signal?: AbortSignal,
): Promise<bigint | null> {
  const [row] = await database.query<{ sequence_number: bigint; digest: Uint8Array }>(
    "SELECT sequence_number, digest FROM checkpoints ORDER BY sequence_number DESC LIMIT 1",
  );
  if (!row) return null;
  const sequenceNumber = BigInt(row.sequence_number);
  let result;
  try {
    result = await source.fetch(sequenceNumber, signal);
  } catch (error) {
    // A node that pruned it cannot vouch either way; the chain id is recorded from here on.
    if (error instanceof PrunedCheckpointError) return null;
    throw error;
  }
  if (result.kind !== "found") return null;
  if (Buffer.compare(Buffer.from(result.checkpoint.digest), Buffer.from(row.digest)) !== 0) {
    throw new NonRetryableError("The database holds checkpoints of another network than the source's: refusing to extend it", {
      details: { checkpoint: sequenceNumber, sourceChainId: identity.chainId, sourceChain: identity.chain },
    });
  }
  return sequenceNumber;
}
