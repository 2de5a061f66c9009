/**
 * BLS12-381 in Sui's validator scheme (fastcrypto `bls12381::min_sig`): signatures in G1
 * (48 bytes compressed), public keys in G2 (96 bytes compressed), messages hashed to G1 with
 * the basic-scheme DST below. Points are validated as fastcrypto does on deserialization:
 * on the curve and in the prime-order subgroup; infinity is refused as well.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { NonRetryableError } from "../../../common/errors.ts";

/** fastcrypto `min_sig::DST_G1`. */
export const MIN_SIG_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
export const BLS_PUBLIC_KEY_BYTES = 96;
export const BLS_SIGNATURE_BYTES = 48;

const minSig = bls12_381.shortSignatures;

export type BlsPublicKey = ReturnType<typeof bls12_381.G2.Point.fromBytes>;
export type BlsSignature = ReturnType<typeof bls12_381.G1.Point.fromBytes>;

export class BlsEncodingError extends NonRetryableError {
  override name = "BlsEncodingError";
}

/**
 * A validator's protocol public key: 96-byte compressed G2, on the curve, in the subgroup,
 * not infinity (fastcrypto's `key_validate`). Throws BlsEncodingError otherwise.
 *
 * @example
 * const key = parseBlsPublicKey(member.authorityName);
 */
export function parseBlsPublicKey(bytes: Uint8Array): BlsPublicKey {
  if (bytes.length !== BLS_PUBLIC_KEY_BYTES) {
    throw new BlsEncodingError("invalid BLS public key", { details: { reason: `${bytes.length} bytes, expected 96` } });
  }
  let point: BlsPublicKey;
  try {
    point = bls12_381.G2.Point.fromBytes(bytes);
  } catch (error) {
    throw new BlsEncodingError("invalid BLS public key", { cause: error, details: { reason: (error as Error).message } });
  }
  if (point.is0()) throw new BlsEncodingError("invalid BLS public key", { details: { reason: "point at infinity" } });
  return point;
}

/**
 * An aggregate signature: 48-byte compressed G1, on the curve, in the subgroup, not
 * infinity. Throws BlsEncodingError otherwise.
 *
 * @example
 * const signature = parseBlsSignature(checkpoint.signature.signature);
 */
export function parseBlsSignature(bytes: Uint8Array): BlsSignature {
  if (bytes.length !== BLS_SIGNATURE_BYTES) {
    throw new BlsEncodingError("invalid BLS signature", { details: { reason: `${bytes.length} bytes, expected 48` } });
  }
  let point: BlsSignature;
  try {
    point = minSig.Signature.fromBytes(bytes);
  } catch (error) {
    throw new BlsEncodingError("invalid BLS signature", { cause: error, details: { reason: (error as Error).message } });
  }
  // fastcrypto accepts an infinity signature, which can only verify against an aggregate
  // key that is itself infinity; refusing it loses nothing and removes that case.
  if (point.is0()) throw new BlsEncodingError("invalid BLS signature", { details: { reason: "point at infinity" } });
  return point;
}

/**
 * Same-message aggregate verification (blst `fast_aggregate_verify`): the signers' keys are
 * summed and checked once, e(sum of keys, H(message)) = e(G2 generator, signature).
 * Rogue-key safety rests on proof of possession, which Sui checks when a validator
 * registers; this function does not.
 *
 * @example
 * const ok = verifyAggregateSignature(signature, signerKeys, checkpointSigningMessage(summaryBcs, epoch));
 */
export function verifyAggregateSignature(signature: BlsSignature, publicKeys: readonly BlsPublicKey[], message: Uint8Array): boolean {
  if (publicKeys.length === 0) return false;
  const aggregate = publicKeys.reduce((sum, key) => sum.add(key), bls12_381.G2.Point.ZERO);
  if (aggregate.is0()) return false;
  return minSig.verify(signature, minSig.hash(message, MIN_SIG_DST), aggregate);
}
