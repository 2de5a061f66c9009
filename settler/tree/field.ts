/**
 * The BN254 scalar field, in which Poseidon, the circuit and `sui::poseidon::poseidon_bn254`
 * all work.
 *
 * circomlibjs and the circom witness calculator reduce their inputs modulo r without a
 * word, while Move's `poseidon_bn254` aborts on them; so every value is checked here
 * before it is hashed or written into a witness, and both sides always agree.
 */
import { NonRetryableError } from "../../common/errors.ts";

/** r, the order of BN254's scalar field (circom's "prime"). */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** True when `value` is a canonical field element: 0 <= value < r. */
export function isCanonical(value: bigint): boolean {
  return value >= 0n && value < FIELD_MODULUS;
}

/**
 * Throws unless `value` is a canonical field element (0 <= value < r).
 *
 * @param what names the value in the error, e.g. `"leaf value"`.
 * @example
 * assertCanonical(5n, "version");            // ok
 * assertCanonical(FIELD_MODULUS, "version"); // throws NonRetryableError
 */
export function assertCanonical(value: bigint, what: string): void {
  if (typeof value !== "bigint") {
    throw new NonRetryableError(`${what} must be a bigint field element`, {
      details: { what, type: typeof value },
    });
  }
  if (!isCanonical(value)) {
    throw new NonRetryableError(`${what} is not a canonical BN254 field element (must be 0 <= x < r)`, {
      details: { what, value },
    });
  }
}

/**
 * Reads 32 bytes (big-endian) as two 128-bit limbs: hi = bytes[0..16), lo = bytes[16..32).
 * Both are below 2^128, hence canonical.
 *
 * @example
 * const [hi, lo] = bytesToLimbs(new Uint8Array(32).fill(1));
 */
export function bytesToLimbs(bytes: Uint8Array, what: string): [hi: bigint, lo: bigint] {
  if (bytes.length !== 32) {
    throw new NonRetryableError(`${what} must be 32 bytes`, { details: { what, length: bytes.length } });
  }
  return [bytesToBigInt(bytes.subarray(0, 16)), bytesToBigInt(bytes.subarray(16, 32))];
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
