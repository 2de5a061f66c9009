import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { fixturesDir } from "../../common/fixtures.ts";
import {
  decodeG1,
  decodeG2,
  decodeGt,
  decodeScalar,
  encodeG1,
  encodeG2,
  encodeGt,
  encodeScalar,
} from "./arkworks.ts";
import { concatBytes, readLe, writeLe } from "./bytes.ts";
import { FIELD_MODULUS, Fq, Fq2Field, Fq12Field, G1, G2, SCALAR_MODULUS, pairingProduct, type Fq2 } from "./curve.ts";
import { parseSuiVectors } from "./sui-vectors.ts";

const vectors = parseSuiVectors(readFileSync(join(fixturesDir(), "groth16", "sui_groth16_vectors.txt"), "utf8"));

/** Every G2 encoding that arkworks itself wrote in the vectors: beta, gamma, delta, proof B. */
function arkworksG2Encodings(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const v of vectors.groth16) {
    if (v.kind === "raw") out.push(v.vk.slice(32, 96), v.vk.slice(96, 160), v.vk.slice(160, 224), v.proof.slice(32, 96));
    if (v.kind === "prepared") out.push(v.pvk.gammaG2NegPc, v.pvk.deltaG2NegPc, v.proof.slice(32, 96));
    if (v.kind === "prepare") out.push(v.vk.slice(32, 96), v.vk.slice(96, 160), v.vk.slice(160, 224));
  }
  return out;
}

describe("G1 compressed encoding", () => {
  it("writes the generator (1, 2) with y the smaller root, and its negation with the 0x80 flag", () => {
    const base = encodeG1(G1.BASE);
    expect(readLe(base)).toBe(1n);
    expect(base[31]).toBe(0);
    expect(encodeG1(G1.BASE.negate())[31]).toBe(0x80);
    expect(decodeG1(encodeG1(G1.BASE.negate())).equals(G1.BASE.negate())).toBe(true);
  });

  it("round-trips multiples of the generator and the point at infinity", () => {
    for (let k = 1n; k < 40n; k++) {
      const p = G1.BASE.multiply(k * 0x1234567n);
      expect(decodeG1(encodeG1(p)).equals(p)).toBe(true);
    }
    const zero = encodeG1(G1.ZERO);
    expect(zero[31]).toBe(0x40);
    expect(decodeG1(zero).is0()).toBe(true);
  });

  it("refuses x >= p, both flags, infinity with a non-zero x, and x off the curve", () => {
    expect(() => decodeG1(writeLe(FIELD_MODULUS, 32), "A")).toThrow(/A\.x: field element is not below the base field modulus p/);
    expect(() => decodeG1(concatBytes(new Uint8Array(31), Uint8Array.of(0xc0)), "A")).toThrow(/both the infinity and the sign flag/);
    expect(() => decodeG1(concatBytes(Uint8Array.of(1), new Uint8Array(30), Uint8Array.of(0x40)), "A")).toThrow(/infinity with a non-zero x/);
    // x = 0 gives y² = 3, which is not a square mod p.
    expect(() => decodeG1(new Uint8Array(32), "A")).toThrow(/not the x coordinate of a point on the curve/);
    expect(() => decodeG1(new Uint8Array(31), "A")).toThrow(/expected 32 bytes/);
  });
});

describe("G2 compressed encoding", () => {
  it("decodes and re-encodes every G2 point arkworks wrote in the vectors, both sign flags among them", () => {
    const encodings = arkworksG2Encodings();
    expect(encodings.length).toBeGreaterThanOrEqual(12);
    const flags = new Set(encodings.map((e) => e[63]! & 0xc0));
    // Both values of the flag occur, so both branches of the c1-then-c0 comparison are exercised.
    expect([...flags].sort()).toEqual([0, 0x80]);
    for (const e of encodings) expect(encodeG2(decodeG2(e))).toEqual(e);
  });

  it("round-trips multiples of the generator and the point at infinity", () => {
    for (let k = 1n; k < 12n; k++) {
      const p = G2.BASE.multiply(k * 0x7654321n);
      expect(decodeG2(encodeG2(p)).equals(p)).toBe(true);
      expect(decodeG2(encodeG2(p.negate())).equals(p.negate())).toBe(true);
    }
    expect(decodeG2(encodeG2(G2.ZERO)).is0()).toBe(true);
  });

  it("orders y by c1 first, then c0 (arkworks), not by c0", () => {
    // Find a point whose y.c0 and y.c1 disagree about which of y, -y is larger, so a c0-first
    // rule would pick the other root.
    const half = (FIELD_MODULUS - 1n) / 2n;
    let found = false;
    for (let k = 1n; k < 64n && !found; k++) {
      const p = G2.BASE.multiply(k);
      const { y } = p.toAffine();
      if (y.c1 !== 0n && y.c0 > half !== y.c1 > half) {
        found = true;
        expect(encodeG2(p)[63]! & 0x80).toBe(y.c1 > half ? 0x80 : 0);
      }
    }
    expect(found).toBe(true);
  });

  it("refuses a point on the twist that is outside the prime-order subgroup", () => {
    // A twist point from an arbitrary x: the cofactor is huge, so it is not in G2.
    let x: Fq2 = { c0: 5n, c1: 7n };
    let y: Fq2 | undefined;
    while (!y) {
      try {
        y = Fq2Field.sqrt(Fq2Field.add(Fq2Field.mul(Fq2Field.sqr(x), x), G2.CURVE().b));
      } catch {
        x = { c0: x.c0 + 1n, c1: x.c1 };
      }
    }
    const outside = G2.fromAffine({ x, y });
    // On the curve, and [r]P = [r-1]P + P is not the identity: really outside G2.
    expect(outside.multiplyUnsafe(SCALAR_MODULUS - 1n).add(outside).is0()).toBe(false);
    expect(() => decodeG2(encodeG2(outside), "proof.B")).toThrow(/proof\.B: not a valid G2 point \(.*subgroup/);
    // Clearing the cofactor (h > r, beyond noble's multiply) lands in G2, which then decodes.
    let cleared = G2.ZERO;
    for (const bit of G2.CURVE().h.toString(2)) cleared = bit === "1" ? cleared.double().add(outside) : cleared.double();
    expect(cleared.is0()).toBe(false);
    expect(decodeG2(encodeG2(cleared)).equals(cleared)).toBe(true);
  });

  it("refuses a non-canonical c0 or c1, both flags, and x off the twist", () => {
    const good = encodeG2(G2.BASE);
    const c0TooBig = concatBytes(writeLe(FIELD_MODULUS, 32), good.slice(32));
    expect(() => decodeG2(c0TooBig, "B")).toThrow(/B\.x\.c0: field element is not below/);
    // c0 has no flag bits in arkworks: its top bits set makes it non-canonical.
    const c0Flagged = concatBytes(good.slice(0, 31), Uint8Array.of(good[31]! | 0x80), good.slice(32));
    expect(() => decodeG2(c0Flagged, "B")).toThrow(/B\.x\.c0/);
    const c1TooBig = concatBytes(good.slice(0, 32), writeLe(FIELD_MODULUS + 1n, 32));
    expect(() => decodeG2(c1TooBig, "B")).toThrow(/B\.x\.c1: field element is not below/);
    const bothFlags = good.slice();
    bothFlags[63]! |= 0xc0;
    expect(() => decodeG2(bothFlags, "B")).toThrow(/both the infinity and the sign flag/);
    expect(() => decodeG2(good.slice(0, 63), "B")).toThrow(/expected 64 bytes/);
  });

  it("decodes through sqrt: x of a valid point with the sign flag picks y or -y", () => {
    const p = G2.BASE.multiply(99n);
    const e = encodeG2(p);
    e[63]! ^= 0x80;
    expect(decodeG2(e).equals(p.negate())).toBe(true);
  });
});

describe("scalars and GT elements", () => {
  it("accepts scalars below r and refuses r", () => {
    expect(decodeScalar(encodeScalar(SCALAR_MODULUS - 1n))).toBe(SCALAR_MODULUS - 1n);
    expect(() => decodeScalar(writeLe(SCALAR_MODULUS, 32), "x")).toThrow(/x: scalar is not below the scalar field modulus r/);
    expect(() => encodeScalar(SCALAR_MODULUS)).toThrow(NonRetryableError);
    expect(() => decodeScalar(new Uint8Array(33))).toThrow(/expected 32 bytes/);
  });

  it("round-trips a pairing value and refuses a coefficient >= p", () => {
    const gt = pairingProduct([[G1.BASE.multiply(3n), G2.BASE.multiply(5n)]]);
    const bytes = encodeGt(gt);
    expect(bytes).toHaveLength(384);
    expect(Fq12Field.eql(decodeGt(bytes), gt)).toBe(true);
    const bad = bytes.slice();
    bad.set(writeLe(FIELD_MODULUS, 32), 32 * 7);
    expect(() => decodeGt(bad, "alpha_beta")).toThrow(/alpha_beta\[7\]: field element is not below/);
  });

  it("orders Fq12 coefficients c0 before c1 at every tower level", () => {
    const one = encodeGt(Fq12Field.ONE);
    expect(readLe(one.slice(0, 32))).toBe(1n);
    expect(one.slice(32).every((b) => b === 0)).toBe(true);
    // Fq.ONE in the c1.c0.c1 slot (coefficient 7) lands at bytes 224..256.
    const w = Fq12Field.create({
      c0: { c0: Fq2Field.ZERO, c1: Fq2Field.ZERO, c2: Fq2Field.ZERO },
      c1: { c0: { c0: 0n, c1: Fq.ONE }, c1: Fq2Field.ZERO, c2: Fq2Field.ZERO },
    });
    expect(readLe(encodeGt(w).slice(224, 256))).toBe(1n);
  });
});
