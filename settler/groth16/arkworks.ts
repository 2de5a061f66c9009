/**
 * arkworks' canonical *compressed* serialization of BN254 values, the byte format that
 * `sui::groth16` (fastcrypto over ark-bn254) reads:
 * - Fq, Fr: 32 bytes little-endian, canonical (below the modulus).
 * - G1: x (32 bytes LE); byte 31 carries flags in its top two bits: 0x80 = "y is the larger of
 *   y and -y", 0x40 = point at infinity (both set is invalid).
 * - G2: x.c0 (32 LE) || x.c1 (32 LE), flags in byte 63; y is compared with -y on c1 first,
 *   then c0 (arkworks' QuadExtField order).
 * - Fq12 (a GT element): 12 Fq values, c0 before c1 at every tower level (Fq6 then Fq2).
 *
 * Decoding validates fully: lengths, canonical field elements, flags, on-curve and, for G2,
 * the prime-order subgroup. One deliberate difference from arkworks: arkworks accepts any
 * canonical x under the infinity flag; we accept only the all-zero x it writes itself.
 */
import { NonRetryableError } from "../../common/errors.ts";
import { concatBytes, readLe, writeLe } from "./bytes.ts";
import {
  FIELD_MODULUS,
  Fq,
  Fq2Field,
  Fq12Field,
  G1,
  G2,
  SCALAR_MODULUS,
  type Fq2,
  type G1Point,
  type G2Point,
  type Gt,
} from "./curve.ts";

export const SCALAR_BYTES = 32;
export const G1_COMPRESSED_BYTES = 32;
export const G2_COMPRESSED_BYTES = 64;
export const GT_BYTES = 384;

const FLAG_Y_LARGEST = 0x80;
const FLAG_INFINITY = 0x40;
const FLAG_MASK = FLAG_Y_LARGEST | FLAG_INFINITY;
const HALF_P = (FIELD_MODULUS - 1n) / 2n;

function fail(label: string, reason: string, details: Record<string, string | number> = {}): never {
  throw new NonRetryableError(`${label}: ${reason}`, { details: { field: label, ...details } });
}

function expectLength(bytes: Uint8Array, length: number, label: string): void {
  if (bytes.length !== length) fail(label, `expected ${length} bytes`, { length: bytes.length });
}

/** A canonical base-field element from 32 LE bytes with no flag bits. */
function readFq(bytes: Uint8Array, label: string): bigint {
  const value = readLe(bytes);
  if (value >= FIELD_MODULUS) fail(label, "field element is not below the base field modulus p");
  return value;
}

/** True when y is the larger of y and -y as integers (arkworks' YIsNegative). */
function fqIsLargest(y: bigint): boolean {
  return y > HALF_P;
}

/** arkworks' QuadExtField order: c1 decides unless it is zero, then c0. */
function fq2IsLargest(y: Fq2): boolean {
  if (y.c1 !== 0n) return fqIsLargest(y.c1);
  return fqIsLargest(y.c0);
}

/** Splits the two flag bits off the last byte of a flagged field element. */
function takeFlags(bytes: Uint8Array, label: string): { value: Uint8Array; infinity: boolean; largest: boolean } {
  const last = bytes[bytes.length - 1]!;
  const flags = last & FLAG_MASK;
  if (flags === FLAG_MASK) fail(label, "both the infinity and the sign flag are set");
  const value = bytes.slice();
  value[value.length - 1] = last & ~FLAG_MASK;
  return { value, infinity: flags === FLAG_INFINITY, largest: flags === FLAG_Y_LARGEST };
}

/**
 * Encodes a scalar (public input) as 32 LE bytes; it must be below r.
 *
 * @example
 * encodeScalar(4294967297n); // 01 00 00 00 01 00 ... 00
 */
export function encodeScalar(value: bigint, label = "scalar"): Uint8Array {
  if (value < 0n || value >= SCALAR_MODULUS) fail(label, "scalar is not below the scalar field modulus r");
  return writeLe(value, SCALAR_BYTES);
}

/**
 * Decodes 32 LE bytes as a canonical scalar (below r).
 *
 * @example
 * decodeScalar(encodeScalar(7n)); // 7n
 */
export function decodeScalar(bytes: Uint8Array, label = "scalar"): bigint {
  expectLength(bytes, SCALAR_BYTES, label);
  const value = readLe(bytes);
  if (value >= SCALAR_MODULUS) fail(label, "scalar is not below the scalar field modulus r");
  return value;
}

/**
 * Compresses a G1 point (assumed valid) to 32 bytes.
 *
 * @example
 * encodeG1(G1.BASE); // 01 00 ... 00 (x = 1, y = 2 is the smaller root)
 */
export function encodeG1(point: G1Point): Uint8Array {
  const out = new Uint8Array(G1_COMPRESSED_BYTES);
  if (point.is0()) {
    out[31] = FLAG_INFINITY;
    return out;
  }
  const { x, y } = point.toAffine();
  out.set(writeLe(x, 32));
  if (fqIsLargest(y)) out[31]! |= FLAG_Y_LARGEST;
  return out;
}

/**
 * Decompresses and validates a G1 point; errors name `label`.
 *
 * @example
 * decodeG1(encodeG1(G1.BASE), "vk.alpha_g1").equals(G1.BASE); // true
 */
export function decodeG1(bytes: Uint8Array, label = "G1 point"): G1Point {
  expectLength(bytes, G1_COMPRESSED_BYTES, label);
  const { value, infinity, largest } = takeFlags(bytes, label);
  const x = readFq(value, `${label}.x`);
  if (infinity) {
    if (x !== 0n) fail(label, "point at infinity with a non-zero x");
    return G1.ZERO;
  }
  const rhs = Fq.add(Fq.mul(Fq.sqr(x), x), 3n);
  let y: bigint;
  try {
    y = Fq.sqrt(rhs);
  } catch {
    return fail(label, "x is not the x coordinate of a point on the curve");
  }
  if (fqIsLargest(y) !== largest) y = Fq.neg(y);
  const point = G1.fromAffine({ x, y });
  try {
    point.assertValidity();
  } catch (error) {
    return fail(label, `not a valid G1 point (${(error as Error).message})`);
  }
  return point;
}

/**
 * Compresses a G2 point (assumed valid) to 64 bytes.
 *
 * @example
 * encodeG2(G2.BASE).length; // 64
 */
export function encodeG2(point: G2Point): Uint8Array {
  const out = new Uint8Array(G2_COMPRESSED_BYTES);
  if (point.is0()) {
    out[63] = FLAG_INFINITY;
    return out;
  }
  const { x, y } = point.toAffine();
  out.set(writeLe(x.c0, 32), 0);
  out.set(writeLe(x.c1, 32), 32);
  if (fq2IsLargest(y)) out[63]! |= FLAG_Y_LARGEST;
  return out;
}

/**
 * Decompresses and validates a G2 point, including the prime-order subgroup check (G2 has a
 * large cofactor, so points on the twist are not enough); errors name `label`.
 *
 * @example
 * decodeG2(encodeG2(G2.BASE), "proof.B").equals(G2.BASE); // true
 */
export function decodeG2(bytes: Uint8Array, label = "G2 point"): G2Point {
  expectLength(bytes, G2_COMPRESSED_BYTES, label);
  // c0 carries no flags in arkworks: its 256 bits must be a canonical element on their own.
  const c0 = readFq(bytes.subarray(0, 32), `${label}.x.c0`);
  const { value, infinity, largest } = takeFlags(bytes.subarray(32, 64), label);
  const c1 = readFq(value, `${label}.x.c1`);
  if (infinity) {
    if (c0 !== 0n || c1 !== 0n) fail(label, "point at infinity with a non-zero x");
    return G2.ZERO;
  }
  const x: Fq2 = { c0, c1 };
  const rhs = Fq2Field.add(Fq2Field.mul(Fq2Field.sqr(x), x), G2.CURVE().b);
  let y: Fq2;
  try {
    y = Fq2Field.sqrt(rhs);
  } catch {
    return fail(label, "x is not the x coordinate of a point on the twist curve");
  }
  if (fq2IsLargest(y) !== largest) y = Fq2Field.neg(y);
  const point = G2.fromAffine({ x, y });
  try {
    point.assertValidity();
  } catch (error) {
    return fail(label, `not a valid G2 point (${(error as Error).message})`);
  }
  return point;
}

function fq12Coefficients(value: Gt): bigint[] {
  const out: bigint[] = [];
  for (const fq6 of [value.c0, value.c1]) {
    for (const fq2 of [fq6.c0, fq6.c1, fq6.c2]) out.push(fq2.c0, fq2.c1);
  }
  return out;
}

/**
 * Serializes a GT element (Fq12) as arkworks does: 384 bytes, 12 LE Fq values.
 *
 * @example
 * encodeGt(Fq12Field.ONE).length; // 384
 */
export function encodeGt(value: Gt): Uint8Array {
  return concatBytes(...fq12Coefficients(value).map((c) => writeLe(c, 32)));
}

/**
 * Deserializes a GT element; every coefficient must be canonical (arkworks runs no subgroup
 * check on Fq12 and neither do we).
 *
 * @example
 * Fq12Field.eql(decodeGt(encodeGt(Fq12Field.ONE)), Fq12Field.ONE); // true
 */
export function decodeGt(bytes: Uint8Array, label = "GT element"): Gt {
  expectLength(bytes, GT_BYTES, label);
  const c: bigint[] = [];
  for (let i = 0; i < 12; i++) c.push(readFq(bytes.subarray(32 * i, 32 * i + 32), `${label}[${i}]`));
  const [a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5] = c as [
    bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint,
  ];
  return Fq12Field.create({
    c0: { c0: { c0: a0, c1: a1 }, c1: { c0: a2, c1: a3 }, c2: { c0: a4, c1: a5 } },
    c1: { c0: { c0: b0, c1: b1 }, c1: { c0: b2, c1: b3 }, c2: { c0: b4, c1: b5 } },
  });
}
