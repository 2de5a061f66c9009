/**
 * Byte helpers for the Sui Groth16 formats: strict hex parsing and fixed-width
 * little-endian integers (arkworks serializes every field element little-endian).
 */
import { NonRetryableError } from "../../common/errors.ts";

/**
 * Parses hex (optional `0x`, any case, surrounding whitespace ignored) into bytes.
 * `name` says which argument was malformed in the error.
 *
 * @example
 * parseHex("0x0a0b", "proof"); // Uint8Array [10, 11]
 */
export function parseHex(text: string, name: string): Uint8Array {
  let hex = text.trim();
  if (hex.startsWith("0x") || hex.startsWith("0X")) hex = hex.slice(2);
  if (hex.length % 2 !== 0) {
    throw new NonRetryableError(`${name} is not valid hex: odd number of digits`, {
      details: { argument: name, digits: hex.length },
    });
  }
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad) {
    throw new NonRetryableError(`${name} is not valid hex: unexpected character`, {
      details: { argument: name, character: JSON.stringify(bad[0]), position: bad.index },
    });
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Lowercase hex without a prefix, as Sui's Move `x"..."` literals and the vectors use.
 *
 * @example
 * toHex(new Uint8Array([10, 11])); // "0a0b"
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * The unsigned little-endian integer in `bytes`.
 *
 * @example
 * readLe(new Uint8Array([1, 1])); // 257n
 */
export function readLe(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

/**
 * `value` as exactly `width` little-endian bytes; throws when it does not fit.
 *
 * @example
 * writeLe(257n, 4); // Uint8Array [1, 1, 0, 0]
 */
export function writeLe(value: bigint, width: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * width)) {
    throw new NonRetryableError(`integer does not fit in ${width} little-endian bytes`, {
      details: { value, width },
    });
  }
  const out = new Uint8Array(width);
  let rest = value;
  for (let i = 0; i < width; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/**
 * Concatenates byte arrays.
 *
 * @example
 * concatBytes(new Uint8Array([1]), new Uint8Array([2])); // Uint8Array [1, 2]
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
