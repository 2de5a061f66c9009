/**
 * The byte layouts `sui::groth16` takes for BN254, built on arkworks' compressed encoding:
 * - verifying key: alpha_g1 (32) || beta_g2 (64) || gamma_g2 (64) || delta_g2 (64) ||
 *   u64 LE count of IC || IC points (32 each)  = 264 + 32·nPublic bytes (296 for one input);
 * - proof points: A (G1) || B (G2) || C (G1) = 128 bytes;
 * - public inputs: 32-byte LE scalars below r, concatenated, at most 8;
 * - prepared verifying key: the four byte vectors of `groth16::pvk_from_bytes`
 *   (IC points, e(alpha, beta) in GT, -gamma, -delta).
 *
 * Decoders are strict: exact lengths (arkworks would ignore trailing bytes after a key or a
 * proof; we reject them, so one value has one encoding here).
 */
import { NonRetryableError } from "../../common/errors.ts";
import { concatBytes, readLe, writeLe } from "./bytes.ts";
import {
  G1_COMPRESSED_BYTES,
  G2_COMPRESSED_BYTES,
  GT_BYTES,
  SCALAR_BYTES,
  decodeG1,
  decodeG2,
  decodeGt,
  decodeScalar,
  encodeG1,
  encodeG2,
  encodeGt,
  encodeScalar,
} from "./arkworks.ts";
import type { G1Point, G2Point, Gt } from "./curve.ts";

/** Sui refuses more public inputs than this (`groth16::ETooManyPublicInputs`). */
export const MAX_PUBLIC_INPUTS = 8;
/** Bytes of a verifying key before its IC points. */
export const VK_FIXED_BYTES = G1_COMPRESSED_BYTES + 3 * G2_COMPRESSED_BYTES + 8;
export const PROOF_BYTES = 2 * G1_COMPRESSED_BYTES + G2_COMPRESSED_BYTES;

/** A Groth16 verifying key as curve points. `ic[0]` is the constant term; one more per public input. */
export interface VerifyingKeyPoints {
  alpha: G1Point;
  beta: G2Point;
  gamma: G2Point;
  delta: G2Point;
  ic: G1Point[];
}

/** A Groth16 proof as curve points. */
export interface ProofPoints {
  a: G1Point;
  b: G2Point;
  c: G1Point;
}

/** Sui's prepared verifying key: the four vectors `groth16::pvk_from_bytes` takes, in order. */
export interface PreparedVerifyingKeyBytes {
  vkGammaAbcG1: Uint8Array;
  alphaG1BetaG2: Uint8Array;
  gammaG2NegPc: Uint8Array;
  deltaG2NegPc: Uint8Array;
}

/** The decoded form of {@link PreparedVerifyingKeyBytes}. */
export interface PreparedVerifyingKeyPoints {
  ic: G1Point[];
  alphaBeta: Gt;
  gammaNeg: G2Point;
  deltaNeg: G2Point;
}

function lengthError(label: string, reason: string, length: number): NonRetryableError {
  return new NonRetryableError(`${label}: ${reason}`, { details: { field: label, length } });
}

/** The verifying key length for `nPublic` public inputs. */
export function verifyingKeyLength(nPublic: number): number {
  return VK_FIXED_BYTES + G1_COMPRESSED_BYTES * (nPublic + 1);
}

/**
 * Serializes a verifying key in Sui's format.
 *
 * @example
 * const bytes = encodeVerifyingKey(vk); // bytes.length === 264 + 32 * (vk.ic.length - 1)
 */
export function encodeVerifyingKey(vk: VerifyingKeyPoints): Uint8Array {
  if (vk.ic.length < 1) throw new NonRetryableError("verifying key has no IC points", { details: { field: "vk.ic" } });
  return concatBytes(
    encodeG1(vk.alpha),
    encodeG2(vk.beta),
    encodeG2(vk.gamma),
    encodeG2(vk.delta),
    writeLe(BigInt(vk.ic.length), 8),
    ...vk.ic.map(encodeG1),
  );
}

/**
 * Parses and validates a verifying key in Sui's format; the IC count must match the length
 * exactly and be at least 1.
 *
 * @example
 * const vk = decodeVerifyingKey(bytes); // vk.ic.length - 1 public inputs
 */
export function decodeVerifyingKey(bytes: Uint8Array): VerifyingKeyPoints {
  if (bytes.length < verifyingKeyLength(0)) {
    throw lengthError("vk", `too short: a verifying key has at least ${verifyingKeyLength(0)} bytes`, bytes.length);
  }
  const count = readLe(bytes.subarray(VK_FIXED_BYTES - 8, VK_FIXED_BYTES));
  const icBytes = bytes.length - VK_FIXED_BYTES;
  if (count < 1n || BigInt(icBytes) !== count * BigInt(G1_COMPRESSED_BYTES)) {
    throw new NonRetryableError("vk: IC count does not match the key length", {
      details: { field: "vk.ic", count, icBytes },
    });
  }
  const ic: G1Point[] = [];
  for (let i = 0; i < Number(count); i++) {
    const at = VK_FIXED_BYTES + G1_COMPRESSED_BYTES * i;
    ic.push(decodeG1(bytes.subarray(at, at + G1_COMPRESSED_BYTES), `vk.ic[${i}]`));
  }
  return {
    alpha: decodeG1(bytes.subarray(0, 32), "vk.alpha_g1"),
    beta: decodeG2(bytes.subarray(32, 96), "vk.beta_g2"),
    gamma: decodeG2(bytes.subarray(96, 160), "vk.gamma_g2"),
    delta: decodeG2(bytes.subarray(160, 224), "vk.delta_g2"),
    ic,
  };
}

/**
 * Serializes proof points A || B || C (128 bytes).
 *
 * @example
 * encodeProof({ a, b, c }).length; // 128
 */
export function encodeProof(proof: ProofPoints): Uint8Array {
  return concatBytes(encodeG1(proof.a), encodeG2(proof.b), encodeG1(proof.c));
}

/**
 * Parses and validates proof points (exactly 128 bytes).
 *
 * @example
 * const { a, b, c } = decodeProof(bytes);
 */
export function decodeProof(bytes: Uint8Array): ProofPoints {
  if (bytes.length !== PROOF_BYTES) throw lengthError("proof", `expected ${PROOF_BYTES} bytes`, bytes.length);
  return {
    a: decodeG1(bytes.subarray(0, 32), "proof.A"),
    b: decodeG2(bytes.subarray(32, 96), "proof.B"),
    c: decodeG1(bytes.subarray(96, 128), "proof.C"),
  };
}

/**
 * Serializes public inputs as concatenated 32-byte LE scalars; each must be below r.
 *
 * @example
 * encodePublicInputs([4294967297n]); // 0100000001000000...00
 */
export function encodePublicInputs(inputs: readonly bigint[]): Uint8Array {
  if (inputs.length > MAX_PUBLIC_INPUTS) {
    throw lengthError("publicInputs", `Sui takes at most ${MAX_PUBLIC_INPUTS} public inputs`, inputs.length);
  }
  return concatBytes(...inputs.map((v, i) => encodeScalar(v, `publicInputs[${i}]`)));
}

/**
 * Parses public inputs: a multiple of 32 bytes, at most 8 scalars, each below r.
 *
 * @example
 * decodePublicInputs(encodePublicInputs([1n, 2n])); // [1n, 2n]
 */
export function decodePublicInputs(bytes: Uint8Array): bigint[] {
  if (bytes.length % SCALAR_BYTES !== 0) {
    throw lengthError("publicInputs", `length is not a multiple of ${SCALAR_BYTES}`, bytes.length);
  }
  if (bytes.length / SCALAR_BYTES > MAX_PUBLIC_INPUTS) {
    throw lengthError("publicInputs", `Sui takes at most ${MAX_PUBLIC_INPUTS} public inputs`, bytes.length);
  }
  const out: bigint[] = [];
  for (let at = 0; at < bytes.length; at += SCALAR_BYTES) {
    out.push(decodeScalar(bytes.subarray(at, at + SCALAR_BYTES), `publicInputs[${at / SCALAR_BYTES}]`));
  }
  return out;
}

/**
 * Serializes a prepared verifying key into the four vectors of `groth16::pvk_from_bytes`.
 *
 * @example
 * const { vkGammaAbcG1, alphaG1BetaG2, gammaG2NegPc, deltaG2NegPc } = encodePreparedVerifyingKey(pvk);
 */
export function encodePreparedVerifyingKey(pvk: PreparedVerifyingKeyPoints): PreparedVerifyingKeyBytes {
  return {
    vkGammaAbcG1: concatBytes(...pvk.ic.map(encodeG1)),
    alphaG1BetaG2: encodeGt(pvk.alphaBeta),
    gammaG2NegPc: encodeG2(pvk.gammaNeg),
    deltaG2NegPc: encodeG2(pvk.deltaNeg),
  };
}

/**
 * Parses and validates the four vectors of a prepared verifying key.
 *
 * @example
 * const pvk = decodePreparedVerifyingKey(prepareVerifyingKey(vkBytes));
 */
export function decodePreparedVerifyingKey(bytes: PreparedVerifyingKeyBytes): PreparedVerifyingKeyPoints {
  const icBytes = bytes.vkGammaAbcG1;
  if (icBytes.length === 0 || icBytes.length % G1_COMPRESSED_BYTES !== 0) {
    throw lengthError("pvk.vk_gamma_abc_g1", `length is not a positive multiple of ${G1_COMPRESSED_BYTES}`, icBytes.length);
  }
  const ic: G1Point[] = [];
  for (let at = 0; at < icBytes.length; at += G1_COMPRESSED_BYTES) {
    ic.push(decodeG1(icBytes.subarray(at, at + G1_COMPRESSED_BYTES), `pvk.vk_gamma_abc_g1[${at / G1_COMPRESSED_BYTES}]`));
  }
  if (bytes.alphaG1BetaG2.length !== GT_BYTES) {
    throw lengthError("pvk.alpha_g1_beta_g2", `expected ${GT_BYTES} bytes`, bytes.alphaG1BetaG2.length);
  }
  return {
    ic,
    alphaBeta: decodeGt(bytes.alphaG1BetaG2, "pvk.alpha_g1_beta_g2"),
    gammaNeg: decodeG2(bytes.gammaG2NegPc, "pvk.gamma_g2_neg_pc"),
    deltaNeg: decodeG2(bytes.deltaG2NegPc, "pvk.delta_g2_neg_pc"),
  };
}

/** Which of the three byte strings a shape problem is about. */
export type Groth16Argument = "vk" | "publicInputs" | "proof";

/** A length or count that cannot be right, before any curve arithmetic. */
export interface ShapeProblem {
  argument: Groth16Argument;
  message: string;
}

/**
 * Length and count problems of a (vk, public inputs, proof) triple, empty when the shapes
 * fit; used to tell malformed arguments apart from well-formed bytes that do not verify.
 *
 * @example
 * shapeProblems({ vk, publicInputs, proof: new Uint8Array(127) });
 * // [{ argument: "proof", message: "expected 128 bytes, got 127" }]
 */
export function shapeProblems(bytes: { vk: Uint8Array; publicInputs: Uint8Array; proof: Uint8Array }): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  const { vk, publicInputs, proof } = bytes;
  let icCount: bigint | undefined;
  if (vk.length < verifyingKeyLength(0) || (vk.length - VK_FIXED_BYTES) % G1_COMPRESSED_BYTES !== 0) {
    problems.push({
      argument: "vk",
      message: `expected ${verifyingKeyLength(0)} + 32·nPublic bytes (296 for one public input), got ${vk.length}`,
    });
  } else {
    icCount = readLe(vk.subarray(VK_FIXED_BYTES - 8, VK_FIXED_BYTES));
    const fromLength = (vk.length - VK_FIXED_BYTES) / G1_COMPRESSED_BYTES;
    if (icCount !== BigInt(fromLength)) {
      problems.push({ argument: "vk", message: `IC count field says ${icCount}, the length holds ${fromLength} IC points` });
      icCount = undefined;
    }
  }
  const nInputs = publicInputs.length / SCALAR_BYTES;
  if (publicInputs.length % SCALAR_BYTES !== 0) {
    problems.push({ argument: "publicInputs", message: `expected a multiple of 32 bytes, got ${publicInputs.length}` });
  } else if (nInputs > MAX_PUBLIC_INPUTS) {
    problems.push({ argument: "publicInputs", message: `Sui takes at most ${MAX_PUBLIC_INPUTS} public inputs, got ${nInputs}` });
  } else if (icCount !== undefined && BigInt(nInputs) + 1n !== icCount) {
    problems.push({ argument: "publicInputs", message: `the key takes ${icCount - 1n} public inputs, got ${nInputs}` });
  }
  if (proof.length !== PROOF_BYTES) {
    problems.push({ argument: "proof", message: `expected ${PROOF_BYTES} bytes, got ${proof.length}` });
  }
  return problems;
}
