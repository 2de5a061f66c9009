import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { fixturesDir } from "../../common/fixtures.ts";
import { loadPoseidon } from "../tree/poseidon.ts";
import { concatBytes, parseHex, readLe, toHex, writeLe } from "./bytes.ts";
import { FIELD_MODULUS, SCALAR_MODULUS } from "./curve.ts";
import { decodeProof, decodeVerifyingKey, encodeProof, encodeVerifyingKey } from "./sui-format.ts";
import { parseSuiVectors, type PreparedKeyVector, type PrepareKeyVector, type RawKeyVector } from "./sui-vectors.ts";
import { checkGroth16, prepareVerifyingKey, verifyGroth16, verifyGroth16Prepared } from "./verifier.ts";

const vectors = parseSuiVectors(readFileSync(join(fixturesDir(), "groth16", "sui_groth16_vectors.txt"), "utf8"));
const raw = vectors.groth16.filter((v): v is RawKeyVector => v.kind === "raw");
const prepared = vectors.groth16.filter((v): v is PreparedKeyVector => v.kind === "prepared");
const prepare = vectors.groth16.filter((v): v is PrepareKeyVector => v.kind === "prepare");

// The 384-byte e(alpha, beta) that Sui's own test expects from prepare_verifying_key for the
// key of the "prepare" vector; the shared file refers to it ("see the file") without quoting it.
// Source: MystenLabs/sui crates/sui-framework/packages/sui-framework/tests/crypto/groth16_tests.move,
// test_prepare_verifying_key_bn254, expected_alpha_bytes (commit 0d9d59f6aa3db3f1b3d9b9aeb623b8cd377340b1).
const SUI_TEST_PREPARE_ALPHA_BETA =
  "61665b255f20b17bbd56b04a9e4d6bf596cb8d578ce5b2a9ccd498e26d394a3071485596cabce152f68889799f7f6b4e94d415c28e14a3aa609e389e344ae72778358ca908efe2349315bce79341c69623a14397b7fa47ae3fa31c6e41c2ee1b6ab50ef5434c1476d9894bc6afee68e0907b98aa8dfa3464cc9a122b247334064ff7615318b47b881cef4869f3dbfde38801475ae15244be1df58f55f71a5a01e28c8fa91fac886b97235fddb726dfc6a916483464ea130b6f82dc602e684b14f5ee655e510a0c1dd6f87b608718cd19d63a914f745a80c8016aa2c49883482aa28acd647cf9ce56446c0330fe6568bc03812b3bda44d804530abc67305f4914a509ecdc30f0b88b1a4a8b11e84856b333da3d86bb669a53dbfcde59511be60d8d5f7c79faa4910bf396ab04e7239d491e0a3bee177e6c9aac0ecbcd09ca850afcd46f25410849cefcfbdac828e7b057d4a732a373aad913d4b767897ba15d0bfcbcbb25bc5f2dae1ea59196ede9666a5c260f054b1a64977666af6a03076409";

/** A copy of `bytes` with `edit` applied. */
function edited(bytes: Uint8Array, edit: (copy: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  edit(copy);
  return copy;
}

describe("the shared Sui vectors file", () => {
  it("holds the vectors these tests expect, so none is skipped silently", () => {
    expect(raw.map((v) => v.name.slice(0, 8))).toEqual(["VECTOR 1", "VECTOR 3"]);
    expect(prepared).toHaveLength(1);
    expect(prepare).toHaveLength(1);
    expect(vectors.poseidon).toHaveLength(4);
  });
});

describe("Groth16 vectors with a raw verifying key", () => {
  it.each(raw.map((v) => [v.name, v] as const))("%s gives the expected verdict", (_name, v) => {
    expect(verifyGroth16(v)).toBe(v.expected);
    expect(verifyGroth16Prepared({ pvk: prepareVerifyingKey(v.vk), publicInputs: v.publicInputs, proof: v.proof })).toBe(
      v.expected,
    );
  });

  it.each(raw.map((v) => [v.name, v] as const))("%s re-encodes to identical bytes", (_name, v) => {
    expect(toHex(encodeVerifyingKey(decodeVerifyingKey(v.vk)))).toBe(toHex(v.vk));
    expect(toHex(encodeProof(decodeProof(v.proof)))).toBe(toHex(v.proof));
  });
});

describe("Groth16 vectors with a prepared verifying key", () => {
  it.each(prepared.map((v) => [v.name, v] as const))("%s gives the expected verdict", (_name, v) => {
    expect(verifyGroth16Prepared(v)).toBe(v.expected);
  });

  it.each(prepared.map((v) => [v.name, v] as const))("%s: Sui's own negative cases are false, not errors", (_name, v) => {
    const shortIc = { ...v.pvk, vkGammaAbcG1: v.pvk.vkGammaAbcG1.slice(0, -1) };
    expect(verifyGroth16Prepared({ ...v, pvk: shortIc })).toBe(false);
    expect(verifyGroth16Prepared({ ...v, proof: parseHex("4a", "proof") })).toBe(false);
  });
});

describe("prepare_verifying_key vectors", () => {
  it.each(prepare.map((v) => [v.name, v] as const))("%s gives the stated components", (_name, v) => {
    const pvk = prepareVerifyingKey(v.vk);
    const stated = Object.entries(v.expected);
    expect(stated.length).toBeGreaterThanOrEqual(3);
    for (const [key, bytes] of stated) {
      expect(toHex(pvk[key as keyof typeof pvk]), key).toBe(toHex(bytes));
    }
    expect(toHex(pvk.alphaG1BetaG2)).toBe(SUI_TEST_PREPARE_ALPHA_BETA);
  });

  it("refuses an empty key as Sui does (EInvalidVerifyingKey)", () => {
    expect(() => prepareVerifyingKey(new Uint8Array())).toThrow(NonRetryableError);
    expect(verifyGroth16({ vk: new Uint8Array(), publicInputs: raw[0]!.publicInputs, proof: raw[0]!.proof })).toBe(false);
  });
});

describe("Sui's public input limits (negative tests of groth16_tests.move)", () => {
  const v = raw[0]!;
  it("9 public inputs are refused", () => {
    const nine = concatBytes(...Array.from({ length: 9 }, () => v.publicInputs));
    const verdict = checkGroth16({ ...v, publicInputs: nine });
    expect(verdict.valid).toBe(false);
    expect(!verdict.valid && verdict.reason).toMatch(/at most 8/);
  });
  it("an input of 34 bytes is refused", () => {
    expect(verifyGroth16({ ...v, publicInputs: concatBytes(v.publicInputs, parseHex("1234", "x")) })).toBe(false);
  });
});

describe("Poseidon vectors (circomlibjs = sui::poseidon::poseidon_bn254)", () => {
  it.each(vectors.poseidon.map((v) => [v.inputs.length, v] as const))("%i inputs hash to the stated value", async (_n, v) => {
    const poseidon = await loadPoseidon();
    expect(poseidon.hash(v.inputs)).toBe(v.output);
  });
  it("refuses a non-canonical input and 17 inputs, where Move aborts", async () => {
    const poseidon = await loadPoseidon();
    expect(vectors.poseidonNonCanonicalInput >= SCALAR_MODULUS).toBe(true);
    expect(() => poseidon.hash([vectors.poseidonNonCanonicalInput])).toThrow(NonRetryableError);
    expect(() => poseidon.hash(Array.from({ length: 17 }, (_, i) => BigInt(i)))).toThrow(NonRetryableError);
  });
});

describe("tampering is rejected", () => {
  const v = raw[0]!;
  const input = readLe(v.publicInputs);

  it("another public input", () => {
    expect(verifyGroth16({ ...v, publicInputs: writeLe(input + 1n, 32) })).toBe(false);
  });

  it("the same input plus r (non-canonical; a verifier reducing mod r would accept it)", () => {
    const verdict = checkGroth16({ ...v, publicInputs: writeLe(input + SCALAR_MODULUS, 32) });
    expect(verdict.valid).toBe(false);
    expect(!verdict.valid && verdict.reason).toMatch(/not below the scalar field modulus/);
  });

  it("a missing or an extra public input", () => {
    expect(verifyGroth16({ ...v, publicInputs: new Uint8Array() })).toBe(false);
    expect(verifyGroth16({ ...v, publicInputs: concatBytes(v.publicInputs, v.publicInputs) })).toBe(false);
  });

  it.each([
    ["A", 31],
    ["B", 95],
    ["C", 127],
  ])("proof point %s negated (sign flag flipped)", (_point, flagByte) => {
    expect(verifyGroth16({ ...v, proof: edited(v.proof, (p) => (p[flagByte]! ^= 0x80)) })).toBe(false);
  });

  it("proof points swapped or truncated or extended", () => {
    const swappedAc = concatBytes(v.proof.slice(96, 128), v.proof.slice(32, 96), v.proof.slice(0, 32));
    expect(verifyGroth16({ ...v, proof: swappedAc })).toBe(false);
    expect(verifyGroth16({ ...v, proof: v.proof.slice(0, 127) })).toBe(false);
    expect(verifyGroth16({ ...v, proof: concatBytes(v.proof, new Uint8Array(1)) })).toBe(false);
  });

  it("B with its Fq2 halves swapped", () => {
    const b = v.proof.slice(32, 96);
    const swapped = concatBytes(b.slice(32, 64), b.slice(0, 32));
    // Move the flags back to byte 63 so only the coordinate order differs.
    const flags = b[63]! & 0xc0;
    swapped[31]! &= 0x3f;
    swapped[63] = (swapped[63]! & 0x3f) | flags;
    expect(verifyGroth16({ ...v, proof: concatBytes(v.proof.slice(0, 32), swapped, v.proof.slice(96)) })).toBe(false);
  });

  it("A with a non-canonical x (at or above p, flags kept)", () => {
    const a = readLe(edited(v.proof.slice(0, 32), (p) => (p[31]! &= 0x3f)));
    const big = a + FIELD_MODULUS < 1n << 254n ? a + FIELD_MODULUS : (1n << 254n) - 1n;
    const bad = concatBytes(edited(writeLe(big, 32), (p) => (p[31]! |= v.proof[31]! & 0xc0)), v.proof.slice(32));
    const verdict = checkGroth16({ ...v, proof: bad });
    expect(verdict.valid).toBe(false);
    expect(!verdict.valid && verdict.reason).toMatch(/not below the base field modulus/);
  });

  it("A replaced by the point at infinity, and both flags set", () => {
    const infinity = edited(new Uint8Array(32), (p) => (p[31] = 0x40));
    expect(verifyGroth16({ ...v, proof: concatBytes(infinity, v.proof.slice(32)) })).toBe(false);
    expect(verifyGroth16({ ...v, proof: edited(v.proof, (p) => (p[31]! |= 0xc0)) })).toBe(false);
  });

  it("verifying key: alpha negated, gamma and delta swapped, an IC point negated", () => {
    expect(verifyGroth16({ ...v, vk: edited(v.vk, (k) => (k[31]! ^= 0x80)) })).toBe(false);
    const swapped = concatBytes(v.vk.slice(0, 96), v.vk.slice(160, 224), v.vk.slice(96, 160), v.vk.slice(224));
    expect(verifyGroth16({ ...v, vk: swapped })).toBe(false);
    expect(verifyGroth16({ ...v, vk: edited(v.vk, (k) => (k[k.length - 1]! ^= 0x80)) })).toBe(false);
  });

  it("verifying key: wrong IC count, trailing bytes, a missing IC point", () => {
    // The u64 count sits after alpha (32) and beta, gamma, delta (64 each): bytes 224..232.
    const verdict = checkGroth16({ ...v, vk: edited(v.vk, (k) => (k[224] = 3)) });
    expect(verdict.valid).toBe(false);
    expect(!verdict.valid && verdict.reason).toMatch(/IC count/);
    expect(verifyGroth16({ ...v, vk: concatBytes(v.vk, new Uint8Array(32)) })).toBe(false);
    expect(verifyGroth16({ ...v, vk: v.vk.slice(0, -32) })).toBe(false);
  });

  it("a proof for one key does not verify under another", () => {
    const other = raw[1]!;
    expect(verifyGroth16({ ...v, vk: other.vk })).toBe(false);
    expect(verifyGroth16({ ...other, proof: v.proof })).toBe(false);
  });

  it("never throws on arbitrary bytes", () => {
    // A fixed xorshift stream, so a failure reproduces.
    let state = 0x2545f491;
    const next = () => ((state ^= state << 13), (state ^= state >>> 17), (state ^= state << 5), state >>> 0);
    const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);
    for (const [vkLen, piLen, proofLen] of [
      [296, 32, 128],
      [328, 64, 128],
      [0, 0, 0],
      [295, 31, 127],
      [296, 32, 1],
    ] as const) {
      expect(verifyGroth16({ vk: randomBytes(vkLen), publicInputs: randomBytes(piLen), proof: randomBytes(proofLen) })).toBe(false);
    }
    // The real key and inputs with random proof points: each point fails one check or another.
    for (let i = 0; i < 5; i++) expect(verifyGroth16({ ...v, proof: randomBytes(128) })).toBe(false);
  });
});
