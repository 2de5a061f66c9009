/**
 * What happened to one registry in a checkpoint, in execution order: its creation, its
 * settlements (the `settle` call's arguments with the `Settled` event it emitted), key
 * rotations, span changes, pauses and settler replacements. Only successful transactions
 * that wrote the registry object count; events are taken only from the registry's own
 * package (the one whose `registry::Registry` object the creation transaction created), so
 * no other package can pose as the registry by emitting look-alike events.
 */
import { toBase58 } from "@mysten/bcs";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import type { CheckpointModel, EventModel, TransactionModel } from "../../../indexer/model.ts";
import {
  KeyRotationAppliedBcs,
  KeyRotationCancelledBcs,
  KeyRotationProposedBcs,
  MaxSpanChangedBcs,
  PauseChangedBcs,
  RegistryCreatedBcs,
  SettledBcs,
  SettlerReplacedBcs,
} from "../../sui/registry-calls.ts";
import { settleCallsOf, type SettleCall } from "./settle-call.ts";

export type RegistryCreatedEvent = ReturnType<typeof RegistryCreatedBcs.parse>;
export type SettledEvent = ReturnType<typeof SettledBcs.parse>;
export type KeyRotationProposedEvent = ReturnType<typeof KeyRotationProposedBcs.parse>;
export type KeyRotationCancelledEvent = ReturnType<typeof KeyRotationCancelledBcs.parse>;
export type KeyRotationAppliedEvent = ReturnType<typeof KeyRotationAppliedBcs.parse>;
export type MaxSpanChangedEvent = ReturnType<typeof MaxSpanChangedBcs.parse>;
export type PauseChangedEvent = ReturnType<typeof PauseChangedBcs.parse>;
export type SettlerReplacedEvent = ReturnType<typeof SettlerReplacedBcs.parse>;

/** Where an action happened. */
export interface ActionSite {
  checkpoint: bigint;
  epoch: bigint;
  transactionIndex: number;
  /** Base58. */
  transaction: string;
}

export type RegistryAction = ActionSite &
  (
    | { kind: "created"; packageId: string; event: RegistryCreatedEvent }
    /** `call` is null when the transaction's settle call could not be read (see `problem`). */
    | { kind: "settled"; event: SettledEvent; call: SettleCall | null; problem: string | null }
    | { kind: "rotationProposed"; event: KeyRotationProposedEvent }
    | { kind: "rotationCancelled"; event: KeyRotationCancelledEvent }
    | { kind: "rotationApplied"; event: KeyRotationAppliedEvent }
    | { kind: "maxSpanChanged"; event: MaxSpanChangedEvent }
    | { kind: "pauseChanged"; event: PauseChangedEvent }
    | { kind: "settlerReplaced"; event: SettlerReplacedEvent }
    /** A transaction of the registry that does not fit the contract (e.g. settle calls without events). */
    | { kind: "anomaly"; reason: string }
  );


export interface RegistryActivityOptions {
  registryId: string;
  /** The registry's package (defining id of its types), once its creation was seen. */
  packageId: string | null;
}

/**
 * The registry's actions in one checkpoint.
 *
 * @example
 * const actions = registryActivity(checkpoint, { registryId, packageId: null });
 * const created = actions.find((a) => a.kind === "created");
 */
export function registryActivity(checkpoint: CheckpointModel, options: RegistryActivityOptions): RegistryAction[] {
  const registryId = normalizeSuiAddress(options.registryId);
  let packageId = options.packageId;
  const actions: RegistryAction[] = [];
  checkpoint.transactions.forEach((tx, index) => {
    if (!tx.status.success) return;
    const change = tx.changedObjects.find((c) => c.objectId === registryId);
    if (!change) return;
    const site: ActionSite = {
      checkpoint: checkpoint.sequenceNumber,
      epoch: tx.executedEpoch,
      transactionIndex: index,
      transaction: toBase58(tx.digest),
    };
    if (change.kind === "created") {
      const created = creationOf(tx, registryId);
      if (created === null) {
        actions.push({ ...site, kind: "anomaly", reason: "the transaction creating the registry object emitted no RegistryCreated event from the registry's package" });
        return;
      }
      packageId = created.packageId;
      actions.push({ ...site, kind: "created", ...created });
      return;
    }
    if (packageId === null) return;
    actions.push(...transactionActions(tx, site, registryId, packageId));
  });
  return actions;
}

/** The RegistryCreated event, when the created registry object has the event's package's type. */
function creationOf(tx: TransactionModel, registryId: string): { packageId: string; event: RegistryCreatedEvent } | null {
  const object = tx.outputObjects.find((o) => o.objectId === registryId);
  const match = object?.type ? /^(0x[0-9a-f]{64})::registry::Registry$/.exec(object.type) : null;
  if (!match) return null;
  const packageId = match[1]!;
  for (const event of tx.events) {
    if (event.type !== `${packageId}::registry::RegistryCreated`) continue;
    const parsed = parseEvent(event, RegistryCreatedBcs);
    if (parsed && normalizeSuiAddress(parsed.registry_id) === registryId) return { packageId, event: parsed };
  }
  return null;
}

function transactionActions(tx: TransactionModel, site: ActionSite, registryId: string, packageId: string): RegistryAction[] {
  const actions: RegistryAction[] = [];
  const settled: SettledEvent[] = [];
  const prefix = `${packageId}::registry::`;
  for (const event of tx.events) {
    if (!event.type.startsWith(prefix)) continue;
    const name = event.type.slice(prefix.length);
    const action = eventAction(event, name, site);
    if (action === null) continue;
    if (action.kind !== "anomaly" && normalizeSuiAddress(action.event.registry_id) !== registryId) continue;
    if (action.kind === "settled") settled.push(action.event);
    actions.push(action);
  }

  let calls: ReturnType<typeof settleCallsOf>;
  try {
    calls = settleCallsOf(tx.transactionBcs, registryId);
  } catch (error) {
    actions.push({ ...site, kind: "anomaly", reason: `the transaction does not decode: ${(error as Error).message}` });
    return actions;
  }
  // Each successful settle call emits exactly one Settled event, in command order.
  const ordered = [...calls.calls.map((c) => ({ command: c.command, call: c as SettleCall | null, problem: null as string | null })),
    ...calls.unreadable.map((u) => ({ command: u.command, call: null, problem: `the settle call's arguments cannot be read: ${u.reason}` }))]
    .sort((a, b) => a.command - b.command);
  if (ordered.length !== settled.length) {
    actions.push({
      ...site,
      kind: "anomaly",
      reason: `${ordered.length} settle call(s) on the registry but ${settled.length} Settled event(s)`,
    });
  }
  let next = 0;
  for (const action of actions) {
    if (action.kind !== "settled") continue;
    const entry = ordered[next++];
    if (entry) {
      action.call = entry.call;
      action.problem = entry.problem;
    } else {
      action.problem = "no settle call in the transaction matches this Settled event";
    }
  }
  return actions;
}

/** The action an event of the registry's module stands for; null for other events. */
function eventAction(event: EventModel, name: string, site: ActionSite): RegistryAction | null {
  const bad = (): RegistryAction => ({ ...site, kind: "anomaly", reason: `a ${name} event does not decode with the registry's layout` });
  switch (name) {
    case "Settled": {
      const e = parseEvent(event, SettledBcs);
      // The call is attached once every event of the transaction is known.
      return e ? { ...site, kind: "settled", event: e, call: null, problem: null } : bad();
    }
    case "KeyRotationProposed": {
      const e = parseEvent(event, KeyRotationProposedBcs);
      return e ? { ...site, kind: "rotationProposed", event: e } : bad();
    }
    case "KeyRotationCancelled": {
      const e = parseEvent(event, KeyRotationCancelledBcs);
      return e ? { ...site, kind: "rotationCancelled", event: e } : bad();
    }
    case "KeyRotationApplied": {
      const e = parseEvent(event, KeyRotationAppliedBcs);
      return e ? { ...site, kind: "rotationApplied", event: e } : bad();
    }
    case "MaxSpanChanged": {
      const e = parseEvent(event, MaxSpanChangedBcs);
      return e ? { ...site, kind: "maxSpanChanged", event: e } : bad();
    }
    case "PauseChanged": {
      const e = parseEvent(event, PauseChangedBcs);
      return e ? { ...site, kind: "pauseChanged", event: e } : bad();
    }
    case "SettlerReplaced": {
      const e = parseEvent(event, SettlerReplacedBcs);
      return e ? { ...site, kind: "settlerReplaced", event: e } : bad();
    }
    default:
      return null;
  }
}

function parseEvent<T>(event: EventModel, layout: { parse(bytes: Uint8Array): T; serialize(value: never): { toBytes(): Uint8Array } }): T | null {
  try {
    const value = layout.parse(event.contents);
    // The whole contents, and nothing after them.
    if (layout.serialize(value as never).toBytes().length !== event.contents.length) return null;
    return value;
  } catch {
    return null;
  }
}
