import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase58, toBase58 } from "@mysten/sui/utils";
import { encodeBase58 } from "./json.ts";
import { parseAddress, parseDigest, parseStructType, parseTypeFilter, parseU64 } from "./params.ts";

const TWO = "0x0000000000000000000000000000000000000000000000000000000000000002";
const DIGEST = "4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc";

describe("parseAddress", () => {
  it("widens short addresses and lowercases", () => {
    expect(parseAddress("0x2")).toBe(TWO);
    expect(parseAddress("0xABC")).toBe(`0x${"abc".padStart(64, "0")}`);
    expect(parseAddress(`0x${"f".repeat(64)}`)).toBe(`0x${"f".repeat(64)}`);
  });
  it.each(["", "0x", "2", "0xzz", `0x${"1".repeat(65)}`, " 0x2", "0x2 ", "0x-1", "0X2"])("rejects %j", (value) => {
    expect(parseAddress(value)).toBeNull();
  });
});

describe("parseDigest", () => {
  it("decodes a 32-byte base58 digest", () => {
    expect(parseDigest("4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc")?.length).toBe(32);
  });
  it.each([
    ["too short", "4c3YE3wdiiU4HGjfy7VKbLf"],
    ["not base58 (0, O, I, l)", "0c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc"],
    ["33 bytes", "4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZcz"],
    ["hex", `0x${"ab".repeat(32)}`],
  ])("rejects %s", (_, value) => {
    expect(parseDigest(value)).toBeNull();
  });
});

describe("parseU64", () => {
  it("accepts decimal integers up to the bigint column's maximum", () => {
    expect(parseU64("0")).toBe(0n);
    expect(parseU64("100000017")).toBe(100000017n);
    expect(parseU64("9223372036854775807")).toBe(2n ** 63n - 1n);
  });
  it.each(["", "-1", "01", "1.5", "1e3", "0x10", "9223372036854775808", "18446744073709551615", " 1"])(
    "rejects %j",
    (value) => {
      expect(parseU64(value)).toBeNull();
    },
  );
});

describe("parseStructType", () => {
  it("gives Sui's canonical form", () => {
    expect(parseStructType("0x2::coin::Coin<0x2::sui::SUI>")).toBe(`${TWO}::coin::Coin<${TWO}::sui::SUI>`);
    expect(parseStructType("0x2::table::Table<u64, vector<0x2::sui::SUI>>")).toBe(
      `${TWO}::table::Table<u64,vector<${TWO}::sui::SUI>>`,
    );
  });
  it.each([
    "0x2::coin",
    "0x2::coin::Coin<",
    "0x2::coin::Coin<>",
    "0xzz::a::B",
    "0x2::1a::B",
    "0x2::a::B<notatype>",
    "0x2::a::b::c",
    "u64",
    "vector<u8>",
    "0x2::a::B<u8>>",
    " 0x2::a::B",
    `0x2::a::B${"<0x2::a::B".repeat(40)}${">".repeat(40)}`,
  ])("rejects %j", (value) => {
    expect(parseStructType(value)).toBeNull();
  });
});

describe("parseTypeFilter", () => {
  it("recognizes each granularity", () => {
    expect(parseTypeFilter("0x2")).toEqual({ kind: "package", prefix: `${TWO}::` });
    expect(parseTypeFilter("0x2::coin")).toEqual({ kind: "module", prefix: `${TWO}::coin::` });
    expect(parseTypeFilter("0x2::coin::Coin")).toEqual({ kind: "name", name: `${TWO}::coin::Coin` });
    expect(parseTypeFilter("0x2::coin::Coin<0x2::sui::SUI>")).toEqual({
      kind: "exact",
      type: `${TWO}::coin::Coin<${TWO}::sui::SUI>`,
    });
  });
  it.each(["", "coin", "0x2::", "0x2::1coin", "0x2::coin::", "0x2::coin::Coin<"])("rejects %j", (value) => {
    expect(parseTypeFilter(value)).toBeNull();
  });
});

describe("encodeBase58", () => {
  it("matches the SDK's toBase58 on digests, leading zeros and edge values included", () => {
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array(32),
      new Uint8Array(32).fill(255),
      Uint8Array.from([0, 0, 1, 2, 3]),
      ...Array.from({ length: 300 }, (_, i) => {
        const bytes = randomBytes(32);
        bytes.fill(0, 0, i % 4); // some with leading zero bytes
        return new Uint8Array(bytes);
      }),
    ];
    for (const input of inputs) expect(encodeBase58(input)).toBe(toBase58(input));
    expect(encodeBase58(fromBase58(DIGEST))).toBe(DIGEST);
  });
});
