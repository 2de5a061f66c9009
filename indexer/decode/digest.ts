/**
 * Sui's digests: BLAKE2b-256 over `"<TypeName>::"` followed by the value's BCS
 * (`default_hash`, the `BcsSignable` prefix), e.g. `CheckpointSummary::` for a checkpoint
 * digest and `TransactionData::` for a transaction digest.
 *
 * BLAKE2b runs in WebAssembly (blake2b-wasm): the pure-JS implementation hashes about
 * 20 MB per CPU-second, which made digests the bottleneck wherever every object is hashed
 * (the synthetic generator, audits). @noble/hashes stays as the fallback where WebAssembly
 * is unavailable.
 */
import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import wasmBlake2b from "blake2b-wasm";

export type DigestTypeName =
  | "CheckpointSummary"
  | "CheckpointContents"
  | "TransactionData"
  | "TransactionEffects"
  | "TransactionEvents"
  | "Object";

const prefixes = new Map<DigestTypeName, Uint8Array>();

let wasmReady = false;
if (wasmBlake2b.SUPPORTED) {
  await wasmBlake2b.ready();
  wasmReady = true;
}

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
  if (wasmReady) return wasmBlake2b(32).update(prefix).update(bcs).digest(new Uint8Array(32));
  const hash = nobleBlake2b.create({ dkLen: 32 });
  hash.update(prefix);
  hash.update(bcs);
  return hash.digest();
}

/** The same digest with the portable implementation, to cross-check the WebAssembly one. */
export function suiDigestPortable(typeName: DigestTypeName, bcs: Uint8Array): Uint8Array {
  const hash = nobleBlake2b.create({ dkLen: 32 });
  hash.update(new TextEncoder().encode(`${typeName}::`));
  hash.update(bcs);
  return hash.digest();
}
