/**
 * How a Sui object becomes a key and a value of the state tree. Move recomputes exactly
 * this with `sui::poseidon::poseidon_bn254` and `sui::hash::blake2b256`, so every step is
 * spelled out.
 *
 * key   = Poseidon(id_hi, id_lo)
 *         id_hi / id_lo: the 32-byte object id read big-endian, split into its first and
 *         last 16 bytes (each < 2^128).
 *
 * value = Poseidon(version, digest_hi, digest_lo, owner_kind, owner_hi, owner_lo,
 *                  owner_version, type_hi, type_lo)
 *         version:        the object's version (u64).
 *         digest_hi/lo:   the 32-byte object digest, split like the id.
 *         owner_kind:     Sui's BCS variant index of `Owner` (OWNER_KIND below).
 *         owner_hi/lo:    the owning address or object id, split like the id, for
 *                         address, object and consensus-address owners; 0, 0 otherwise.
 *         owner_version:  initial shared version for shared objects, start version for
 *                         consensus-address owners; 0 otherwise.
 *         type_hi/lo:     blake2b-256 of the type's Move `type_name` string, split like
 *                         the id; 0, 0 for packages (no type).
 *
 * The type string hashed is what Move's `std::type_name::with_defining_ids<T>()` returns:
 * the canonical type with defining package ids, each address as 64 lowercase hex digits
 * WITHOUT the `0x` prefix, type arguments joined by "," with no spaces, e.g.
 * `0000…0002::coin::Coin<0000…0002::sui::SUI>`. So a Move contract checks an object's type
 * with `blake2b256(type_name::with_defining_ids<T>().into_string().as_bytes())`.
 *
 * A value is never 0 in practice (a Poseidon output); the tree reserves 0 for "absent".
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { NonRetryableError } from "../../common/errors.ts";
import type { Owner } from "../../indexer/model.ts";
import { bytesToLimbs } from "./field.ts";
import type { Poseidon } from "./poseidon.ts";

/** `owner_kind`: the variant index of Sui's `Owner` enum in BCS. */
export const OWNER_KIND = {
  address: 0n,
  object: 1n,
  shared: 2n,
  immutable: 3n,
  consensusAddress: 4n,
} as const satisfies Record<Owner["kind"], bigint>;

/** The state of an object that the tree commits to. */
export interface ObjectState {
  /** u64 version. */
  version: bigint;
  /** 32-byte object digest. */
  digest: Uint8Array;
  owner: Owner;
  /** Canonical Move type with `0x` full-length addresses, or null for a package. */
  type: string | null;
}

const U64_LIMIT = 1n << 64n;
const ADDRESS = /^0x[0-9a-f]{64}$/;

/**
 * The two key inputs of an object id: [id_hi, id_lo].
 *
 * @example
 * objectKeyFields("0x" + "00".repeat(31) + "05"); // [0n, 5n]
 */
export function objectKeyFields(objectId: string): [bigint, bigint] {
  return bytesToLimbs(addressBytes(objectId, "object id"), "object id");
}

/**
 * key = Poseidon(id_hi, id_lo).
 *
 * @example
 * const key = objectKey(await loadPoseidon(), "0x" + "ab".repeat(32));
 */
export function objectKey(poseidon: Poseidon, objectId: string): bigint {
  return poseidon.hash(objectKeyFields(objectId));
}

/**
 * The nine value inputs, in order: version, digest_hi, digest_lo, owner_kind, owner_hi,
 * owner_lo, owner_version, type_hi, type_lo.
 *
 * @example
 * objectValueFields({ version: 7n, digest, owner: { kind: "immutable" }, type: null });
 */
export function objectValueFields(state: ObjectState): bigint[] {
  if (state.version < 0n || state.version >= U64_LIMIT) {
    throw new NonRetryableError("object version must be a u64", { details: { version: state.version } });
  }
  const [digestHi, digestLo] = bytesToLimbs(state.digest, "object digest");
  const [ownerHi, ownerLo, ownerVersion] = ownerFields(state.owner);
  const [typeHi, typeLo] = state.type === null ? [0n, 0n] : typeHashLimbs(state.type);
  return [
    state.version,
    digestHi,
    digestLo,
    OWNER_KIND[state.owner.kind],
    ownerHi,
    ownerLo,
    ownerVersion,
    typeHi,
    typeLo,
  ];
}

/**
 * value = Poseidon(objectValueFields(state)).
 *
 * @example
 * const value = objectValue(poseidon, { version: 7n, digest, owner, type: "0x…::coin::Coin<…>" });
 */
export function objectValue(poseidon: Poseidon, state: ObjectState): bigint {
  return poseidon.hash(objectValueFields(state));
}

/**
 * Move's `type_name` string of a canonical `0x` type: the `0x` prefixes of its addresses
 * removed. Rejects addresses that are not 64 lowercase hex digits and any whitespace, so
 * a non-canonical type can never hash differently from what Move computes.
 *
 * @example
 * moveTypeName(`0x${"0".repeat(63)}2::sui::SUI`); // "000…0002::sui::SUI"
 */
export function moveTypeName(type: string): string {
  if (/\s/.test(type) || !type.startsWith("0x")) {
    throw new NonRetryableError("type is not in canonical form (full 0x addresses, no spaces)", {
      details: { type },
    });
  }
  // An address starts the type or follows "<" or ","; identifiers may contain "0x" too.
  return type.replace(/(^|[<,])0x([0-9a-zA-Z]*)/g, (_match, before: string, hex: string) => {
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new NonRetryableError("type has an address that is not 64 lowercase hex digits", {
        details: { type, address: `0x${hex}` },
      });
    }
    return before + hex;
  });
}

/**
 * [type_hi, type_lo]: blake2b-256 of the Move `type_name` string (UTF-8), split in two
 * 128-bit limbs.
 *
 * @example
 * typeHashLimbs(`0x${"0".repeat(63)}2::sui::SUI`);
 */
export function typeHashLimbs(type: string): [bigint, bigint] {
  const digest = blake2b(new TextEncoder().encode(moveTypeName(type)), { dkLen: 32 });
  return bytesToLimbs(digest, "type hash");
}

function ownerFields(owner: Owner): [hi: bigint, lo: bigint, version: bigint] {
  switch (owner.kind) {
    case "address":
    case "object":
      return [...bytesToLimbs(addressBytes(owner.address, `${owner.kind} owner`), "owner"), 0n];
    case "shared":
      return [0n, 0n, u64(owner.initialSharedVersion, "initial shared version")];
    case "immutable":
      return [0n, 0n, 0n];
    case "consensusAddress":
      return [
        ...bytesToLimbs(addressBytes(owner.address, "consensus-address owner"), "owner"),
        u64(owner.startVersion, "consensus start version"),
      ];
  }
}

function u64(value: bigint, what: string): bigint {
  if (value < 0n || value >= U64_LIMIT) {
    throw new NonRetryableError(`${what} must be a u64`, { details: { what, value } });
  }
  return value;
}

function addressBytes(address: string, what: string): Uint8Array {
  if (!ADDRESS.test(address)) {
    throw new NonRetryableError(`${what} must be 0x followed by 64 lowercase hex digits`, {
      details: { what, address },
    });
  }
  return Uint8Array.from(Buffer.from(address.slice(2), "hex"));
}
