/**
 * Field elements as the settlement tables store them: exactly 32 bytes, big-endian, so
 * that byte order is numeric order (the sorted key list is a plain btree on bytea).
 */
import { NonRetryableError } from "../../common/errors.ts";
import { assertCanonical } from "../tree/field.ts";

/**
 * @example
 * fieldToBytes(1n); // 31 zero bytes, then 0x01
 */
export function fieldToBytes(value: bigint): Uint8Array {
  assertCanonical(value, "field element");
  return Buffer.from(value.toString(16).padStart(64, "0"), "hex");
}

/**
 * The inverse of fieldToBytes; accepts the `\x…` text form raw queries may return.
 *
 * @example
 * bytesToField(fieldToBytes(5n)); // 5n
 */
export function bytesToField(value: Uint8Array | string): bigint {
  const hex = typeof value === "string" ? value.replace(/^\\x/, "") : Buffer.from(value).toString("hex");
  if (hex.length !== 64) {
    throw new NonRetryableError("stored field element is not 32 bytes", { details: { length: hex.length / 2 } });
  }
  return BigInt(`0x${hex}`);
}

/**
 * 64 hex digits (the text form raw queries pass and `decode(x, 'hex')` reads).
 *
 * @example
 * fieldToHex(255n); // "00…ff"
 */
export function fieldToHex(value: bigint): string {
  assertCanonical(value, "field element");
  return value.toString(16).padStart(64, "0");
}
