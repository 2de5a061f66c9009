/**
 * The `registry::settle` calls of a transaction, read from its `SenderSignedData` (the
 * bytes the checkpoint contents pin), with the pure arguments decoded as Move reads them:
 * `settle(registry, cap, new_root: u256, new_next_index: u64, batch_commitment: u256,
 * to_cursor: u64, proof_points: vector<u8>)` (MOVE_CALLS in settler/sui/registry-calls.ts).
 */
import { bcs } from "@mysten/sui/bcs";
import { fromBase64, normalizeSuiAddress } from "@mysten/sui/utils";
import { MOVE_CALLS } from "../../sui/registry-calls.ts";

/** One decoded `settle` call on the audited registry. */
export interface SettleCall {
  /** Position of the MoveCall among the transaction's commands. */
  command: number;
  /** The package id as written in the call (an upgraded version of the registry's package). */
  packageId: string;
  newRoot: bigint;
  newNextIndex: bigint;
  batchCommitment: bigint;
  toCursor: bigint;
  /** A || B || C as passed, normally 128 bytes. */
  proof: Uint8Array;
}

/** A call that targets the registry but cannot be read statically (arguments not pure inputs). */
export interface UnreadableSettleCall {
  command: number;
  reason: string;
}

export interface SettleCalls {
  calls: SettleCall[];
  unreadable: UnreadableSettleCall[];
}

type ParsedSenderSignedData = ReturnType<typeof bcs.SenderSignedData.parse>;
type ParsedCallArg = ParsedInputs[number];
type ParsedInputs = Extract<ProgrammableKind, { ProgrammableTransaction: unknown }>["ProgrammableTransaction"]["inputs"];
type ProgrammableKind = ParsedSenderSignedData[number]["intentMessage"]["value"]["V1"]["kind"];
type ParsedArgument = Extract<
  ParsedCommands[number],
  { MoveCall: unknown }
>["MoveCall"]["arguments"][number];
type ParsedCommands = Extract<ProgrammableKind, { ProgrammableTransaction: unknown }>["ProgrammableTransaction"]["commands"];

const SETTLE_ARITY = MOVE_CALLS["registry::settle"].length;

/**
 * Decodes the transaction and returns its `settle` calls on `registryId`, in command order.
 * Calls on other registries are ignored; a call on this one whose arguments are not pure
 * inputs (results of earlier commands) is returned as unreadable.
 *
 * @example
 * const { calls } = settleCallsOf(tx.transactionBcs, registryId);
 * calls[0]?.toCursor; // the cursor the batch ends at
 */
export function settleCallsOf(transactionBcs: Uint8Array, registryId: string): SettleCalls {
  const registry = normalizeSuiAddress(registryId);
  const signed = bcs.SenderSignedData.parse(transactionBcs);
  const out: SettleCalls = { calls: [], unreadable: [] };
  const data = signed[0]?.intentMessage.value;
  if (!data || !("V1" in data) || !data.V1) return out;
  const kind = data.V1.kind;
  if (!("ProgrammableTransaction" in kind) || !kind.ProgrammableTransaction) return out;
  const { inputs, commands } = kind.ProgrammableTransaction;

  commands.forEach((command, index) => {
    if (!("MoveCall" in command) || !command.MoveCall) return;
    const call = command.MoveCall;
    if (call.module !== "registry" || call.function !== "settle") return;
    const first = call.arguments[0];
    const registryInput = first ? inputOf(first, inputs) : null;
    if (!registryInput || sharedObjectId(registryInput) !== registry) return;
    if (call.arguments.length !== SETTLE_ARITY) {
      out.unreadable.push({ command: index, reason: `settle takes ${SETTLE_ARITY} arguments, the call passes ${call.arguments.length}` });
      return;
    }
    try {
      const pure = (position: number): Uint8Array => {
        const input = inputOf(call.arguments[position]!, inputs);
        if (!input || !("Pure" in input) || !input.Pure) {
          throw new Error(`argument ${position + 1} is not a pure input`);
        }
        return typeof input.Pure.bytes === "string" ? fromBase64(input.Pure.bytes) : new Uint8Array(input.Pure.bytes);
      };
      out.calls.push({
        command: index,
        packageId: normalizeSuiAddress(call.package),
        newRoot: exact(pure(2), bcs.u256(), "new_root"),
        newNextIndex: exact(pure(3), bcs.u64(), "new_next_index"),
        batchCommitment: exact(pure(4), bcs.u256(), "batch_commitment"),
        toCursor: exact(pure(5), bcs.u64(), "to_cursor"),
        proof: exactBytes(pure(6), "proof_points"),
      });
    } catch (error) {
      out.unreadable.push({ command: index, reason: (error as Error).message });
    }
  });
  return out;
}

function inputOf(argument: ParsedArgument, inputs: ParsedInputs): ParsedCallArg | null {
  if (!("Input" in argument) || argument.Input === undefined || argument.Input === null) return null;
  return inputs[Number(argument.Input)] ?? null;
}

function sharedObjectId(input: ParsedCallArg): string | null {
  if (!("Object" in input) || !input.Object) return null;
  const object = input.Object;
  if (!("SharedObject" in object) || !object.SharedObject) return null;
  return normalizeSuiAddress(object.SharedObject.objectId);
}

/** Parses a u64/u256 and requires the pure bytes to be exactly its encoding, as Move does. */
function exact(bytes: Uint8Array, type: ReturnType<typeof bcs.u64> | ReturnType<typeof bcs.u256>, what: string): bigint {
  const width = type.name === "u64" ? 8 : 32;
  if (bytes.length !== width) throw new Error(`${what}: ${bytes.length} bytes for a ${type.name}`);
  return BigInt(type.parse(bytes));
}

function exactBytes(bytes: Uint8Array, what: string): Uint8Array {
  const value = bcs.byteVector().parse(bytes);
  if (bcs.byteVector().serialize(value).toBytes().length !== bytes.length) {
    throw new Error(`${what}: trailing bytes after the vector<u8>`);
  }
  return new Uint8Array(value);
}
