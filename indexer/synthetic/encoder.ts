/**
 * Direct BCS encoding of the transaction-level structures the generator writes thousands of
 * times a second: `TransactionData`, `TransactionEffects::V2`, `TransactionEvents`.
 * @mysten/sui's schemas convert every address from hex and every digest from base58 on each
 * call, which made generation a hundred times slower than decoding. Type tags and owners are
 * still serialized with those schemas (once per distinct value, then reused as bytes), and
 * the tests parse every generated file with the full schemas and require a byte-identical
 * re-serialization, so this encoder cannot drift from them.
 */
import { bcs } from "@mysten/sui/bcs";
import type { GasCostSummary, Owner } from "../model.ts";
import { ByteWriter } from "../decode/byte-writer.ts";

export const ZERO_DIGEST_BYTES = new Uint8Array(32);

const addressCache = new Map<string, Uint8Array>();
const typeTagCache = new Map<string, Uint8Array>();
const structTagCache = new Map<string, Uint8Array>();
const ownerCache = new Map<string, Uint8Array>();

function memo(cache: Map<string, Uint8Array>, key: string, make: () => Uint8Array): Uint8Array {
  let bytes = cache.get(key);
  if (!bytes) {
    if (cache.size > 100_000) cache.clear();
    bytes = make();
    cache.set(key, bytes);
  }
  return bytes;
}

export function addressBytes(address: string): Uint8Array {
  return memo(addressCache, address, () => new Uint8Array(Buffer.from(address.slice(2).padStart(64, "0"), "hex")));
}

function typeTagBytes(type: string): Uint8Array {
  return memo(typeTagCache, type, () => bcs.TypeTag.serialize(type).toBytes());
}

function structTagBytes(type: string): Uint8Array {
  // A StructTag is a TypeTag::Struct without its variant byte.
  return memo(structTagCache, type, () => {
    const tag = typeTagBytes(type);
    if (tag[0] !== 7) throw new Error(`not a struct type: ${type}`);
    return tag.subarray(1);
  });
}

/** The @mysten/sui `Owner` schema's input for a model owner. */
export function ownerInput(owner: Owner): typeof bcs.Owner.$inferInput {
  switch (owner.kind) {
    case "address":
      return { AddressOwner: owner.address };
    case "object":
      return { ObjectOwner: owner.address };
    case "shared":
      return { Shared: { initialSharedVersion: owner.initialSharedVersion } };
    case "immutable":
      return { Immutable: true };
    case "consensusAddress":
      return { ConsensusAddressOwner: { startVersion: owner.startVersion, owner: owner.address } };
  }
}

export function ownerBytes(owner: Owner): Uint8Array {
  const key = owner.kind === "address" || owner.kind === "object" ? `${owner.kind}:${owner.address}` : JSON.stringify(owner, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  return memo(ownerCache, key, () => bcs.Owner.serialize(ownerInput(owner)).toBytes());
}

function writeDigest(w: ByteWriter, digest: Uint8Array): void {
  w.byteVector(digest);
}

function writeString(w: ByteWriter, s: string): void {
  w.byteVector(Buffer.from(s, "utf8"));
}

export interface ObjectRefInput {
  id: string;
  version: bigint;
  digest: Uint8Array;
}

export type CallArgInput =
  | { kind: "pure"; bytes: Uint8Array }
  | { kind: "shared"; id: string; initialSharedVersion: bigint; mutable: boolean }
  | { kind: "owned"; ref: ObjectRefInput };

export type ArgumentInput = { kind: "gas" } | { kind: "input"; index: number } | { kind: "result"; index: number } | { kind: "nested"; index: number; result: number };

export type CommandInput =
  | { kind: "moveCall"; package: string; module: string; function: string; typeArguments: string[]; arguments: ArgumentInput[] }
  | { kind: "splitCoins"; coin: ArgumentInput; amounts: ArgumentInput[] }
  | { kind: "mergeCoins"; destination: ArgumentInput; sources: ArgumentInput[] }
  | { kind: "transferObjects"; objects: ArgumentInput[]; address: ArgumentInput };

export type TransactionKindInput =
  | { kind: "programmable"; inputs: CallArgInput[]; commands: CommandInput[] }
  | {
      kind: "prologueV4";
      epoch: bigint;
      round: bigint;
      commitTimestampMs: bigint;
      consensusCommitDigest: Uint8Array;
      additionalStateDigest: Uint8Array;
    }
  | { kind: "randomness"; epoch: bigint; round: bigint; randomBytes: Uint8Array; initialSharedVersion: bigint };

export interface TransactionDataInput {
  kind: TransactionKindInput;
  sender: string;
  gasPayment: ObjectRefInput[];
  gasOwner: string;
  gasPrice: bigint;
  gasBudget: bigint;
}

function writeArgument(w: ByteWriter, a: ArgumentInput): void {
  switch (a.kind) {
    case "gas":
      w.u8(0);
      return;
    case "input":
    case "result":
      w.u8(a.kind === "input" ? 1 : 2);
      w.u8(a.index & 0xff);
      w.u8(a.index >>> 8);
      return;
    case "nested":
      w.u8(3);
      w.u8(a.index & 0xff);
      w.u8(a.index >>> 8);
      w.u8(a.result & 0xff);
      w.u8(a.result >>> 8);
  }
}

function writeArguments(w: ByteWriter, args: ArgumentInput[]): void {
  w.uleb(args.length);
  for (const a of args) writeArgument(w, a);
}

function writeObjectRef(w: ByteWriter, ref: ObjectRefInput): void {
  w.bytes(addressBytes(ref.id));
  w.u64(ref.version);
  writeDigest(w, ref.digest);
}

/** `TransactionData::V1 { kind, sender, gas_data, expiration: None }`. */
export function encodeTransactionData(data: TransactionDataInput): Uint8Array {
  const w = new ByteWriter(4096);
  w.u8(0); // V1
  const kind = data.kind;
  switch (kind.kind) {
    case "programmable":
      w.u8(0);
      w.uleb(kind.inputs.length);
      for (const input of kind.inputs) {
        if (input.kind === "pure") {
          w.u8(0);
          w.byteVector(input.bytes);
        } else if (input.kind === "shared") {
          w.u8(1);
          w.u8(1); // ObjectArg::SharedObject
          w.bytes(addressBytes(input.id));
          w.u64(input.initialSharedVersion);
          w.u8(input.mutable ? 1 : 0);
        } else {
          w.u8(1);
          w.u8(0); // ObjectArg::ImmOrOwnedObject
          writeObjectRef(w, input.ref);
        }
      }
      w.uleb(kind.commands.length);
      for (const command of kind.commands) {
        switch (command.kind) {
          case "moveCall":
            w.u8(0);
            w.bytes(addressBytes(command.package));
            writeString(w, command.module);
            writeString(w, command.function);
            w.uleb(command.typeArguments.length);
            for (const t of command.typeArguments) w.bytes(typeTagBytes(t));
            writeArguments(w, command.arguments);
            break;
          case "transferObjects":
            w.u8(1);
            writeArguments(w, command.objects);
            writeArgument(w, command.address);
            break;
          case "splitCoins":
            w.u8(2);
            writeArgument(w, command.coin);
            writeArguments(w, command.amounts);
            break;
          case "mergeCoins":
            w.u8(3);
            writeArgument(w, command.destination);
            writeArguments(w, command.sources);
            break;
        }
      }
      break;
    case "prologueV4":
      w.u8(9);
      w.u64(kind.epoch);
      w.u64(kind.round);
      w.u8(0); // sub_dag_index: None
      w.u64(kind.commitTimestampMs);
      writeDigest(w, kind.consensusCommitDigest);
      w.u8(1); // CancelledTransactionsV2
      w.uleb(0);
      writeDigest(w, kind.additionalStateDigest);
      break;
    case "randomness":
      w.u8(6);
      w.u64(kind.epoch);
      w.u64(kind.round);
      w.byteVector(kind.randomBytes);
      w.u64(kind.initialSharedVersion);
      break;
  }
  w.bytes(addressBytes(data.sender));
  w.uleb(data.gasPayment.length);
  for (const ref of data.gasPayment) writeObjectRef(w, ref);
  w.bytes(addressBytes(data.gasOwner));
  w.u64(data.gasPrice);
  w.u64(data.gasBudget);
  w.u8(0); // TransactionExpiration::None
  return w.finish().slice();
}

export interface ChangedObjectInput {
  id: string;
  before: { version: bigint; digest: Uint8Array; owner: Owner } | null;
  after: { digest: Uint8Array; owner: Owner } | null;
  idOperation: "none" | "created" | "deleted";
}

export interface MoveAbortInput {
  package: string;
  module: string;
  function: number;
  instruction: number;
  functionName: string;
  code: bigint;
  command: bigint;
}

export interface EffectsInput {
  failure: MoveAbortInput | null;
  epoch: bigint;
  gasUsed: GasCostSummary;
  transactionDigest: Uint8Array;
  gasObjectIndex: number | null;
  eventsDigest: Uint8Array | null;
  dependencies: Uint8Array[];
  lamportVersion: bigint;
  changedObjects: ChangedObjectInput[];
  /** ReadOnlyRoot entries. */
  readOnly: Array<{ id: string; version: bigint; digest: Uint8Array }>;
}

/** `TransactionEffects::V2`. */
export function encodeEffectsV2(e: EffectsInput): Uint8Array {
  const w = new ByteWriter(4096);
  w.u8(1); // V2
  if (!e.failure) {
    w.u8(0);
  } else {
    w.u8(1);
    w.u8(12); // ExecutionFailureStatus::MoveAbort(MoveLocation, code)
    w.bytes(addressBytes(e.failure.package));
    writeString(w, e.failure.module);
    w.u8(e.failure.function & 0xff);
    w.u8(e.failure.function >>> 8);
    w.u8(e.failure.instruction & 0xff);
    w.u8(e.failure.instruction >>> 8);
    w.u8(1);
    writeString(w, e.failure.functionName);
    w.u64(e.failure.code);
    w.u8(1);
    w.u64(e.failure.command);
  }
  w.u64(e.epoch);
  w.u64(e.gasUsed.computationCost);
  w.u64(e.gasUsed.storageCost);
  w.u64(e.gasUsed.storageRebate);
  w.u64(e.gasUsed.nonRefundableStorageFee);
  writeDigest(w, e.transactionDigest);
  if (e.gasObjectIndex === null) {
    w.u8(0);
  } else {
    w.u8(1);
    const v = e.gasObjectIndex;
    w.u8(v & 0xff);
    w.u8((v >>> 8) & 0xff);
    w.u8((v >>> 16) & 0xff);
    w.u8(v >>> 24);
  }
  if (e.eventsDigest) {
    w.u8(1);
    writeDigest(w, e.eventsDigest);
  } else {
    w.u8(0);
  }
  w.uleb(e.dependencies.length);
  for (const d of e.dependencies) writeDigest(w, d);
  w.u64(e.lamportVersion);
  w.uleb(e.changedObjects.length);
  for (const c of e.changedObjects) {
    w.bytes(addressBytes(c.id));
    if (c.before) {
      w.u8(1);
      w.u64(c.before.version);
      writeDigest(w, c.before.digest);
      w.bytes(ownerBytes(c.before.owner));
    } else {
      w.u8(0);
    }
    if (c.after) {
      w.u8(1); // ObjectWrite
      writeDigest(w, c.after.digest);
      w.bytes(ownerBytes(c.after.owner));
    } else {
      w.u8(0);
    }
    w.u8(c.idOperation === "none" ? 0 : c.idOperation === "created" ? 1 : 2);
  }
  w.uleb(e.readOnly.length);
  for (const r of e.readOnly) {
    w.bytes(addressBytes(r.id));
    w.u8(0); // UnchangedConsensusKind::ReadOnlyRoot
    w.u64(r.version);
    writeDigest(w, r.digest);
  }
  w.u8(0); // aux_data_digest: None
  return w.finish().slice();
}

export type EventInput = { packageId: string; module: string; sender: string; type: string; contents: Uint8Array };

/** `TransactionEvents { data: Vec<Event> }`. */
export function encodeEvents(events: EventInput[]): Uint8Array {
  const w = new ByteWriter(4096);
  w.uleb(events.length);
  for (const e of events) {
    w.bytes(addressBytes(e.packageId));
    writeString(w, e.module);
    w.bytes(addressBytes(e.sender));
    w.bytes(structTagBytes(e.type));
    w.byteVector(e.contents);
  }
  return w.finish().slice();
}
