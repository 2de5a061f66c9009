/**
 * The test double's object store: every live object at its current version, with the
 * owner, Move type and BCS contents, and a digest that changes with every write. Versions
 * follow Sui's lamport rule (a transaction writes each object it touches at one more than
 * the largest input version), so a transaction built against an older version of a gas
 * coin or capability is refused as Sui refuses it.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { bcs } from "@mysten/sui/bcs";
import { normalizeStructTag, normalizeSuiAddress, toBase58 } from "@mysten/sui/utils";

export type DoubleOwner =
  | { kind: "address"; address: string }
  | { kind: "shared"; initialSharedVersion: bigint }
  | { kind: "immutable" };

export interface DoubleObject {
  id: string;
  version: bigint;
  digest: string;
  owner: DoubleOwner;
  /** Canonical struct tag (normalized addresses). */
  type: string;
  /** BCS of the Move struct (starts with the UID). */
  contents: Uint8Array;
}

export const SUI_COIN_TYPE = normalizeStructTag("0x2::coin::Coin<0x2::sui::SUI>");
export const CoinBcs = bcs.struct("Coin", { id: bcs.Address, balance: bcs.u64() });

/** A digest for an object state: blake2b256 over id, version, owner and contents, base58. */
export function objectDigest(id: string, version: bigint, owner: DoubleOwner, contents: Uint8Array): string {
  const ownerText = owner.kind === "address" ? `a:${owner.address}` : owner.kind === "shared" ? `s:${owner.initialSharedVersion}` : "i";
  const header = new TextEncoder().encode(`${id}|${version}|${ownerText}|`);
  const data = new Uint8Array(header.length + contents.length);
  data.set(header);
  data.set(contents, header.length);
  return toBase58(blake2b(data, { dkLen: 32 }));
}

/** A fresh object id, derived as Sui does from the creating transaction and a counter. */
export function deriveObjectId(txDigestBytes: Uint8Array, index: number): string {
  const data = new Uint8Array(txDigestBytes.length + 8);
  data.set(txDigestBytes);
  new DataView(data.buffer).setBigUint64(txDigestBytes.length, BigInt(index), true);
  return normalizeSuiAddress(Buffer.from(blake2b(data, { dkLen: 32 })).toString("hex"));
}

export interface Ledger {
  get(id: string): DoubleObject | undefined;
  /** Writes `object` at `version`, recomputing its digest. */
  put(object: Omit<DoubleObject, "digest">): DoubleObject;
  /** Deletes an object (a gas coin merged into another). */
  remove(id: string): void;
  ownedBy(address: string, type?: string): DoubleObject[];
  all(): DoubleObject[];
}

/**
 * @example
 * const ledger = createLedger();
 * ledger.put({ id, version: 1n, owner: { kind: "address", address }, type: SUI_COIN_TYPE, contents });
 */
export function createLedger(): Ledger {
  const objects = new Map<string, DoubleObject>();
  return {
    get: (id) => objects.get(normalizeSuiAddress(id)),
    put(object) {
      const id = normalizeSuiAddress(object.id);
      const stored: DoubleObject = { ...object, id, type: normalizeStructTag(object.type), digest: objectDigest(id, object.version, object.owner, object.contents) };
      objects.set(id, stored);
      return stored;
    },
    remove: (id) => {
      objects.delete(normalizeSuiAddress(id));
    },
    ownedBy(address, type) {
      const owner = normalizeSuiAddress(address);
      const wanted = type ? normalizeStructTag(type) : undefined;
      return [...objects.values()].filter(
        (o) => o.owner.kind === "address" && o.owner.address === owner && (!wanted || o.type === wanted),
      );
    },
    all: () => [...objects.values()],
  };
}
