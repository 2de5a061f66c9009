/**
 * Converters between snarkjs's Groth16 JSON (verification_key.json, proof.json,
 * public.json; curve "bn128" = BN254) and Sui's byte formats.
 *
 * snarkjs writes points as decimal strings in projective form with z = 1 (affine), or
 * [0, 1, 0] for infinity; G2 coordinates as [c0, c1]. Every point is checked on the curve
 * and in the subgroup before it is encoded, so a bad JSON file fails here, naming the field,
 * rather than on chain.
 */
import type { Groth16Proof, PublicSignals, VerificationKey } from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import { FIELD_MODULUS, G1, G2, SCALAR_MODULUS, type G1Point, type G2Point } from "./curve.ts";
import {
  encodeProof,
  encodePublicInputs,
  encodeVerifyingKey,
  MAX_PUBLIC_INPUTS,
  type ProofPoints,
  type VerifyingKeyPoints,
} from "./sui-format.ts";

/** A G1 point as snarkjs writes it: [x, y, z] decimal strings. */
export type SnarkjsG1 = readonly string[];
/** A G2 point as snarkjs writes it: [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]. */
export type SnarkjsG2 = readonly (readonly string[])[];

function fail(label: string, reason: string): never {
  throw new NonRetryableError(`${label}: ${reason}`, { details: { field: label } });
}

function parseDecimal(value: unknown, label: string, modulus: bigint, modulusName: string): bigint {
  if (typeof value !== "string" || !/^[0-9]+$/.test(value)) fail(label, "expected a decimal string");
  const n = BigInt(value);
  if (n >= modulus) fail(label, `not below ${modulusName}`);
  return n;
}

const fq = (value: unknown, label: string): bigint => parseDecimal(value, label, FIELD_MODULUS, "the base field modulus p");

function checkedPoint<P extends G1Point | G2Point>(build: () => P, label: string): P {
  let point: P;
  try {
    point = build();
    point.assertValidity();
  } catch (error) {
    return fail(label, `not a valid point (${(error as Error).message})`);
  }
  return point;
}

/**
 * A snarkjs G1 point as a validated curve point.
 *
 * @example
 * g1FromSnarkjs(["1", "2", "1"], "vk_alpha_1").equals(G1.BASE); // true
 */
export function g1FromSnarkjs(value: SnarkjsG1, label: string): G1Point {
  if (!Array.isArray(value) || value.length !== 3) fail(label, "expected [x, y, z]");
  const [x, y, z] = [fq(value[0], `${label}.x`), fq(value[1], `${label}.y`), fq(value[2], `${label}.z`)];
  if (z === 0n) {
    if (x !== 0n || y !== 1n) fail(label, "a point at infinity must be [0, 1, 0]");
    return G1.ZERO;
  }
  if (z !== 1n) fail(label, "expected affine coordinates (z = 1), as snarkjs exports them");
  return checkedPoint(() => G1.fromAffine({ x, y }), label);
}

/**
 * A snarkjs G2 point as a validated curve point (subgroup included).
 *
 * @example
 * const beta = g2FromSnarkjs(vkJson.vk_beta_2, "vk_beta_2");
 */
export function g2FromSnarkjs(value: SnarkjsG2, label: string): G2Point {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((c) => Array.isArray(c) && c.length === 2)) {
    fail(label, "expected [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]");
  }
  const c = (i: number, j: number, name: string) => fq(value[i]![j], `${label}.${name}`);
  const x = { c0: c(0, 0, "x.c0"), c1: c(0, 1, "x.c1") };
  const y = { c0: c(1, 0, "y.c0"), c1: c(1, 1, "y.c1") };
  const z = { c0: c(2, 0, "z.c0"), c1: c(2, 1, "z.c1") };
  if (z.c0 === 0n && z.c1 === 0n) {
    if (x.c0 !== 0n || x.c1 !== 0n || y.c0 !== 1n || y.c1 !== 0n) fail(label, "a point at infinity must be [[0,0],[1,0],[0,0]]");
    return G2.ZERO;
  }
  if (z.c0 !== 1n || z.c1 !== 0n) fail(label, "expected affine coordinates (z = [1, 0]), as snarkjs exports them");
  return checkedPoint(() => G2.fromAffine({ x, y }), label);
}

/**
 * A curve point in snarkjs's JSON form (affine, z = 1; infinity as [0, 1, 0]).
 *
 * @example
 * g1ToSnarkjs(G1.BASE); // ["1", "2", "1"]
 */
export function g1ToSnarkjs(point: G1Point): string[] {
  if (point.is0()) return ["0", "1", "0"];
  const { x, y } = point.toAffine();
  return [x.toString(), y.toString(), "1"];
}

/**
 * A G2 point in snarkjs's JSON form.
 *
 * @example
 * g2ToSnarkjs(G2.ZERO); // [["0","0"],["1","0"],["0","0"]]
 */
export function g2ToSnarkjs(point: G2Point): string[][] {
  if (point.is0()) return [["0", "0"], ["1", "0"], ["0", "0"]];
  const { x, y } = point.toAffine();
  return [[x.c0.toString(), x.c1.toString()], [y.c0.toString(), y.c1.toString()], ["1", "0"]];
}

function assertGroth16Bn128(json: { protocol?: unknown; curve?: unknown }, label: string): void {
  if (json.protocol !== "groth16") fail(`${label}.protocol`, `expected "groth16", got ${JSON.stringify(json.protocol)}`);
  if (typeof json.curve !== "string" || !["bn128", "bn254", "altbn128"].includes(json.curve.toLowerCase().replace(/[^a-z0-9]/g, ""))) {
    fail(`${label}.curve`, `expected "bn128" (BN254), got ${JSON.stringify(json.curve)}`);
  }
}

/**
 * The points of a snarkjs verification_key.json.
 *
 * @example
 * const vk = verificationKeyFromSnarkjs(JSON.parse(readFileSync("verification_key.json", "utf8")));
 */
export function verificationKeyFromSnarkjs(json: VerificationKey): VerifyingKeyPoints {
  assertGroth16Bn128(json, "vk");
  if (!Array.isArray(json.IC) || json.IC.length < 1) fail("vk.IC", "expected at least one IC point");
  if (json.nPublic !== json.IC.length - 1) fail("vk.nPublic", `${json.nPublic} does not match ${json.IC.length} IC points`);
  return {
    alpha: g1FromSnarkjs(json.vk_alpha_1, "vk.vk_alpha_1"),
    beta: g2FromSnarkjs(json.vk_beta_2, "vk.vk_beta_2"),
    gamma: g2FromSnarkjs(json.vk_gamma_2, "vk.vk_gamma_2"),
    delta: g2FromSnarkjs(json.vk_delta_2, "vk.vk_delta_2"),
    ic: json.IC.map((p, i) => g1FromSnarkjs(p, `vk.IC[${i}]`)),
  };
}

/**
 * snarkjs verification_key.json → Sui verifying key bytes (264 + 32·nPublic).
 *
 * @example
 * const vkBytes = snarkjsVerificationKeyToSui(vkJson);
 */
export function snarkjsVerificationKeyToSui(json: VerificationKey): Uint8Array {
  const vk = verificationKeyFromSnarkjs(json);
  if (vk.ic.length - 1 > MAX_PUBLIC_INPUTS) {
    fail("vk.nPublic", `Sui verifies at most ${MAX_PUBLIC_INPUTS} public inputs, this key has ${vk.ic.length - 1}`);
  }
  return encodeVerifyingKey(vk);
}

/**
 * The points of a snarkjs proof.json.
 *
 * @example
 * const { a, b, c } = proofFromSnarkjs(proofJson);
 */
export function proofFromSnarkjs(json: Groth16Proof): ProofPoints {
  assertGroth16Bn128(json, "proof");
  return {
    a: g1FromSnarkjs(json.pi_a, "proof.pi_a"),
    b: g2FromSnarkjs(json.pi_b, "proof.pi_b"),
    c: g1FromSnarkjs(json.pi_c, "proof.pi_c"),
  };
}

/**
 * snarkjs proof.json → Sui proof points A || B || C (128 bytes).
 *
 * @example
 * const proofBytes = snarkjsProofToSui(proofJson);
 */
export function snarkjsProofToSui(json: Groth16Proof): Uint8Array {
  return encodeProof(proofFromSnarkjs(json));
}

/**
 * snarkjs public.json (decimal strings) → scalars, each checked below r.
 *
 * @example
 * publicSignalsFromSnarkjs(["4294967297"]); // [4294967297n]
 */
export function publicSignalsFromSnarkjs(signals: PublicSignals): bigint[] {
  if (!Array.isArray(signals)) fail("publicSignals", "expected an array of decimal strings");
  return signals.map((s, i) => parseDecimal(s, `publicSignals[${i}]`, SCALAR_MODULUS, "the scalar field modulus r"));
}

/**
 * snarkjs public.json → Sui public inputs (32-byte LE scalars, concatenated).
 *
 * @example
 * snarkjsPublicSignalsToSui(["4294967297"]); // 0100000001000000...00
 */
export function snarkjsPublicSignalsToSui(signals: PublicSignals): Uint8Array {
  return encodePublicInputs(publicSignalsFromSnarkjs(signals));
}
