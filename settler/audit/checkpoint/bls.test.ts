import { bls12_381 } from "@noble/curves/bls12-381.js";
import { describe, expect, it } from "vitest";
import { BlsEncodingError, MIN_SIG_DST, parseBlsPublicKey, parseBlsSignature, verifyAggregateSignature } from "./bls.ts";

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));

/**
 * Known-answer vector from Sui's own framework tests
 * (crates/sui-framework/packages/sui-framework/tests/crypto/bls12381_tests.move,
 * `test_bls12381_min_sig_valid_sig`), which `sui::bls12381::bls12381_min_sig_verify`
 * checks with fastcrypto's min-sig: the same scheme and DST as validator signatures.
 */
const SUI_VECTOR = {
  message: hex("0101010101"),
  publicKey: hex(
    "8df101606f91f3cad7f54b8aff0f0f64c41c482d9b9f9fe81d2b607bc5f611bdfa8017cf04b47b44b222c356ef555fbd11058c52c077f5a7ec6a15ccfd639fdc9bd47d005a111dd6cdb8c02fe49608df55a3c9822986ad0b86bdea3abfdfe464",
  ),
  signature: hex("908e345f2e2803cd941ae88c218c96194233c9053fa1bca52124787d3cca141c36429d7652435a820c72992d5eee6317"),
};

/** A compressed encoding whose x is on the curve but whose point is outside the subgroup. */
function offSubgroupEncoding(length: 48 | 96): Uint8Array {
  for (let x = 1; x < 200; x++) {
    const bytes = new Uint8Array(length);
    bytes[0] = 0x80;
    bytes[length - 1] = x;
    try {
      if (length === 48) bls12_381.shortSignatures.Signature.fromBytes(bytes);
      else bls12_381.G2.Point.fromBytes(bytes);
    } catch (error) {
      if (/subgroup/.test((error as Error).message)) return bytes;
    }
  }
  throw new Error("no off-subgroup point found");
}

function encodingError(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(BlsEncodingError);
    return String((error as BlsEncodingError).details.reason);
  }
  throw new Error("expected a BlsEncodingError");
}

describe("BLS12-381 min-sig", () => {
  it("uses fastcrypto's G1 DST", () => {
    expect(MIN_SIG_DST).toBe("BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_");
  });

  it("verifies Sui's framework min-sig vector, and only for its message and key", () => {
    const key = parseBlsPublicKey(SUI_VECTOR.publicKey);
    const signature = parseBlsSignature(SUI_VECTOR.signature);
    expect(verifyAggregateSignature(signature, [key], SUI_VECTOR.message)).toBe(true);
    // The same vector's negative case: first message byte changed.
    expect(verifyAggregateSignature(signature, [key], hex("0201010101"))).toBe(false);
    const other = bls12_381.shortSignatures.getPublicKey(bls12_381.utils.randomSecretKey());
    expect(verifyAggregateSignature(signature, [other], SUI_VECTOR.message)).toBe(false);
    expect(verifyAggregateSignature(signature, [], SUI_VECTOR.message)).toBe(false);
  });

  it("verifies an aggregate over one message against the sum of the signers' keys", () => {
    const s = bls12_381.shortSignatures;
    const message = new TextEncoder().encode("checkpoint");
    const hashed = s.hash(message, MIN_SIG_DST);
    const keys = [1, 2, 3].map(() => s.keygen());
    const aggregate = s.aggregateSignatures(keys.map((k) => s.sign(hashed, k.secretKey)));
    const publicKeys = keys.map((k) => k.publicKey);
    expect(verifyAggregateSignature(aggregate, publicKeys, message)).toBe(true);
    expect(verifyAggregateSignature(aggregate, publicKeys.slice(0, 2), message)).toBe(false);
    expect(verifyAggregateSignature(aggregate, [...publicKeys, publicKeys[0]!], message)).toBe(false);
    // A signature under another DST (the G2 suite's tag) does not verify.
    const wrongDst = s.aggregateSignatures(keys.map((k) => s.sign(s.hash(message, "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"), k.secretKey)));
    expect(verifyAggregateSignature(wrongDst, publicKeys, message)).toBe(false);
  });

  it("refuses keys that are the wrong length, off the curve, outside the subgroup or infinity", () => {
    expect(encodingError(() => parseBlsPublicKey(SUI_VECTOR.publicKey.subarray(1)))).toMatch(/95 bytes/);
    const infinity = new Uint8Array(96);
    infinity[0] = 0xc0;
    expect(encodingError(() => parseBlsPublicKey(infinity))).toMatch(/infinity/);
    expect(encodingError(() => parseBlsPublicKey(offSubgroupEncoding(96)))).toMatch(/subgroup/);
    const uncompressedFlag = Uint8Array.from(SUI_VECTOR.publicKey);
    uncompressedFlag[0]! &= 0x7f;
    expect(encodingError(() => parseBlsPublicKey(uncompressedFlag))).not.toBe("");
  });

  it("refuses signatures that are the wrong length, outside the subgroup or infinity", () => {
    expect(encodingError(() => parseBlsSignature(SUI_VECTOR.signature.subarray(0, 47)))).toMatch(/47 bytes/);
    const infinity = new Uint8Array(48);
    infinity[0] = 0xc0;
    expect(encodingError(() => parseBlsSignature(infinity))).toMatch(/infinity/);
    expect(encodingError(() => parseBlsSignature(offSubgroupEncoding(48)))).toMatch(/subgroup/);
  });
});
