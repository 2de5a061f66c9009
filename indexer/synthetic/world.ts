/**
 * The evolving object state behind synthetic checkpoints: accounts with gas coins and
 * coins, shared pools with dynamic fields under them, the clock and the randomness object.
 * Every object is serialized with the real `Object` BCS schema and carries its real digest,
 * so versions, owners and digests chain from one transaction to the next.
 */
import { TypeTagSerializer } from "@mysten/sui/bcs";
import type { Owner } from "../model.ts";
import { suiDigest } from "../decode/digest.ts";
import { ByteWriter } from "../decode/byte-writer.ts";
import { MoveObjectType } from "../decode/schema.ts";
import { ownerBytes } from "./encoder.ts";
import type { Rng } from "./rng.ts";
import type { SyntheticShape } from "./shape.ts";

export const SUI = "0x0000000000000000000000000000000000000000000000000000000000000002::sui::SUI";
export const ZERO_ADDRESS = "0x" + "00".repeat(32);
const CLOCK_ID = "0x" + "00".repeat(31) + "06";
const RANDOM_ID = "0x" + "00".repeat(31) + "08";

/** How the object's type is encoded: `MoveObjectType` variants. */
export type ObjectTypeInput = { GasCoin: true } | { Coin: string } | { Other: string };

export interface LiveObject {
  id: string;
  version: bigint;
  owner: Owner;
  type: ObjectTypeInput;
  hasPublicTransfer: boolean;
  contents: Uint8Array;
  previousTransaction: Uint8Array;
  storageRebate: bigint;
  /** The `Object` BCS and its digest at this version. */
  bcs: Uint8Array;
  digest: Uint8Array;
}

export interface Account {
  address: string;
  gas: LiveObject;
  coins: LiveObject[];
}

export interface Pool {
  object: LiveObject;
  initialSharedVersion: bigint;
  coinTypes: [string, string];
  children: LiveObject[];
}

function typeInput(type: ObjectTypeInput): typeof MoveObjectType.$inferInput {
  if ("GasCoin" in type) return { GasCoin: true };
  if ("Coin" in type) return { Coin: type.Coin };
  const tag = TypeTagSerializer.parseFromStr(type.Other, true);
  if (!("struct" in tag)) throw new Error(`not a struct type: ${type.Other}`);
  return { Other: tag.struct };
}

// Serialized `MoveObjectType` values recur constantly: each distinct one is serialized
// once with its schema and reused as bytes.
const typeBytes = new Map<string, Uint8Array>();

function typeKey(type: ObjectTypeInput): string {
  return "GasCoin" in type ? "GasCoin" : "Coin" in type ? `Coin:${type.Coin}` : `Other:${type.Other}`;
}

/**
 * Serializes the object in its current state (`Object { data: Data::Move(MoveObject),
 * owner, previous_transaction, storage_rebate }`) and records its digest.
 */
export function seal(object: Omit<LiveObject, "bcs" | "digest">): LiveObject {
  const w = new ByteWriter(object.contents.length + 256);
  w.u8(0); // Data::Move
  let type = typeBytes.get(typeKey(object.type));
  if (!type) {
    type = MoveObjectType.serialize(typeInput(object.type)).toBytes();
    typeBytes.set(typeKey(object.type), type);
  }
  w.bytes(type);
  w.u8(object.hasPublicTransfer ? 1 : 0);
  w.u64(object.version);
  w.byteVector(object.contents);
  w.bytes(ownerBytes(object.owner));
  w.byteVector(object.previousTransaction);
  w.u64(object.storageRebate);
  const bytes = w.finish();
  const sealed = bytes.slice();
  return { ...object, bcs: sealed, digest: suiDigest("Object", sealed) };
}

/** Contents starting with the object id (every Move object's UID), then `rest`. */
export function contentsWithId(id: string, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(32 + rest.length);
  out.set(Buffer.from(id.slice(2), "hex"), 0);
  out.set(rest, 32);
  return out;
}

export function u64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** Storage rebate roughly proportional to size, as Sui charges it. */
export function rebateFor(contents: Uint8Array): bigint {
  return BigInt(contents.length + 100) * 7600n;
}

const MODULES = ["pool", "book", "vault", "router", "oracle", "margin"];
const FUNCTIONS = ["swap_exact_base_for_quote", "place_limit_order", "cancel_order", "deposit", "withdraw", "update_price", "claim", "borrow"];
const EVENTS = ["OrderPlaced", "OrderFilled", "OrderCanceled", "PriceUpdated", "BalanceEvent", "Deposited", "Withdrawn"];

export class World {
  readonly packages: string[];
  readonly coinTypes: string[];
  readonly accounts: Account[] = [];
  readonly pools: Pool[] = [];
  clock: LiveObject;
  random: LiveObject;
  randomInner: LiveObject;
  readonly randomInitialSharedVersion: bigint;
  /** Digests of the latest transactions, for effects' dependencies. */
  readonly recentDigests: Uint8Array[] = [];
  #accountSlots: number;
  #poolSlots: number;

  constructor(
    private readonly rng: Rng,
    private readonly shape: SyntheticShape,
    startVersion: bigint,
    startTimestampMs: bigint,
  ) {
    this.packages = Array.from({ length: Math.max(1, shape.packages) }, () => rng.address());
    this.coinTypes = [SUI, ...this.packages.slice(0, 3).map((p, i) => `${p}::${["usdc", "deep", "wal"][i]}::${["USDC", "DEEP", "WAL"][i]}`)];
    this.#accountSlots = shape.senders;
    this.#poolSlots = shape.sharedObjects;
    const genesisTx = rng.bytes(32);
    this.clock = seal({
      id: CLOCK_ID,
      version: startVersion,
      owner: { kind: "shared", initialSharedVersion: 1n },
      type: { Other: "0x2::clock::Clock" },
      hasPublicTransfer: false,
      contents: contentsWithId(CLOCK_ID, u64Bytes(startTimestampMs)),
      previousTransaction: genesisTx,
      storageRebate: 0n,
    });
    this.randomInitialSharedVersion = 43342337n;
    this.random = seal({
      id: RANDOM_ID,
      version: startVersion / 4n,
      owner: { kind: "shared", initialSharedVersion: this.randomInitialSharedVersion },
      type: { Other: "0x2::random::Random" },
      hasPublicTransfer: false,
      contents: contentsWithId(RANDOM_ID, rng.bytes(40)),
      previousTransaction: genesisTx,
      storageRebate: 0n,
    });
    const innerId = rng.address();
    this.randomInner = seal({
      id: innerId,
      version: startVersion / 4n,
      owner: { kind: "object", address: rng.address() },
      type: { Other: "0x2::dynamic_field::Field<u64,0x2::random::RandomInner>" },
      hasPublicTransfer: false,
      contents: contentsWithId(innerId, rng.bytes(81)),
      previousTransaction: genesisTx,
      storageRebate: 0n,
    });
  }

  /** An object that existed before the first generated checkpoint. */
  #existing(owner: Owner, type: ObjectTypeInput, rest: Uint8Array, hasPublicTransfer: boolean): LiveObject {
    const id = this.rng.address();
    const contents = contentsWithId(id, rest);
    return seal({
      id,
      version: BigInt(this.rng.int(1000, 5_000_000)),
      owner,
      type,
      hasPublicTransfer,
      contents,
      previousTransaction: this.rng.bytes(32),
      storageRebate: rebateFor(contents),
    });
  }

  /** Senders appear as they are first picked, skewed towards the first ones. */
  pickAccount(): Account {
    const index = Math.floor(this.rng.float() ** 3 * this.#accountSlots);
    while (this.accounts.length <= index) {
      const address = this.rng.address();
      const gas = this.#existing({ kind: "address", address }, { GasCoin: true }, u64Bytes(BigInt(this.rng.int(1, 1_000_000)) * 1_000_000_000n), true);
      this.accounts.push({ address, gas, coins: [] });
    }
    return this.accounts[index]!;
  }

  pickPools(count: number): Pool[] {
    const chosen = new Set<Pool>();
    for (let attempts = 0; chosen.size < Math.min(count, this.#poolSlots) && attempts < 100; attempts++) {
      const index = Math.floor(this.rng.float() ** 2 * this.#poolSlots);
      while (this.pools.length <= index) this.pools.push(this.#newPool());
      chosen.add(this.pools[index]!);
    }
    return [...chosen];
  }

  #newPool(): Pool {
    const pkg = this.rng.pickSkewed(this.packages);
    const coinTypes: [string, string] = [this.rng.pick(this.coinTypes), SUI];
    const initialSharedVersion = BigInt(this.rng.int(1000, 1_000_000));
    const object = this.#existing(
      { kind: "shared", initialSharedVersion },
      { Other: `${pkg}::pool::Pool<${coinTypes[0]},${coinTypes[1]}>` },
      this.rng.bytes(this.contentSize(2)),
      false,
    );
    const pool: Pool = { object: { ...object, version: initialSharedVersion + BigInt(this.rng.int(0, 1000)) }, initialSharedVersion, coinTypes, children: [] };
    pool.object = seal(pool.object);
    for (let i = 0; i < 8; i++) pool.children.push(this.existingChild(pool));
    return pool;
  }

  /** A dynamic field under a pool, as order books and tables keep them. */
  existingChild(pool: Pool): LiveObject {
    return this.#existing({ kind: "object", address: pool.object.id }, { Other: this.childType(pool) }, this.rng.bytes(this.contentSize(0.6)), false);
  }

  childType(pool: Pool): string {
    const pkg = (pool.object.type as { Other: string }).Other.split("::")[0]!;
    return `0x2::dynamic_field::Field<u128,${pkg}::book::Order<${pool.coinTypes[0]}>>`;
  }

  /** Contents size around the shape's mean, scaled (pools are larger than their children). */
  contentSize(scale: number): number {
    const mean = this.shape.objectContentBytes * scale;
    return Math.max(8, Math.round(mean * (0.75 + 0.5 * this.rng.float())));
  }

  moveCall(): { package: string; module: string; function: string } {
    return { package: this.rng.pickSkewed(this.packages), module: this.rng.pick(MODULES), function: this.rng.pick(FUNCTIONS) };
  }

  eventType(pkg: string): string {
    const name = this.rng.pick(EVENTS);
    return this.rng.float() < 0.5 ? `${pkg}::${this.rng.pick(MODULES)}::${name}` : `${pkg}::${this.rng.pick(MODULES)}::${name}<${this.rng.pick(this.coinTypes)}>`;
  }

  remember(digest: Uint8Array): void {
    this.recentDigests.push(digest);
    if (this.recentDigests.length > 8) this.recentDigests.shift();
  }
}
