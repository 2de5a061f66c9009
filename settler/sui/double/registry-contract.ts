/**
 * The registry contract of move/sources/registry.move, re-stated in TypeScript for the test
 * double: the same checks in the same order with the same named errors, the same state
 * updates (root, next index, next cursor, batch count, ring of recent roots) and the same
 * events. The state is the Move struct itself (RegistryBcs), so what the double stores is
 * exactly what a node would return for the object.
 *
 * The proof is checked with the project's TypeScript Groth16 verifier on the prepared key
 * stored in the registry, over public inputs built here from the stored root, next index and
 * next cursor plus the call's arguments (registry::public_inputs_bytes).
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { prepareVerifyingKey, verifyGroth16Prepared } from "../../groth16/verifier.ts";
import type { Poseidon } from "../../tree/poseidon.ts";
import { emptyRoot } from "../../tree/tree-hash.ts";
import { FIELD_MODULUS, RegistryBcs, RegistryCreatedBcs, SettledBcs, settlePublicInputs } from "../registry-calls.ts";
import { registryMoveErrors } from "./move-errors.ts";

/** Mirrors the constants of registry.move. */
export const RECENT_ROOTS = 32n;
export const ROTATION_DELAY_EPOCHS = 7n;
const FIRST_FREE_INDEX = 1n;
const MAX_DEPTH = 64;

export type RegistryValue = typeof RegistryBcs.$inferType;
export type SettledValue = typeof SettledBcs.$inferType;
export type RegistryCreatedValue = typeof RegistryCreatedBcs.$inferType;
/** AdminCap and SettlerCap have the same layout: id and registry_id. */
export interface CapValue {
  id: string;
  registry_id: string;
}

/** A Move abort, as Sui reports it: module, function, clever error constant, line. */
export class MoveAbort extends Error {
  override name = "MoveAbort";
  constructor(
    readonly module: string,
    readonly functionName: string,
    readonly errorName: string | null,
    readonly abortCode: bigint,
    readonly line: number | null,
    readonly rendered: string | null,
  ) {
    super(errorName ? `${module}::${functionName} aborted with ${errorName}` : `${module}::${functionName} aborted with code ${abortCode}`);
  }
}

/**
 * A clever-error abort of registry.move. Sui packs the line and the constant into the abort
 * code (tag bit 63, line in bits 32..47, identifier and constant indices below); the
 * indices here are declaration order, the compiled pools' order is not known without a
 * compiler.
 */
export function registryAbort(functionName: string, errorName: string): MoveAbort {
  const errors = registryMoveErrors();
  const constant = errors.constants.get(errorName);
  if (!constant) throw new Error(`registry.move declares no ${errorName}`);
  const site = errors.site(functionName, errorName);
  const index = BigInt(constant.index);
  const code = (1n << 63n) | (BigInt(site.line) << 32n) | (index << 16n) | index;
  return new MoveAbort("registry", site.functionName, errorName, code, site.line, constant.message);
}

export interface TxContextLike {
  sender: string;
  epoch: bigint;
  /** A fresh object id (object::new). */
  newId(): string;
}

const blake2b256 = (bytes: Uint8Array): number[] => Array.from(blake2b(bytes, { dkLen: 32 }));
const isCanonical = (x: bigint): boolean => x < FIELD_MODULUS;

export interface CreateRegistryCall {
  vk: Uint8Array;
  depth: number;
  startCursor: bigint;
  maxSpan: bigint;
  trackingConfig: Uint8Array;
}

export interface SettleCall {
  newRoot: bigint;
  newNextIndex: bigint;
  batchCommitment: bigint;
  toCursor: bigint;
  proof: Uint8Array;
}

/**
 * `registry::create_registry`.
 *
 * @example
 * const { registry, adminCap, settlerCap, event } = createRegistry(poseidon, call, ctx);
 */
export function createRegistry(
  poseidon: Poseidon,
  call: CreateRegistryCall,
  ctx: TxContextLike,
): { registry: RegistryValue; adminCap: CapValue; settlerCap: CapValue; event: RegistryCreatedValue } {
  if (!(call.depth >= 1 && call.depth <= MAX_DEPTH)) throw registryAbort("create_registry", "EInvalidDepth");
  if (!(call.maxSpan >= 1n)) throw registryAbort("create_registry", "EInvalidSpan");
  let pvk;
  try {
    pvk = prepareVerifyingKey(call.vk);
  } catch {
    // sui::groth16::prepare_verifying_key aborts with its EInvalidVerifyingKey (code 0).
    throw new MoveAbort("groth16", "prepare_verifying_key_internal", null, 0n, null, null);
  }
  const vkHash = blake2b256(call.vk);
  const trackingConfigHash = blake2b256(call.trackingConfig);
  const root = emptyRoot(poseidon, call.depth).toString();
  const registryId = normalizeSuiAddress(ctx.newId());
  const adminCap = { id: normalizeSuiAddress(ctx.newId()), registry_id: registryId };
  const settlerCap = { id: normalizeSuiAddress(ctx.newId()), registry_id: registryId };
  const event: RegistryCreatedValue = {
    registry_id: registryId,
    admin_cap_id: adminCap.id,
    settler_cap_id: settlerCap.id,
    depth: call.depth,
    root,
    next_index: FIRST_FREE_INDEX.toString(),
    start_cursor: call.startCursor.toString(),
    max_span: call.maxSpan.toString(),
    vk: Array.from(call.vk),
    vk_hash: vkHash,
    tracking_config: Array.from(call.trackingConfig),
    tracking_config_hash: trackingConfigHash,
    recent_roots: RECENT_ROOTS.toString(),
    rotation_delay_epochs: ROTATION_DELAY_EPOCHS.toString(),
    creator: normalizeSuiAddress(ctx.sender),
    epoch: ctx.epoch.toString(),
  };
  const registry: RegistryValue = {
    id: registryId,
    depth: call.depth,
    pvk: {
      vk_gamma_abc_g1_bytes: Array.from(pvk.vkGammaAbcG1),
      alpha_g1_beta_g2_bytes: Array.from(pvk.alphaG1BetaG2),
      gamma_g2_neg_pc_bytes: Array.from(pvk.gammaG2NegPc),
      delta_g2_neg_pc_bytes: Array.from(pvk.deltaG2NegPc),
    },
    vk_hash: vkHash,
    root,
    next_index: FIRST_FREE_INDEX.toString(),
    next_cursor: call.startCursor.toString(),
    max_span: call.maxSpan.toString(),
    batch_count: "0",
    tracking_config_hash: trackingConfigHash,
    recent_roots: [{ root, batch: "0" }],
    recent_head: "1",
    paused: false,
    pending_rotation: null,
    settler_cap_id: settlerCap.id,
  };
  return { registry, adminCap, settlerCap, event };
}

/**
 * `registry::settle`: the checks in Move's order, then the Groth16 verification on the
 * stored prepared key, then the state update and the Settled event.
 *
 * @example
 * const { registry: next, event } = settle(registry, cap, call, ctx); // or throws MoveAbort
 */
export function settle(registry: RegistryValue, cap: CapValue, call: SettleCall, ctx: TxContextLike): { registry: RegistryValue; event: SettledValue } {
  const abort = (name: string) => registryAbort("settle", name);
  const registryId = normalizeSuiAddress(registry.id);
  if (registry.paused) throw abort("EPaused");
  if (normalizeSuiAddress(cap.registry_id) !== registryId) throw abort("EWrongRegistry");
  if (normalizeSuiAddress(cap.id) !== normalizeSuiAddress(registry.settler_cap_id)) throw abort("ESettlerRevoked");

  const fromCursor = BigInt(registry.next_cursor);
  if (!(call.toCursor > fromCursor)) throw abort("ECursorNotAdvancing");
  const span = (call.toCursor >> 32n) - (fromCursor >> 32n);
  if (!(span <= BigInt(registry.max_span))) throw abort("ESpanTooLarge");

  if (!isCanonical(call.newRoot)) throw abort("ENonCanonical");
  if (!isCanonical(call.batchCommitment)) throw abort("ENonCanonical");
  const oldNextIndex = BigInt(registry.next_index);
  if (!(call.newNextIndex >= oldNextIndex)) throw abort("ENextIndexRegressed");
  if (!(call.newNextIndex <= 1n << BigInt(registry.depth))) throw abort("ETreeFull");

  const oldRoot = BigInt(registry.root);
  const publicInputs = settlePublicInputs({
    oldRoot,
    newRoot: call.newRoot,
    oldNextIndex,
    newNextIndex: call.newNextIndex,
    batchCommitment: call.batchCommitment,
    fromCursor,
    toCursor: call.toCursor,
  });
  const pvk = {
    vkGammaAbcG1: Uint8Array.from(registry.pvk.vk_gamma_abc_g1_bytes),
    alphaG1BetaG2: Uint8Array.from(registry.pvk.alpha_g1_beta_g2_bytes),
    gammaG2NegPc: Uint8Array.from(registry.pvk.gamma_g2_neg_pc_bytes),
    deltaG2NegPc: Uint8Array.from(registry.pvk.delta_g2_neg_pc_bytes),
  };
  if (!verifyGroth16Prepared({ pvk, publicInputs, proof: call.proof })) throw abort("EInvalidProof");

  const batch = BigInt(registry.batch_count) + 1n;
  const newRoot = call.newRoot.toString();
  const recent = registry.recent_roots.map((r) => ({ ...r }));
  const head = BigInt(registry.recent_head);
  const entry = { root: newRoot, batch: batch.toString() };
  if (BigInt(recent.length) < RECENT_ROOTS) recent.push(entry);
  else recent[Number(head)] = entry;
  const next: RegistryValue = {
    ...registry,
    root: newRoot,
    next_index: call.newNextIndex.toString(),
    next_cursor: call.toCursor.toString(),
    batch_count: batch.toString(),
    recent_roots: recent,
    recent_head: ((head + 1n) % RECENT_ROOTS).toString(),
  };
  const event: SettledValue = {
    registry_id: registryId,
    batch: batch.toString(),
    old_root: oldRoot.toString(),
    new_root: newRoot,
    old_next_index: oldNextIndex.toString(),
    new_next_index: call.newNextIndex.toString(),
    batch_commitment: call.batchCommitment.toString(),
    from_cursor: fromCursor.toString(),
    to_cursor: call.toCursor.toString(),
    vk_hash: registry.vk_hash,
    settler_cap_id: normalizeSuiAddress(cap.id),
    sender: normalizeSuiAddress(ctx.sender),
    epoch: ctx.epoch.toString(),
  };
  return { registry: next, event };
}

/**
 * `registry::pause` / `registry::unpause` (for tests of a paused registry).
 *
 * @example
 * const paused = setPaused(registry, adminCap, true);
 */
export function setPaused(registry: RegistryValue, admin: CapValue, paused: boolean): RegistryValue {
  const fn = paused ? "pause" : "unpause";
  if (normalizeSuiAddress(admin.registry_id) !== normalizeSuiAddress(registry.id)) throw registryAbort(fn, "EWrongRegistry");
  if (paused && registry.paused) throw registryAbort(fn, "EAlreadyPaused");
  if (!paused && !registry.paused) throw registryAbort(fn, "ENotPaused");
  return { ...registry, paused };
}
