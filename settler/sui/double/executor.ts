/**
 * The test double's transaction execution: what a Sui validator and the registry's Move
 * code would do with a signed transaction, for the programmable transactions the settler
 * sends (registry::create_registry + TransferObjects, registry::settle, pause/unpause).
 *
 * Before execution (refused with a gRPC error, nothing charged, like a node's
 * "transaction inputs" errors): malformed TransactionData, a signature that is not the
 * sender's Ed25519 signature over the intent message, a gas price below the reference price,
 * a gas coin or owned input that is not the sender's at exactly the referenced version and
 * digest (stale bytes), a shared object named with the wrong initial version, an unknown
 * package. A transaction already executed is answered with its recorded effects (Sui's
 * idempotent resubmission).
 *
 * Execution (charged, effects returned): each command in order; a Move abort or argument
 * error fails the whole transaction atomically, and as on Sui the gas coin, the owned inputs
 * and the mutable shared inputs are still written at the new lamport version.
 */
import { bcs } from "@mysten/sui/bcs";
import { GrpcTypes } from "@mysten/sui/grpc";
import { fromBase58, fromBase64, normalizeStructTag, normalizeSuiAddress, toBase64 } from "@mysten/sui/utils";
import { verifyTransactionSignature } from "@mysten/sui/verify";
import { status } from "@grpc/grpc-js";
import { GrpcStatusError } from "./grpc-server.ts";
import type { Poseidon } from "../../tree/poseidon.ts";
import { MOVE_CALLS, RegistryBcs, RegistryCreatedBcs, SettledBcs, type MoveParamType } from "../registry-calls.ts";
import { transactionDigest } from "../transactions.ts";
import { CoinBcs, SUI_COIN_TYPE, deriveObjectId, type DoubleObject, type DoubleOwner, type Ledger } from "./ledger.ts";
import { createRegistry, MoveAbort, setPaused, settle, type CapValue, type RegistryValue } from "./registry-contract.ts";

const CapBcs = bcs.struct("Cap", { id: bcs.Address, registry_id: bcs.Address });

/** Gas units charged per command kind; a rough stand-in for Sui's metering. */
const COMPUTATION_UNITS: Record<string, bigint> = { settle: 3_000n, create_registry: 2_000n, default: 1_000n };
/** MIST per byte of object written (storage); Sui's storage price is of this order. */
const STORAGE_MIST_PER_BYTE = 7_600n;

type ParsedTx = NonNullable<(typeof bcs.TransactionData.$inferType)["V1"]>;
type CallArg = ParsedTx["kind"] extends infer K ? (K extends { ProgrammableTransaction: infer P } ? P extends { inputs: (infer I)[] } ? I : never : never) : never;
type PtbArgument = typeof bcs.Argument.$inferType;

export interface ChainClock {
  epoch: bigint;
  referenceGasPrice: bigint;
  /** The checkpoint the next executed transaction lands in. */
  nextCheckpoint: bigint;
}

export interface ExecutorContext {
  ledger: Ledger;
  packageId: string;
  poseidon: Poseidon;
  clock: ChainClock;
  /** Executed transactions by digest, with their answers. */
  executed: Map<string, GrpcTypes.ExecutedTransaction>;
}

const reject = (message: string): GrpcStatusError => new GrpcStatusError(status.INVALID_ARGUMENT, message);

/** The refusal Sui gives for an owned input at a version the object is no longer at. */
function unavailable(ref: { objectId: string; version: string | bigint; digest: string }, current: DoubleObject | undefined): GrpcStatusError {
  const now = current ? `current version: 0x${current.version.toString(16)}` : "object does not exist";
  return reject(
    "Transaction validator signing failed due to issues with transaction inputs, please review the errors and try again:\n" +
      `- Object ID ${normalizeSuiAddress(ref.objectId)} Version 0x${BigInt(ref.version).toString(16)} Digest ${ref.digest} is not available for consumption, ${now}`,
  );
}

/** A value produced by a command: an object that must end up somewhere before the end. */
interface PendingObject {
  type: string;
  contents: Uint8Array;
  id: string;
}

/** Failure of the executing transaction (charged), as the effects will report it. */
class ExecutionFailure extends Error {
  constructor(
    readonly kind: GrpcTypes.ExecutionError_ExecutionErrorKind,
    readonly command: number,
    readonly details: GrpcTypes.ExecutionError["errorDetails"],
    description: string,
  ) {
    super(description);
  }
}

function argumentError(command: number, argument: number, kind: GrpcTypes.CommandArgumentError_CommandArgumentErrorKind, what: string): ExecutionFailure {
  return new ExecutionFailure(
    GrpcTypes.ExecutionError_ExecutionErrorKind.COMMAND_ARGUMENT_ERROR,
    command,
    { oneofKind: "commandArgumentError", commandArgumentError: { argument, kind } },
    `CommandArgumentError { arg_idx: ${argument}, kind: ${GrpcTypes.CommandArgumentError_CommandArgumentErrorKind[kind]} } (${what})`,
  );
}

function decodePure(type: MoveParamType, bytes: Uint8Array): unknown {
  const schema =
    type === "u8" ? bcs.u8() : type === "u64" ? bcs.u64() : type === "u256" ? bcs.u256() : type === "vector<u8>" ? bcs.vector(bcs.u8()) : bcs.vector(bcs.u256());
  const value = schema.parse(bytes);
  // BCS must use every byte: re-encoding gives the same bytes only then.
  if (toBase64(schema.serialize(value as never).toBytes()) !== toBase64(bytes)) throw new Error("trailing bytes");
  return value;
}

/**
 * Validates and executes one signed transaction; returns the executed transaction as the
 * node would answer ExecuteTransaction.
 *
 * @example
 * const answer = executeTransaction(context, txBytes, [signatureBytes]);
 */
export async function executeTransaction(
  context: ExecutorContext,
  txBytes: Uint8Array,
  signatures: Uint8Array[],
): Promise<GrpcTypes.ExecutedTransaction> {
  let data: ParsedTx;
  try {
    const parsed = bcs.TransactionData.parse(txBytes);
    if (!parsed.V1) throw new Error("not V1");
    data = parsed.V1;
  } catch (error) {
    throw reject(`Invalid transaction BCS: ${error instanceof Error ? error.message : String(error)}`);
  }
  const digest = transactionDigest(txBytes);
  const sender = normalizeSuiAddress(data.sender);
  if (signatures.length !== 1) throw reject(`Expected 1 signature (the sender's), got ${signatures.length}`);
  try {
    await verifyTransactionSignature(txBytes, toBase64(signatures[0]!), { address: sender });
  } catch {
    throw reject(`Invalid user signature: the signature is not ${sender}'s over this transaction's intent message`);
  }

  // Already executed: the same effects again (a resubmission after a lost answer).
  const done = context.executed.get(digest);
  if (done) return done;

  const { ledger, clock } = context;
  const packageId = normalizeSuiAddress(context.packageId);
  const gasData = data.gasData;
  const price = BigInt(gasData.price);
  const budget = BigInt(gasData.budget);
  if (normalizeSuiAddress(gasData.owner) !== sender) throw reject("Gas owner must be the sender (sponsored transactions are not supported by the double)");
  if (price < clock.referenceGasPrice) throw reject(`Gas price ${price} under reference gas price (RGP) ${clock.referenceGasPrice}`);
  if (gasData.payment.length === 0) throw reject("Missing gas payment");
  if (data.expiration.$kind === "Epoch" && BigInt(data.expiration.Epoch) < clock.epoch) throw reject("Transaction expired");
  if (data.kind.$kind !== "ProgrammableTransaction") throw reject("Only programmable transactions are accepted");

  // Owned inputs (gas coins and ImmOrOwned objects): exactly the current version and digest.
  const gasCoins: DoubleObject[] = [];
  let gasBalance = 0n;
  for (const ref of gasData.payment) {
    const coin = ledger.get(ref.objectId);
    if (!coin || coin.version !== BigInt(ref.version) || coin.digest !== ref.digest) throw unavailable(ref, coin);
    if (coin.type !== SUI_COIN_TYPE || coin.owner.kind !== "address" || coin.owner.address !== sender) {
      throw reject(`Gas object ${coin.id} is not a SUI coin owned by the sender`);
    }
    gasCoins.push(coin);
    gasBalance += BigInt(CoinBcs.parse(coin.contents).balance);
  }
  if (gasBalance < budget) throw reject(`Balance of gas object ${gasBalance} is lower than the needed amount: ${budget}`);

  const ptb = data.kind.ProgrammableTransaction;
  const inputObjects = new Map<number, { object: DoubleObject; mutable: boolean; shared: boolean }>();
  ptb.inputs.forEach((input: CallArg, i: number) => {
    if (input.$kind !== "Object") return;
    const arg = input.Object;
    if (arg.$kind === "ImmOrOwnedObject") {
      const ref = arg.ImmOrOwnedObject;
      const object = ledger.get(ref.objectId);
      if (!object || object.version !== BigInt(ref.version) || object.digest !== ref.digest) throw unavailable(ref, object);
      if (object.owner.kind === "address" && object.owner.address !== sender) {
        throw reject(`Object ${object.id} is owned by ${object.owner.address}, not by the sender ${sender}`);
      }
      if (object.owner.kind === "shared") throw reject(`Object ${object.id} is shared: pass it as a shared object`);
      inputObjects.set(i, { object, mutable: object.owner.kind === "address", shared: false });
    } else if (arg.$kind === "SharedObject") {
      const ref = arg.SharedObject;
      const object = ledger.get(ref.objectId);
      if (!object) throw reject(`Shared object ${normalizeSuiAddress(ref.objectId)} does not exist`);
      if (object.owner.kind !== "shared" || object.owner.initialSharedVersion !== BigInt(ref.initialSharedVersion)) {
        throw reject(`Object ${object.id} is not shared at initial version ${ref.initialSharedVersion}`);
      }
      inputObjects.set(i, { object, mutable: ref.mutable, shared: true });
    } else {
      throw reject("Receiving arguments are not supported by the double");
    }
  });
  for (const command of ptb.commands) {
    if (command.$kind === "MoveCall" && normalizeSuiAddress(command.MoveCall.package) !== packageId) {
      throw reject(`Package object does not exist with ID ${normalizeSuiAddress(command.MoveCall.package)}`);
    }
  }

  // Lamport version: one above every input version (gas, owned, shared).
  const inputVersions = [...gasCoins.map((c) => c.version), ...[...inputObjects.values()].map((o) => o.object.version)];
  const lamport = inputVersions.reduce((a, b) => (a > b ? a : b), 0n) + 1n;
  const digestBytes = fromBase58(digest);
  let created = 0;
  const ctx = { sender, epoch: clock.epoch, newId: () => deriveObjectId(digestBytes, created++) };

  // Run the commands on copies; commit only on success.
  const writes = new Map<string, { type: string; contents: Uint8Array; owner: DoubleOwner; created: boolean }>();
  const events: GrpcTypes.Event[] = [];
  const results: (PendingObject | undefined)[][] = [];
  let units = 0n;
  let failure: ExecutionFailure | null = null;

  const objectInput = (arg: PtbArgument, commandIndex: number, argIndex: number) => {
    if (arg.$kind !== "Input") throw argumentError(commandIndex, argIndex, GrpcTypes.CommandArgumentError_CommandArgumentErrorKind.TYPE_MISMATCH, "expected an object input");
    const entry = inputObjects.get(arg.Input);
    if (!entry) throw argumentError(commandIndex, argIndex, GrpcTypes.CommandArgumentError_CommandArgumentErrorKind.TYPE_MISMATCH, "expected an object input");
    const written = writes.get(entry.object.id);
    return { ...entry, contents: written?.contents ?? entry.object.contents };
  };
  const pureInput = (arg: PtbArgument, type: MoveParamType, commandIndex: number, argIndex: number): unknown => {
    const input = arg.$kind === "Input" ? ptb.inputs[arg.Input] : undefined;
    if (!input || input.$kind !== "Pure") {
      throw argumentError(commandIndex, argIndex, GrpcTypes.CommandArgumentError_CommandArgumentErrorKind.TYPE_MISMATCH, `expected a pure ${type}`);
    }
    try {
      return decodePure(type, fromBase64(input.Pure.bytes));
    } catch {
      throw argumentError(commandIndex, argIndex, GrpcTypes.CommandArgumentError_CommandArgumentErrorKind.INVALID_BCS_BYTES, `not a ${type}`);
    }
  };
  const addressInput = (arg: PtbArgument, commandIndex: number, argIndex: number): string => {
    const input = arg.$kind === "Input" ? ptb.inputs[arg.Input] : undefined;
    const bytes = input?.$kind === "Pure" ? fromBase64(input.Pure.bytes) : undefined;
    if (!bytes || bytes.length !== 32) {
      throw argumentError(commandIndex, argIndex, GrpcTypes.CommandArgumentError_CommandArgumentErrorKind.INVALID_BCS_BYTES, "expected a pure address");
    }
    return normalizeSuiAddress(bcs.Address.parse(bytes));
  };
  const typeOf = (name: string) => normalizeStructTag(`${packageId}::registry::${name}`);

  try {
    ptb.commands.forEach((command, c) => {
      if (command.$kind === "MoveCall") {
        const call = command.MoveCall;
        const name = `${call.module}::${call.function}` as keyof typeof MOVE_CALLS;
        const params: readonly MoveParamType[] | undefined = MOVE_CALLS[name];
        if (!params || !["create_registry", "settle", "pause", "unpause"].includes(call.function)) {
          throw new ExecutionFailure(GrpcTypes.ExecutionError_ExecutionErrorKind.FUNCTION_NOT_FOUND, c, { oneofKind: undefined }, `Function ${name} is not served by the double`);
        }
        if (call.typeArguments.length > 0 || call.arguments.length !== params.length) {
          throw new ExecutionFailure(GrpcTypes.ExecutionError_ExecutionErrorKind.ARITY_MISMATCH, c, { oneofKind: undefined }, `${name} takes ${params.length} arguments`);
        }
        const args = call.arguments;
        units += COMPUTATION_UNITS[call.function] ?? COMPUTATION_UNITS.default!;
        const expectObject = (i: number, type: string, mutable: boolean) => {
          const o = objectInput(args[i]!, c, i);
          if (o.object.type !== typeOf(type) || (mutable && !o.mutable)) {
            throw argumentError(c, i, GrpcTypes.CommandArgumentError_CommandArgumentErrorKind.TYPE_MISMATCH, `expected ${mutable ? "&mut " : "&"}${type}`);
          }
          return o;
        };
        try {
          if (call.function === "create_registry") {
            const out = createRegistry(
              context.poseidon,
              {
                vk: Uint8Array.from(pureInput(args[0]!, "vector<u8>", c, 0) as number[]),
                depth: pureInput(args[1]!, "u8", c, 1) as number,
                startCursor: BigInt(pureInput(args[2]!, "u64", c, 2) as string),
                maxSpan: BigInt(pureInput(args[3]!, "u64", c, 3) as string),
                trackingConfig: Uint8Array.from(pureInput(args[4]!, "vector<u8>", c, 4) as number[]),
              },
              ctx,
            );
            writes.set(out.registry.id, {
              type: typeOf("Registry"),
              contents: RegistryBcs.serialize(out.registry).toBytes(),
              // Shared at the version of the creating transaction.
              owner: { kind: "shared", initialSharedVersion: lamport },
              created: true,
            });
            results[c] = [
              { id: out.adminCap.id, type: typeOf("AdminCap"), contents: CapBcs.serialize(out.adminCap).toBytes() },
              { id: out.settlerCap.id, type: typeOf("SettlerCap"), contents: CapBcs.serialize(out.settlerCap).toBytes() },
            ];
            events.push(moveEvent(packageId, sender, "RegistryCreated", RegistryCreatedBcs.serialize(out.event).toBytes()));
          } else if (call.function === "settle") {
            const registry = expectObject(0, "Registry", true);
            const cap = expectObject(1, "SettlerCap", false);
            const out = settle(
              RegistryBcs.parse(registry.contents),
              CapBcs.parse(cap.contents) as CapValue,
              {
                newRoot: BigInt(pureInput(args[2]!, "u256", c, 2) as string),
                newNextIndex: BigInt(pureInput(args[3]!, "u64", c, 3) as string),
                batchCommitment: BigInt(pureInput(args[4]!, "u256", c, 4) as string),
                toCursor: BigInt(pureInput(args[5]!, "u64", c, 5) as string),
                proof: Uint8Array.from(pureInput(args[6]!, "vector<u8>", c, 6) as number[]),
              },
              ctx,
            );
            writes.set(registry.object.id, { type: registry.object.type, contents: RegistryBcs.serialize(out.registry).toBytes(), owner: registry.object.owner, created: false });
            events.push(moveEvent(packageId, sender, "Settled", SettledBcs.serialize(out.event).toBytes()));
            results[c] = [];
          } else {
            const registry = expectObject(0, "Registry", true);
            const admin = expectObject(1, "AdminCap", false);
            const next = setPaused(RegistryBcs.parse(registry.contents) as RegistryValue, CapBcs.parse(admin.contents) as CapValue, call.function === "pause");
            writes.set(registry.object.id, { type: registry.object.type, contents: RegistryBcs.serialize(next).toBytes(), owner: registry.object.owner, created: false });
            results[c] = [];
          }
        } catch (error) {
          if (error instanceof MoveAbort) throw abortFailure(error, c, packageId);
          throw error;
        }
      } else if (command.$kind === "TransferObjects") {
        const t = command.TransferObjects;
        const recipient = addressInput(t.address, c, t.objects.length);
        t.objects.forEach((arg, i) => {
          const value = takeResult(results, arg);
          if (!value) throw argumentError(c, i, GrpcTypes.CommandArgumentError_CommandArgumentErrorKind.TYPE_MISMATCH, "expected an object produced earlier");
          writes.set(value.id, { type: value.type, contents: value.contents, owner: { kind: "address", address: recipient }, created: true });
        });
        results[c] = [];
      } else {
        throw new ExecutionFailure(GrpcTypes.ExecutionError_ExecutionErrorKind.FEATURE_NOT_YET_SUPPORTED, c, { oneofKind: undefined }, `${command.$kind} is not served by the double`);
      }
    });
    const unused = results.findIndex((r) => r?.some((v) => v !== undefined));
    if (unused >= 0) {
      throw new ExecutionFailure(GrpcTypes.ExecutionError_ExecutionErrorKind.UNUSED_VALUE_WITHOUT_DROP, unused, { oneofKind: undefined }, "UnusedValueWithoutDrop");
    }
  } catch (error) {
    if (!(error instanceof ExecutionFailure)) throw error;
    failure = error;
    writes.clear();
    events.length = 0;
  }

  // Gas: computation + storage of what is written; never more than the budget.
  const writtenBytes = [...writes.values()].reduce((n, w) => n + BigInt(w.contents.length), 0n);
  let computation = price * (units || COMPUTATION_UNITS.default!);
  let storage = writtenBytes * STORAGE_MIST_PER_BYTE;
  if (!failure && computation + storage > budget) {
    failure = new ExecutionFailure(GrpcTypes.ExecutionError_ExecutionErrorKind.INSUFFICIENT_GAS, 0, { oneofKind: undefined }, "InsufficientGas");
    writes.clear();
    events.length = 0;
  }
  if (failure) {
    storage = 0n;
    if (computation > budget) computation = budget;
  }
  const charge = computation + storage;

  // Write: gas coin (smashed into the first), owned inputs and mutable shared inputs always.
  const changed: GrpcTypes.ChangedObject[] = [];
  const write = (id: string, before: DoubleObject | undefined, next: { type: string; contents: Uint8Array; owner: DoubleOwner }) => {
    const stored = ledger.put({ id, version: lamport, owner: next.owner, type: next.type, contents: next.contents });
    changed.push(changedObject(before, stored));
    return stored;
  };
  const [gasCoin, ...merged] = gasCoins;
  const gasOut = write(gasCoin!.id, gasCoin, {
    type: SUI_COIN_TYPE,
    contents: CoinBcs.serialize({ id: gasCoin!.id, balance: gasBalance - charge }).toBytes(),
    owner: gasCoin!.owner,
  });
  for (const coin of merged) {
    ledger.remove(coin.id);
    changed.push(deletedObject(coin));
  }
  for (const { object, mutable } of inputObjects.values()) {
    if (!mutable && object.owner.kind === "shared") continue;
    const next = writes.get(object.id);
    write(object.id, object, { type: object.type, contents: next?.contents ?? object.contents, owner: object.owner });
    writes.delete(object.id);
  }
  for (const [id, w] of writes) write(id, undefined, w);

  const checkpoint = clock.nextCheckpoint++;
  const answer: GrpcTypes.ExecutedTransaction = {
    digest,
    transaction: { bcs: { name: "TransactionData", value: txBytes }, digest },
    signatures: signatures.map((value) => ({ bcs: { name: "UserSignatureBytes", value }, signature: { oneofKind: undefined } })),
    effects: {
      version: 2,
      transactionDigest: digest,
      status: failure
        ? { success: false, error: { kind: failure.kind, command: BigInt(failure.command), description: failure.message, errorDetails: failure.details } }
        : { success: true },
      epoch: clock.epoch,
      gasUsed: { computationCost: computation, storageCost: storage, storageRebate: 0n, nonRefundableStorageFee: 0n },
      gasObject: changed.find((o) => o.objectId === gasOut.id),
      lamportVersion: lamport,
      changedObjects: changed,
      dependencies: [],
      unchangedConsensusObjects: [],
      unchangedLoadedRuntimeObjects: [],
    },
    events: { events: events.map((e, i) => ({ ...e, checkpoint, transactionDigest: digest, eventIndex: i })) },
    checkpoint,
    balanceChanges: [],
  };
  context.executed.set(digest, answer);
  return answer;
}

function takeResult(results: (PendingObject | undefined)[][], arg: PtbArgument): PendingObject | undefined {
  const [command, index] = arg.$kind === "NestedResult" ? arg.NestedResult : arg.$kind === "Result" ? [arg.Result, 0] : [-1, -1];
  const values = results[command];
  const value = values?.[index];
  if (values && value) values[index] = undefined;
  return value;
}

function moveEvent(packageId: string, sender: string, name: string, contents: Uint8Array): GrpcTypes.Event {
  const eventType = `${packageId}::registry::${name}`;
  return { packageId, module: "registry", sender, eventType, contents: { name: eventType, value: contents } };
}

function abortFailure(abort: MoveAbort, command: number, packageId: string): ExecutionFailure {
  const isRegistry = abort.module === "registry";
  return new ExecutionFailure(
    GrpcTypes.ExecutionError_ExecutionErrorKind.MOVE_ABORT,
    command,
    {
      oneofKind: "abort",
      abort: {
        abortCode: abort.abortCode,
        location: { package: isRegistry ? packageId : normalizeSuiAddress("0x2"), module: abort.module, functionName: abort.functionName },
        cleverError: abort.errorName
          ? {
              errorCode: abort.abortCode & 0xffffn,
              lineNumber: BigInt(abort.line ?? 0),
              constantName: abort.errorName,
              constantType: "vector<u8>",
              value: abort.rendered !== null ? { oneofKind: "rendered", rendered: abort.rendered } : { oneofKind: undefined },
            }
          : undefined,
      },
    },
    `MoveAbort(MoveLocation { module: ${abort.module}, function_name: ${abort.functionName} }, ${abort.abortCode})`,
  );
}

function protoOwner(owner: DoubleOwner): GrpcTypes.Owner {
  if (owner.kind === "address") return { kind: GrpcTypes.Owner_OwnerKind.ADDRESS, address: owner.address };
  if (owner.kind === "shared") return { kind: GrpcTypes.Owner_OwnerKind.SHARED, version: owner.initialSharedVersion };
  return { kind: GrpcTypes.Owner_OwnerKind.IMMUTABLE };
}

function changedObject(before: DoubleObject | undefined, after: DoubleObject): GrpcTypes.ChangedObject {
  return {
    objectId: after.id,
    inputState: before ? GrpcTypes.ChangedObject_InputObjectState.EXISTS : GrpcTypes.ChangedObject_InputObjectState.DOES_NOT_EXIST,
    inputVersion: before?.version,
    inputDigest: before?.digest,
    inputOwner: before ? protoOwner(before.owner) : undefined,
    outputState: GrpcTypes.ChangedObject_OutputObjectState.OBJECT_WRITE,
    outputVersion: after.version,
    outputDigest: after.digest,
    outputOwner: protoOwner(after.owner),
    idOperation: before ? GrpcTypes.ChangedObject_IdOperation.NONE : GrpcTypes.ChangedObject_IdOperation.CREATED,
    objectType: after.type,
  };
}

function deletedObject(before: DoubleObject): GrpcTypes.ChangedObject {
  return {
    objectId: before.id,
    inputState: GrpcTypes.ChangedObject_InputObjectState.EXISTS,
    inputVersion: before.version,
    inputDigest: before.digest,
    inputOwner: protoOwner(before.owner),
    outputState: GrpcTypes.ChangedObject_OutputObjectState.DOES_NOT_EXIST,
    idOperation: GrpcTypes.ChangedObject_IdOperation.DELETED,
    objectType: before.type,
  };
}

/** The owner message of a stored object (for GetObject answers). */
export { protoOwner };
