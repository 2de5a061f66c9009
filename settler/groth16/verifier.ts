/**
 * A Groth16 verifier over exactly the bytes `sui::groth16` takes (BN254), so that what passes
 * here passes on chain: Sui's `prepare_verifying_key` followed by `verify_groth16_proof`.
 *
 * The check is arkworks' `verify_with_processed_vk`:
 *   e(A, B) · e(Σ xᵢ·ICᵢ, -gamma) · e(C, -delta) == e(alpha, beta)
 * computed with @noble/curves. Malformed bytes never throw out of the verify functions: they
 * give false (Sui's native returns false too, except for more than 8 public inputs, where it
 * aborts; that is also false here).
 */
import { toHex } from "./bytes.ts";
import { Fq12Field, G1, pairingProduct, type G1Point } from "./curve.ts";
import {
  decodePreparedVerifyingKey,
  decodeProof,
  decodePublicInputs,
  decodeVerifyingKey,
  encodePreparedVerifyingKey,
  type PreparedVerifyingKeyBytes,
  type PreparedVerifyingKeyPoints,
  type ProofPoints,
  type VerifyingKeyPoints,
} from "./sui-format.ts";

/** The three byte strings of a Sui Groth16 verification. */
export interface Groth16Bytes {
  /** Raw verifying key (`groth16::prepare_verifying_key` input). */
  vk: Uint8Array;
  /** Concatenated 32-byte LE scalars. */
  publicInputs: Uint8Array;
  /** A || B || C, 128 bytes. */
  proof: Uint8Array;
}

/** The same with a prepared key (`groth16::pvk_from_bytes`). */
export interface PreparedGroth16Bytes {
  pvk: PreparedVerifyingKeyBytes;
  publicInputs: Uint8Array;
  proof: Uint8Array;
}

/** A verdict; `reason` says what failed when it is invalid. */
export type Groth16Verdict = { valid: true } | { valid: false; reason: string };

/**
 * Prepares decoded key points: e(alpha, beta) and the negated gamma and delta.
 *
 * @example
 * const pvk = preparePoints(decodeVerifyingKey(vkBytes));
 */
export function preparePoints(vk: VerifyingKeyPoints): PreparedVerifyingKeyPoints {
  return {
    ic: vk.ic,
    alphaBeta: pairingProduct([[vk.alpha, vk.beta]]),
    gammaNeg: vk.gamma.negate(),
    deltaNeg: vk.delta.negate(),
  };
}

// Auditors verify many proofs under one key: keep the last few prepared keys (decoding checks
// three G2 subgroups and e(alpha, beta) is a pairing). Keyed by the exact bytes.
const PREPARED_CACHE_SIZE = 8;
const preparedCache = new Map<string, PreparedVerifyingKeyPoints>();

function preparedFromBytes(vk: Uint8Array): PreparedVerifyingKeyPoints {
  const key = toHex(vk);
  const hit = preparedCache.get(key);
  if (hit) return hit;
  const prepared = preparePoints(decodeVerifyingKey(vk));
  if (preparedCache.size >= PREPARED_CACHE_SIZE) preparedCache.delete(preparedCache.keys().next().value!);
  preparedCache.set(key, prepared);
  return prepared;
}

/**
 * Sui's `groth16::prepare_verifying_key(&bn254(), vk)`: the four byte vectors of the prepared
 * key. Throws (a NonRetryableError naming the field) where Sui aborts with
 * EInvalidVerifyingKey.
 *
 * @example
 * const pvk = prepareVerifyingKey(vkBytes);
 * verifyGroth16Prepared({ pvk, publicInputs, proof }); // same verdict as verifyGroth16
 */
export function prepareVerifyingKey(vk: Uint8Array): PreparedVerifyingKeyBytes {
  return encodePreparedVerifyingKey(preparePoints(decodeVerifyingKey(vk)));
}

/**
 * The pairing check on decoded values. The input count must be one less than the IC count.
 *
 * @example
 * verifyPoints(preparePoints(vk), [1n], proof); // boolean
 */
export function verifyPoints(pvk: PreparedVerifyingKeyPoints, inputs: readonly bigint[], proof: ProofPoints): boolean {
  if (inputs.length + 1 !== pvk.ic.length) return false;
  let acc: G1Point = pvk.ic[0] ?? G1.ZERO;
  inputs.forEach((x, i) => {
    // multiplyUnsafe accepts 0 (multiply does not); the inputs are public, so timing is no concern.
    acc = acc.add(pvk.ic[i + 1]!.multiplyUnsafe(x));
  });
  const gt = pairingProduct([
    [proof.a, proof.b],
    [acc, pvk.gammaNeg],
    [proof.c, pvk.deltaNeg],
  ]);
  return Fq12Field.eql(gt, pvk.alphaBeta);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function verdict(run: () => boolean, mismatch: string): Groth16Verdict {
  try {
    return run() ? { valid: true } : { valid: false, reason: mismatch };
  } catch (error) {
    return { valid: false, reason: reasonOf(error) };
  }
}

/**
 * Verifies with a raw verifying key and says why when invalid.
 *
 * @example
 * const v = checkGroth16({ vk, publicInputs, proof });
 * if (!v.valid) console.error(v.reason);
 */
export function checkGroth16({ vk, publicInputs, proof }: Groth16Bytes): Groth16Verdict {
  return verdict(() => {
    const key = preparedFromBytes(vk);
    const inputs = decodePublicInputs(publicInputs);
    if (inputs.length + 1 !== key.ic.length) {
      throw new Error(`${inputs.length} public inputs for a key with ${key.ic.length - 1}`);
    }
    return verifyPoints(key, inputs, decodeProof(proof));
  }, "the pairing check failed");
}

/**
 * True when `proof` is a valid Groth16 proof for `publicInputs` under `vk`, all in Sui's
 * byte formats. Never throws: malformed bytes are simply invalid.
 *
 * @example
 * verifyGroth16({ vk, publicInputs, proof }); // true or false
 */
export function verifyGroth16(bytes: Groth16Bytes): boolean {
  return checkGroth16(bytes).valid;
}

/**
 * {@link checkGroth16} with a prepared key, as `groth16::verify_groth16_proof` takes it.
 *
 * @example
 * checkGroth16Prepared({ pvk: prepareVerifyingKey(vk), publicInputs, proof });
 */
export function checkGroth16Prepared({ pvk, publicInputs, proof }: PreparedGroth16Bytes): Groth16Verdict {
  return verdict(() => {
    const key = decodePreparedVerifyingKey(pvk);
    const inputs = decodePublicInputs(publicInputs);
    if (inputs.length + 1 !== key.ic.length) {
      throw new Error(`${inputs.length} public inputs for a key with ${key.ic.length - 1}`);
    }
    return verifyPoints(key, inputs, decodeProof(proof));
  }, "the pairing check failed");
}

/**
 * {@link verifyGroth16} with a prepared key. Never throws.
 *
 * @example
 * verifyGroth16Prepared({ pvk, publicInputs, proof }); // true or false
 */
export function verifyGroth16Prepared(bytes: PreparedGroth16Bytes): boolean {
  return checkGroth16Prepared(bytes).valid;
}
