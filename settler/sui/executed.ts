/**
 * Reads what the settler needs from an executed transaction as sui.rpc.v2 returns it
 * (`ExecutedTransaction` with effects and events): success or the failure (a Move abort
 * with its clever error's constant name), the new references of the objects it wrote (the
 * gas coin and the capability move to new versions even when the call aborts), and the
 * registry's events decoded with their BCS layouts.
 */
import { GrpcTypes } from "@mysten/sui/grpc";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { NonRetryableError } from "../../common/errors.ts";
import { TransactionFailedError, type MoveAbortInfo } from "./errors.ts";
import { RegistryCreatedBcs, SettledBcs } from "./registry-calls.ts";
import type { ObjectRef } from "./transactions.ts";

/** The read mask paths this module reads (ExecuteTransaction / GetTransaction). */
export const EXECUTED_TRANSACTION_READ_MASK = [
  "digest",
  "effects.status",
  "effects.changed_objects",
  "effects.gas_object",
  "effects.gas_used",
  "effects.lamport_version",
  "effects.epoch",
  "events.events",
  "checkpoint",
] as const;

/** A written object after the transaction: its new reference, owner and type. */
export interface WrittenObject {
  ref: ObjectRef;
  /** `address:<0x…>`, `object:<0x…>`, `shared:<initial version>`, `immutable`, … */
  owner: string;
  /** The owner's address for an address-owned object, else null. */
  ownerAddress: string | null;
  /** For a shared object, the version it was shared at. */
  initialSharedVersion: bigint | null;
  type: string | null;
  created: boolean;
}

/** A registry event of the transaction, BCS-decoded. */
export type RegistryEvent =
  | { kind: "Settled"; value: ReturnType<typeof SettledBcs.parse> }
  | { kind: "RegistryCreated"; value: ReturnType<typeof RegistryCreatedBcs.parse> }
  | { kind: "other"; type: string };

/** The outcome of one executed transaction. */
export interface ExecutionResult {
  digest: string;
  success: boolean;
  /** Set when `success` is false. */
  failure: TransactionFailedError | null;
  written: WrittenObject[];
  /** The gas coin's reference after the transaction. */
  gasCoin: ObjectRef | null;
  /** MIST charged: computation + storage − rebate. */
  gasCharged: bigint;
  events: RegistryEvent[];
  /** The checkpoint that includes it, when the node knows it already. */
  checkpoint: bigint | null;
}

function ownerText(owner: GrpcTypes.Owner | undefined): { text: string; address: string | null; shared: bigint | null } {
  const Kind = GrpcTypes.Owner_OwnerKind;
  switch (owner?.kind) {
    case Kind.ADDRESS:
      return { text: `address:${owner.address}`, address: owner.address ? normalizeSuiAddress(owner.address) : null, shared: null };
    case Kind.OBJECT:
      return { text: `object:${owner.address}`, address: null, shared: null };
    case Kind.SHARED:
      return { text: `shared:${owner.version}`, address: null, shared: owner.version ?? null };
    case Kind.IMMUTABLE:
      return { text: "immutable", address: null, shared: null };
    case Kind.CONSENSUS_ADDRESS:
      return { text: `consensus-address:${owner.address}`, address: null, shared: null };
    default:
      return { text: "unknown", address: null, shared: null };
  }
}

function abortInfo(error: GrpcTypes.ExecutionError): MoveAbortInfo | null {
  if (error.errorDetails.oneofKind !== "abort") return null;
  const abort = error.errorDetails.abort;
  const clever = abort.cleverError;
  return {
    errorName: clever?.constantName ?? null,
    message: clever?.value.oneofKind === "rendered" ? clever.value.rendered : null,
    abortCode: abort.abortCode ?? 0n,
    module: abort.location?.module ?? null,
    functionName: abort.location?.functionName ?? null,
    line: clever?.lineNumber !== undefined ? Number(clever.lineNumber) : null,
  };
}

function decodeEvent(event: GrpcTypes.Event, packageId: string): RegistryEvent {
  const type = event.eventType ? normalizeStructTag(event.eventType) : "";
  const bytes = event.contents?.value;
  const prefix = `${normalizeSuiAddress(packageId)}::registry::`;
  if (bytes && type === `${prefix}Settled`) return { kind: "Settled", value: SettledBcs.parse(bytes) };
  if (bytes && type === `${prefix}RegistryCreated`) return { kind: "RegistryCreated", value: RegistryCreatedBcs.parse(bytes) };
  return { kind: "other", type };
}

/**
 * The outcome of `executed` (from ExecuteTransaction or GetTransaction).
 *
 * @example
 * const result = parseExecutedTransaction(response.transaction!, packageId);
 * if (!result.success) throw result.failure;
 */
export function parseExecutedTransaction(executed: GrpcTypes.ExecutedTransaction, packageId: string): ExecutionResult {
  const effects = executed.effects;
  const digest = executed.digest ?? effects?.transactionDigest ?? "";
  if (!effects?.status) {
    throw new NonRetryableError("the node returned a transaction without effects status", { details: { digest } });
  }
  const written: WrittenObject[] = [];
  for (const change of effects.changedObjects) {
    // Only OBJECT_WRITE outputs exist after the transaction.
    if (change.outputState !== GrpcTypes.ChangedObject_OutputObjectState.OBJECT_WRITE || !change.objectId || change.outputVersion === undefined || !change.outputDigest) continue;
    const owner = ownerText(change.outputOwner);
    written.push({
      ref: { objectId: normalizeSuiAddress(change.objectId), version: change.outputVersion, digest: change.outputDigest },
      owner: owner.text,
      ownerAddress: owner.address,
      initialSharedVersion: owner.shared,
      type: change.objectType ?? null,
      created: change.idOperation === GrpcTypes.ChangedObject_IdOperation.CREATED,
    });
  }
  const gasId = effects.gasObject?.objectId ? normalizeSuiAddress(effects.gasObject.objectId) : null;
  const gasCoin = gasId ? (written.find((w) => w.ref.objectId === gasId)?.ref ?? null) : null;
  const used = effects.gasUsed;
  const gasCharged = (used?.computationCost ?? 0n) + (used?.storageCost ?? 0n) - (used?.storageRebate ?? 0n);
  let failure: TransactionFailedError | null = null;
  if (!effects.status.success) {
    const error = effects.status.error;
    const kind = error?.kind !== undefined ? (GrpcTypes.ExecutionError_ExecutionErrorKind[error.kind] ?? String(error.kind)) : "UNKNOWN";
    failure = new TransactionFailedError(digest, kind, error ? abortInfo(error) : null, error?.description ?? null);
  }
  return {
    digest,
    success: effects.status.success === true,
    failure,
    written,
    gasCoin,
    gasCharged,
    events: (executed.events?.events ?? []).map((e) => decodeEvent(e, packageId)),
    checkpoint: executed.checkpoint ?? null,
  };
}
