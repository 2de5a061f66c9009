/**
 * The BN254 curve (snarkjs's "bn128", Sui's `groth16::bn254()`) from @noble/curves, with
 * the names and types the rest of settler/groth16 uses.
 */
import { bn254 } from "@noble/curves/bn254.js";
import type { WeierstrassPoint } from "@noble/curves/abstract/weierstrass.js";
import type { Fp2 as NobleFp2, Fp12 as NobleFp12 } from "@noble/curves/abstract/tower.js";

/** An element of Fq2 = Fq[u]/(u² + 1): c0 + c1·u. */
export type Fq2 = NobleFp2;
/** An element of the pairing target group, in Fq12 (the tower Fq2 → Fq6 → Fq12 of arkworks and noble). */
export type Gt = NobleFp12;
/** A point of G1 (over Fq). */
export type G1Point = WeierstrassPoint<bigint>;
/** A point of G2 (over Fq2, the D-type twist). */
export type G2Point = WeierstrassPoint<Fq2>;

/** The base field modulus p (coordinates live below it). */
export const FIELD_MODULUS: bigint = bn254.fields.Fp.ORDER;
/** The scalar field modulus r (public inputs live below it). */
export const SCALAR_MODULUS: bigint = bn254.fields.Fr.ORDER;

export const Fq = bn254.fields.Fp;
export const Fq2Field = bn254.fields.Fp2;
export const Fq12Field = bn254.fields.Fp12;
export const G1 = bn254.G1.Point;
export const G2 = bn254.G2.Point;

/**
 * The optimal ate pairing with final exponentiation, multiplied over all pairs. Pairs with a
 * point at infinity contribute 1, as in arkworks' multi Miller loop (noble refuses them).
 *
 * @example
 * const one = pairingProduct([[G1.BASE, G2.BASE], [G1.BASE.negate(), G2.BASE]]);
 * Fq12Field.eql(one, Fq12Field.ONE); // true
 */
export function pairingProduct(pairs: ReadonlyArray<readonly [G1Point, G2Point]>): Gt {
  const live = pairs.filter(([p, q]) => !p.is0() && !q.is0()).map(([g1, g2]) => ({ g1, g2 }));
  return bn254.pairingBatch(live);
}
