/**
 * Sui's digests: BLAKE2b-256 over `"<TypeName>::"` followed by the value's BCS
 * (`default_hash`, the `BcsSignable` prefix), e.g. `CheckpointSummary::` for a checkpoint
 * digest and `TransactionData::` for a transaction digest.
 */
import { blake2b } from "@noble/hashes/blake2.js";

export type DigestTypeName =
  | "CheckpointSummary"
  | "CheckpointContents"
  | "TransactionData"
  | "TransactionEffects"
  | "TransactionEvents"
  | "Object";

const prefixes = new Map<DigestTypeName, Uint8Array>();

/**
 * @example
 * const checkpointDigest = suiDigest("CheckpointSummary", checkpoint.summaryBcs);
 */
export function suiDigest(typeName: DigestTypeName, bcs: Uint8Array): Uint8Array {
  let prefix = prefixes.get(typeName);
  if (!prefix) {
    prefix = new TextEncoder().encode(`${typeName}::`);
    prefixes.set(typeName, prefix);
  }
  const hash = blake2b.create({ dkLen: 32 });
  hash.update(prefix);
  hash.update(bcs);
  return hash.digest();
}
