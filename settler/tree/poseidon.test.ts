import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { assertCanonical, bytesToLimbs, FIELD_MODULUS, isCanonical } from "./field.ts";
import { loadPoseidon } from "./poseidon.ts";

describe("field", () => {
  it("accepts 0 and r - 1, rejects r, above and negative, naming the value", () => {
    expect(() => assertCanonical(0n, "x")).not.toThrow();
    expect(() => assertCanonical(FIELD_MODULUS - 1n, "x")).not.toThrow();
    for (const bad of [FIELD_MODULUS, FIELD_MODULUS + 1n, 1n << 256n, -1n]) {
      expect(isCanonical(bad)).toBe(false);
      expect(() => assertCanonical(bad, "leaf value")).toThrow(NonRetryableError);
      expect(() => assertCanonical(bad, "leaf value")).toThrow(/leaf value is not a canonical BN254 field element/);
    }
  });

  it("splits 32 bytes big-endian into two 128-bit limbs", () => {
    const bytes = new Uint8Array(32);
    bytes[0] = 0x80;
    bytes[15] = 0x01;
    bytes[16] = 0x02;
    bytes[31] = 0xff;
    expect(bytesToLimbs(bytes, "x")).toEqual([(0x80n << 120n) | 1n, (2n << 120n) | 0xffn]);
    expect(() => bytesToLimbs(new Uint8Array(31), "digest")).toThrow(/digest must be 32 bytes/);
  });
});

describe("poseidon", () => {
  it("matches circomlib's published vectors", async () => {
    const poseidon = await loadPoseidon();
    // From circomlib's test/poseidoncircuit.js (t = 3).
    expect(poseidon.hash([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
    expect(poseidon.hash([3n, 4n])).toBe(14763215145315200506921711489642608356394854266165572616578112107564877678998n);
  });

  it("is built once per process", async () => {
    expect(await loadPoseidon()).toBe(await loadPoseidon());
  });

  it("rejects non-canonical inputs instead of reducing them like circomlibjs does", async () => {
    const poseidon = await loadPoseidon();
    // circomlibjs alone would hash r + 1 as 1: the wrapper must refuse it.
    expect(() => poseidon.hash([FIELD_MODULUS + 1n, 2n])).toThrow(/Poseidon input 0 is not a canonical/);
    expect(() => poseidon.hash([1n, FIELD_MODULUS])).toThrow(/Poseidon input 1/);
    expect(() => poseidon.hash([-1n])).toThrow(NonRetryableError);
  });

  it("takes 1 to 16 inputs, like poseidon_bn254", async () => {
    const poseidon = await loadPoseidon();
    expect(typeof poseidon.hash([1n])).toBe("bigint");
    expect(typeof poseidon.hash(new Array<bigint>(16).fill(1n))).toBe("bigint");
    expect(() => poseidon.hash([])).toThrow(/1 to 16 inputs/);
    expect(() => poseidon.hash(new Array<bigint>(17).fill(1n))).toThrow(/1 to 16 inputs/);
  });
});
