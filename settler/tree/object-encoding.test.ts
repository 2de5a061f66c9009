import { blake2b } from "@noble/hashes/blake2.js";
import { describe, expect, it } from "vitest";
import { bytesToLimbs } from "./field.ts";
import {
  moveTypeName,
  objectKey,
  objectKeyFields,
  objectValue,
  objectValueFields,
  OWNER_KIND,
  typeHashLimbs,
  type ObjectState,
} from "./object-encoding.ts";
import { loadPoseidon } from "./poseidon.ts";

const ID = `0x${"0123456789abcdef".repeat(4)}`;
const SUI = `0x${"0".repeat(63)}2`;
const OWNER = `0x${"ff".repeat(31)}01`;
const digest = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

describe("object key", () => {
  it("is Poseidon of the id's high and low 128 bits", async () => {
    const poseidon = await loadPoseidon();
    const [hi, lo] = objectKeyFields(ID);
    expect(hi).toBe(0x0123456789abcdef0123456789abcdefn);
    expect(lo).toBe(0x0123456789abcdef0123456789abcdefn);
    expect(objectKey(poseidon, ID)).toBe(poseidon.hash([hi, lo]));
    expect(objectKeyFields(`0x${"00".repeat(31)}05`)).toEqual([0n, 5n]);
  });

  it("rejects ids that are not 0x + 64 lowercase hex digits", () => {
    for (const bad of ["0x2", ID.toUpperCase(), ID.slice(2), `${ID}00`]) {
      expect(() => objectKeyFields(bad)).toThrow(/object id must be 0x followed by 64 lowercase hex digits/);
    }
  });
});

describe("object value", () => {
  it("lays out the nine fields in the documented order", () => {
    const state: ObjectState = {
      version: 42n,
      digest,
      owner: { kind: "shared", initialSharedVersion: 7n },
      type: `${SUI}::coin::Coin<${SUI}::sui::SUI>`,
    };
    const [dHi, dLo] = bytesToLimbs(digest, "digest");
    const [tHi, tLo] = typeHashLimbs(state.type as string);
    expect(objectValueFields(state)).toEqual([42n, dHi, dLo, 2n, 0n, 0n, 7n, tHi, tLo]);
  });

  it("encodes every owner kind with Sui's variant index", () => {
    const [oHi, oLo] = bytesToLimbs(Buffer.from(OWNER.slice(2), "hex"), "owner");
    const fields = (owner: ObjectState["owner"]) =>
      objectValueFields({ version: 1n, digest, owner, type: null }).slice(3, 7);
    expect(fields({ kind: "address", address: OWNER })).toEqual([0n, oHi, oLo, 0n]);
    expect(fields({ kind: "object", address: OWNER })).toEqual([1n, oHi, oLo, 0n]);
    expect(fields({ kind: "shared", initialSharedVersion: 9n })).toEqual([2n, 0n, 0n, 9n]);
    expect(fields({ kind: "immutable" })).toEqual([3n, 0n, 0n, 0n]);
    expect(fields({ kind: "consensusAddress", address: OWNER, startVersion: 11n })).toEqual([4n, oHi, oLo, 11n]);
    expect(Object.values(OWNER_KIND)).toEqual([0n, 1n, 2n, 3n, 4n]);
  });

  it("gives packages zero type limbs and hashes with Poseidon(9)", async () => {
    const poseidon = await loadPoseidon();
    const state: ObjectState = { version: 3n, digest, owner: { kind: "immutable" }, type: null };
    const fields = objectValueFields(state);
    expect(fields.slice(7)).toEqual([0n, 0n]);
    expect(objectValue(poseidon, state)).toBe(poseidon.hash(fields));
  });

  it("changes with every field", async () => {
    const poseidon = await loadPoseidon();
    const base: ObjectState = { version: 3n, digest, owner: { kind: "address", address: OWNER }, type: `${SUI}::a::B` };
    const values = new Set(
      [
        base,
        { ...base, version: 4n },
        { ...base, digest: digest.map((b) => b ^ 1) },
        { ...base, owner: { kind: "object", address: OWNER } } as ObjectState,
        { ...base, type: `${SUI}::a::C` },
      ].map((s) => objectValue(poseidon, s)),
    );
    expect(values.size).toBe(5);
  });

  it("rejects versions outside u64 and digests of the wrong size", () => {
    const owner = { kind: "immutable" } as const;
    expect(() => objectValueFields({ version: 1n << 64n, digest, owner, type: null })).toThrow(/version must be a u64/);
    expect(() => objectValueFields({ version: -1n, digest, owner, type: null })).toThrow(/version must be a u64/);
    expect(() => objectValueFields({ version: 1n, digest: digest.subarray(1), owner, type: null })).toThrow(
      /object digest must be 32 bytes/,
    );
  });
});

describe("type hash", () => {
  it("hashes Move's type_name string: addresses without 0x, arguments joined by ','", () => {
    const type = `${SUI}::coin::Coin<${SUI}::sui::SUI>`;
    const name = `${"0".repeat(63)}2::coin::Coin<${"0".repeat(63)}2::sui::SUI>`;
    expect(moveTypeName(type)).toBe(name);
    expect(typeHashLimbs(type)).toEqual(bytesToLimbs(blake2b(new TextEncoder().encode(name), { dkLen: 32 }), "t"));
    const pair = `${SUI}::pool::Pool<${SUI}::sui::SUI,vector<u8>>`;
    expect(moveTypeName(pair)).toBe(`${"0".repeat(63)}2::pool::Pool<${"0".repeat(63)}2::sui::SUI,vector<u8>>`);
  });

  it("leaves identifiers that contain 0x alone", () => {
    expect(moveTypeName(`${SUI}::m0x1::T0xab`)).toBe(`${"0".repeat(63)}2::m0x1::T0xab`);
  });

  it("rejects short or uppercase addresses and spaces", () => {
    expect(() => moveTypeName("0x2::sui::SUI")).toThrow(/not 64 lowercase hex digits/);
    expect(() => moveTypeName(`${SUI}::coin::Coin<0x2::sui::SUI>`)).toThrow(/not 64 lowercase hex digits/);
    expect(() => moveTypeName(`0x${"A".repeat(64)}::a::B`)).toThrow(/not 64 lowercase hex digits/);
    expect(() => moveTypeName(`${SUI}::p::P<${SUI}::a::A, u8>`)).toThrow(/canonical form/);
    expect(() => moveTypeName("u64")).toThrow(/canonical form/);
  });
});
