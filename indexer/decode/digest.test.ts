import { describe, expect, it } from "vitest";
import { suiDigest, suiDigestPortable } from "./digest.ts";

describe("Sui digests", () => {
  it("the WebAssembly BLAKE2b agrees with the portable one on every length around block edges", () => {
    for (const length of [0, 1, 31, 32, 64, 111, 127, 128, 129, 255, 256, 1000, 4096, 100_003]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(suiDigest("Object", bytes)).toEqual(suiDigestPortable("Object", bytes));
    }
  });

  it("prefixes the type name: different types give different digests of the same bytes", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(suiDigest("TransactionData", bytes)).not.toEqual(suiDigest("TransactionEffects", bytes));
  });
});
