/**
 * The settlement audit over consecutive checkpoints that were already checked themselves
 * (settler/audit/checkpoint): finds the registry's creation and every settlement in them,
 * and holds each settlement to the registry's rules, to its Groth16 proof, and to the batch
 * recomputed from the same checkpoints.
 *
 * Per settlement, in this order (the first failure is the one reported for the batch):
 * 1. continuity: batch number, old root and old next index follow the previous settlement
 *    (or the creation); 2. cursor: from_cursor is the previous to_cursor, to_cursor advances
 *    by at most max_span checkpoints; 3. call: the settle call's arguments are the event's,
 *    the registry was not paused, the key hash and settler are the current ones; 4. proof:
 *    Groth16 under the key in force, over public inputs rebuilt as `settle` builds them
 *    (old root, old next index, from cursor from the audit's own state); 5. recompute: the
 *    batch's stream rows replayed on a fresh in-memory tree of the registry's depth give
 *    the same commitment, new root and new next index.
 * The state then follows the chain (the event's values), so one bad batch does not hide
 * later ones; after a recompute mismatch the audit's tree no longer matches the chain and
 * later batches are reported unverified.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import type { CheckpointModel } from "../../../indexer/model.ts";
import { packagesPipeline } from "../../../indexer/pipelines/packages.ts";
import { prepareVerifyingKey } from "../../groth16/verifier.ts";
import { checkGroth16Prepared } from "../../groth16/verifier.ts";
import type { PreparedVerifyingKeyBytes } from "../../groth16/sui-format.ts";
import { toHex } from "../../groth16/bytes.ts";
import { changesOfCheckpoint } from "../../stream/checkpoint-changes.ts";
import type { StreamRow } from "../../stream/change-stream.ts";
import { settlePublicInputs } from "../../sui/registry-calls.ts";
import { canonicalTrackingJson, parseTrackingConfig, type TrackingConfig } from "../../tracking/config.ts";
import { createTrackingFilter, type TrackingFilter } from "../../tracking/filter.ts";
import { decodeCursor } from "../../tree/cursor.ts";
import { createIndexedMerkleTree, type IndexedMerkleTree } from "../../tree/indexed-merkle-tree.ts";
import type { Poseidon } from "../../tree/poseidon.ts";
import { emptyRoot } from "../../tree/tree-hash.ts";
import { registryActivity, type ActionSite, type RegistryAction } from "./registry-activity.ts";
import { replayBatch } from "./replay.ts";
import {
  formatCursor,
  settlementFailure,
  type BatchResult,
  type RegistryFound,
  type SettlementFailure,
  type SettlementFailureInit,
  type SettlementReport,
} from "./result.ts";

export interface SettlementAuditorOptions {
  registryId: string;
  poseidon: Poseidon;
}

export interface SettlementAuditor {
  /**
   * Takes the next checkpoint (consecutive with the previous one, already verified), and
   * audits every settlement whose data is now complete.
   */
  add(checkpoint: CheckpointModel): Promise<void>;
  /**
   * The last checkpoint the settlements found so far still need as data, when it is beyond
   * the checkpoints added; null when nothing waits for data.
   */
  readonly needsThrough: bigint | null;
  /** Records a failure found outside (a checkpoint that failed its checks, a fetch) . */
  fail(init: SettlementFailureInit): void;
  /** Closes the audit; settlements still waiting for data are reported unverified with `reason`. */
  finish(reason?: string): SettlementReport;
}

interface KeyInForce {
  vk: Uint8Array;
  pvk: PreparedVerifyingKeyBytes;
  vkHash: string;
  trackingConfigHash: string;
  tracking: TrackingConfig;
  filter: TrackingFilter;
}

interface PendingRotation {
  vk: Uint8Array;
  vkHash: string;
  tracking: TrackingConfig;
  trackingConfigHash: string;
  effectiveEpoch: bigint;
}

interface RegistryState {
  found: RegistryFound;
  key: KeyInForce;
  pending: PendingRotation | null;
  root: bigint;
  nextIndex: bigint;
  nextCursor: bigint;
  batchCount: bigint;
  maxSpan: bigint;
  paused: boolean;
  settlerCapId: string;
  tree: IndexedMerkleTree;
  /** The batch after which the audit's tree no longer matches the chain. */
  divergedAt: bigint | null;
}

const hex = (bytes: Uint8Array | readonly number[]): string => toHex(Uint8Array.from(bytes));
const hash = (bytes: Uint8Array): string => hex(blake2b(bytes, { dkLen: 32 }));

/**
 * @example
 * const auditor = createSettlementAuditor({ registryId, poseidon: await loadPoseidon() });
 * for (const checkpoint of verifiedCheckpoints) await auditor.add(checkpoint);
 * const report = auditor.finish();
 */
export function createSettlementAuditor(options: SettlementAuditorOptions): SettlementAuditor {
  const registryId = normalizeSuiAddress(options.registryId);
  const { poseidon } = options;
  const failures: SettlementFailure[] = [];
  const batches: BatchResult[] = [];
  const queue: RegistryAction[] = [];
  const originals = new Map<string, string>();
  /** Stream rows not consumed yet, in cursor order. */
  let rows: StreamRow[] = [];
  let first: bigint | null = null;
  let last: bigint | null = null;
  let count = 0;
  let state: RegistryState | null = null;
  let packageId: string | null = null;
  let stopped = false;

  const record = (init: SettlementFailureInit): SettlementFailure => {
    const failure = settlementFailure(init);
    failures.push(failure);
    return failure;
  };

  const trackingOf = (bytes: Uint8Array, onChainHash: string, site: ActionSite, field: string): TrackingConfig | null => {
    const actual = hash(bytes);
    if (actual !== onChainHash) {
      record({ check: "registry", checkpoint: site.checkpoint, field, reason: "the emitted tracking configuration does not hash to the registry's tracking_config_hash", expected: onChainHash, actual });
      return null;
    }
    const text = new TextDecoder().decode(bytes);
    let config: TrackingConfig;
    try {
      config = parseTrackingConfig(text);
    } catch (error) {
      record({ check: "registry", checkpoint: site.checkpoint, field, reason: `the tracking configuration does not parse: ${(error as Error).message}` });
      return null;
    }
    // The settler emits the canonical form; anything else could be read two ways.
    if (canonicalTrackingJson(config) !== text) {
      record({ check: "registry", checkpoint: site.checkpoint, field, reason: "the tracking configuration is not in canonical form", expected: canonicalTrackingJson(config), actual: text });
      return null;
    }
    return config;
  };

  const keyOf = (vk: Uint8Array, vkHash: string, tracking: TrackingConfig, trackingConfigHash: string, site: ActionSite, field: string): KeyInForce | null => {
    if (hash(vk) !== vkHash) {
      record({ check: "registry", checkpoint: site.checkpoint, field, reason: "the emitted verifying key does not hash to vk_hash", expected: vkHash, actual: hash(vk) });
      return null;
    }
    let pvk: PreparedVerifyingKeyBytes;
    try {
      pvk = prepareVerifyingKey(vk);
    } catch (error) {
      record({ check: "registry", checkpoint: site.checkpoint, field, reason: `the verifying key does not decode: ${(error as Error).message}` });
      return null;
    }
    const filter = createTrackingFilter(tracking, (id) => originals.get(id) ?? id);
    return { vk, pvk, vkHash, trackingConfigHash, tracking, filter };
  };

  const created = async (action: Extract<RegistryAction, { kind: "created" }>): Promise<void> => {
    const e = action.event;
    if (state !== null) {
      record({ check: "registry", checkpoint: action.checkpoint, field: "RegistryCreated", reason: "a second creation event for the registry" });
      return;
    }
    const depth = Number(e.depth);
    const tracking = trackingOf(Uint8Array.from(e.tracking_config), hex(e.tracking_config_hash), action, "tracking_config");
    const key = tracking && keyOf(Uint8Array.from(e.vk), hex(e.vk_hash), tracking, hex(e.tracking_config_hash), action, "vk");
    if (!tracking || !key) {
      stopped = true;
      return;
    }
    const tree = await createIndexedMerkleTree({ depth, poseidon });
    const root = BigInt(e.root);
    if (root !== emptyRoot(poseidon, depth) || BigInt(e.next_index) !== 1n) {
      record({ check: "registry", checkpoint: action.checkpoint, field: "root", reason: `the registry does not start from the empty tree of depth ${depth}`, expected: String(tree.root), actual: String(root) });
    }
    const startCursor = BigInt(e.start_cursor);
    const found: RegistryFound = {
      registryId,
      packageId: action.packageId,
      createdIn: action.checkpoint,
      depth,
      startCursor,
      maxSpan: BigInt(e.max_span),
      vk: key.vk,
      trackingConfig: canonicalTrackingJson(tracking),
    };
    state = {
      found,
      key,
      pending: null,
      root,
      nextIndex: BigInt(e.next_index),
      nextCursor: startCursor,
      batchCount: 0n,
      maxSpan: BigInt(e.max_span),
      paused: false,
      settlerCapId: normalizeSuiAddress(e.settler_cap_id),
      tree,
      divergedAt: null,
    };
    const startCheckpoint = decodeCursor(startCursor).checkpoint;
    if (first !== null && startCheckpoint < first) {
      record({
        check: "data",
        checkpoint: action.checkpoint,
        field: "start_cursor",
        reason: `the registry's stream starts at checkpoint ${startCheckpoint}, before the first checkpoint scanned (${first}): scan from ${startCheckpoint} to recompute its batches`,
      });
      state.divergedAt = 0n;
    }
    rows = rows.filter((r) => r.cursor >= startCursor);
  };

  /** The last checkpoint whose rows a batch ending at `toCursor` needs. */
  const lastNeeded = (toCursor: bigint): bigint => {
    const { checkpoint, offset } = decodeCursor(toCursor);
    return offset === 0n ? checkpoint - 1n : checkpoint;
  };

  const settled = (action: Extract<RegistryAction, { kind: "settled" }>, s: RegistryState): void => {
    const e = action.event;
    const batch = BigInt(e.batch);
    const fromCursor = BigInt(e.from_cursor);
    const toCursor = BigInt(e.to_cursor);
    const result: BatchResult = {
      batch,
      fromCursor,
      toCursor,
      settledIn: action.checkpoint,
      transaction: action.transaction,
      status: "ok",
      operations: null,
      failures: [],
      note: null,
    };
    batches.push(result);
    const fail = (init: Omit<SettlementFailureInit, "batch" | "checkpoint">): void => {
      result.failures.push(record({ ...init, batch, checkpoint: action.checkpoint }));
      result.status = "failed";
    };
    const newRoot = BigInt(e.new_root);
    const newNextIndex = BigInt(e.new_next_index);
    const commitment = BigInt(e.batch_commitment);

    // 1. continuity
    if (batch !== s.batchCount + 1n) fail({ check: "continuity", field: "batch", reason: "batch numbers must follow each other", expected: String(s.batchCount + 1n), actual: String(batch) });
    if (BigInt(e.old_root) !== s.root) fail({ check: "continuity", field: "old_root", reason: "the batch does not start from the previous settlement's root", expected: String(s.root), actual: e.old_root });
    if (BigInt(e.old_next_index) !== s.nextIndex) fail({ check: "continuity", field: "old_next_index", reason: "the batch does not start from the previous next index", expected: String(s.nextIndex), actual: e.old_next_index });
    // 2. cursor
    if (fromCursor !== s.nextCursor) {
      const gap = fromCursor > s.nextCursor;
      fail({
        check: "cursor",
        field: "from_cursor",
        reason: gap
          ? `cursor gap: the batch starts at ${formatCursor(fromCursor)}, the previous one ended at ${formatCursor(s.nextCursor)}; the changes in between were never settled`
          : `cursor overlap: the batch starts at ${formatCursor(fromCursor)}, before the previous one ended (${formatCursor(s.nextCursor)})`,
        expected: String(s.nextCursor),
        actual: String(fromCursor),
      });
    }
    if (toCursor <= fromCursor) fail({ check: "cursor", field: "to_cursor", reason: "the cursor does not advance", expected: `> ${fromCursor}`, actual: String(toCursor) });
    else if ((toCursor >> 32n) - (fromCursor >> 32n) > s.maxSpan) {
      fail({ check: "cursor", field: "to_cursor", reason: `the batch spans more than max_span (${s.maxSpan}) checkpoints`, actual: String((toCursor >> 32n) - (fromCursor >> 32n)) });
    }
    // 3. call
    const call = action.call;
    if (call === null) {
      fail({ check: "call", field: "settle", reason: action.problem ?? "no readable settle call" });
    } else {
      const pairs: Array<[string, bigint, bigint]> = [
        ["new_root", call.newRoot, newRoot],
        ["new_next_index", call.newNextIndex, newNextIndex],
        ["batch_commitment", call.batchCommitment, commitment],
        ["to_cursor", call.toCursor, toCursor],
      ];
      for (const [field, argument, event] of pairs) {
        if (argument !== event) fail({ check: "call", field, reason: "the settle call's argument differs from its Settled event", expected: String(argument), actual: String(event) });
      }
    }
    if (s.paused) fail({ check: "call", field: "paused", reason: "the registry was paused" });
    if (hex(e.vk_hash) !== s.key.vkHash) fail({ check: "call", field: "vk_hash", reason: "the batch was verified under another key than the one in force", expected: s.key.vkHash, actual: hex(e.vk_hash) });
    if (normalizeSuiAddress(e.settler_cap_id) !== s.settlerCapId) fail({ check: "call", field: "settler_cap_id", reason: "the batch was settled with a revoked settler capability", expected: s.settlerCapId, actual: e.settler_cap_id });
    // 4. proof, over inputs rebuilt from the audit's state as `settle` builds them.
    if (call !== null) {
      let verdict: { valid: true } | { valid: false; reason: string };
      try {
        const publicInputs = settlePublicInputs({
          oldRoot: s.root,
          newRoot: call.newRoot,
          oldNextIndex: s.nextIndex,
          newNextIndex: call.newNextIndex,
          batchCommitment: call.batchCommitment,
          fromCursor: s.nextCursor,
          toCursor: call.toCursor,
        });
        verdict = call.proof.length !== 128
          ? { valid: false, reason: `the proof has ${call.proof.length} bytes, not 128` }
          : checkGroth16Prepared({ pvk: s.key.pvk, publicInputs, proof: call.proof });
      } catch (error) {
        verdict = { valid: false, reason: (error as Error).message };
      }
      if (!verdict.valid) fail({ check: "proof", field: "proof_points", reason: `the Groth16 proof does not verify under the registry's key: ${verdict.reason}` });
    }
    // 5. recompute
    if (s.divergedAt !== null) {
      result.note = s.divergedAt === 0n ? "not recomputed: the scan does not cover the registry's start" : `not recomputed: the audit's tree diverged from the chain at batch ${s.divergedAt}`;
      if (result.status === "ok") result.status = "unverified";
    } else {
      // The audit's own cursor: a gap's skipped changes belong to this batch.
      const from = s.nextCursor < fromCursor ? s.nextCursor : fromCursor;
      const batchRows = rows.filter((r) => r.cursor >= from && r.cursor < toCursor);
      const outcome = replayBatch(s.tree, s.key.filter, batchRows);
      if (!outcome.ok) {
        fail({ check: "recompute", field: "batch", reason: outcome.reason });
        s.divergedAt = batch;
      } else {
        result.operations = outcome.operations;
        const range = `checkpoints ${decodeCursor(from).checkpoint} to ${lastNeeded(toCursor)}`;
        const mismatches: Array<[string, bigint, bigint]> = [
          ["batch_commitment", outcome.commitment, commitment],
          ["new_root", outcome.newRoot, newRoot],
          ["new_next_index", outcome.newNextIndex, newNextIndex],
        ];
        for (const [field, recomputed, onChain] of mismatches) {
          if (recomputed !== onChain) {
            fail({ check: "recompute", field, reason: `does not match the batch recomputed from ${range}`, expected: String(recomputed), actual: String(onChain) });
            s.divergedAt = batch;
          }
        }
      }
    }
    rows = rows.filter((r) => r.cursor >= toCursor);
    // Follow the chain.
    s.batchCount = batch;
    s.root = newRoot;
    s.nextIndex = newNextIndex;
    s.nextCursor = toCursor;
  };

  const admin = (action: RegistryAction, s: RegistryState): void => {
    const fail = (field: string, reason: string, expected?: string, actual?: string): void => {
      record({ check: "admin", checkpoint: action.checkpoint, field, reason, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
    };
    switch (action.kind) {
      case "rotationProposed": {
        const e = action.event;
        if (s.pending) fail("KeyRotationProposed", "a rotation was proposed while another was pending");
        const tracking = trackingOf(Uint8Array.from(e.tracking_config), hex(e.tracking_config_hash), action, "KeyRotationProposed.tracking_config");
        if (!tracking) return;
        const vk = Uint8Array.from(e.vk);
        if (hash(vk) !== hex(e.vk_hash)) {
          fail("KeyRotationProposed.vk", "the proposed verifying key does not hash to vk_hash", hex(e.vk_hash), hash(vk));
          return;
        }
        s.pending = { vk, vkHash: hex(e.vk_hash), tracking, trackingConfigHash: hex(e.tracking_config_hash), effectiveEpoch: BigInt(e.effective_epoch) };
        return;
      }
      case "rotationCancelled":
        if (!s.pending) fail("KeyRotationCancelled", "no rotation was pending");
        s.pending = null;
        return;
      case "rotationApplied": {
        const e = action.event;
        const pending = s.pending;
        if (!pending) {
          fail("KeyRotationApplied", "a rotation was applied without a proposal");
          return;
        }
        if (hex(e.vk_hash) !== pending.vkHash) fail("KeyRotationApplied.vk_hash", "the applied key is not the proposed one", pending.vkHash, hex(e.vk_hash));
        if (hex(e.tracking_config_hash) !== pending.trackingConfigHash) fail("KeyRotationApplied.tracking_config_hash", "the applied tracking configuration is not the proposed one", pending.trackingConfigHash, hex(e.tracking_config_hash));
        if (action.epoch < pending.effectiveEpoch) fail("KeyRotationApplied.epoch", "the rotation was applied before its effective epoch", `>= ${pending.effectiveEpoch}`, String(action.epoch));
        if (BigInt(e.from_cursor) !== s.nextCursor) fail("KeyRotationApplied.from_cursor", "the rotation does not start at the registry's next cursor", String(s.nextCursor), e.from_cursor);
        if (BigInt(e.after_batch) !== s.batchCount) fail("KeyRotationApplied.after_batch", "the rotation does not follow the last batch", String(s.batchCount), e.after_batch);
        const key = keyOf(pending.vk, pending.vkHash, pending.tracking, pending.trackingConfigHash, action, "KeyRotationApplied");
        if (key) s.key = key;
        s.pending = null;
        return;
      }
      case "maxSpanChanged":
        if (BigInt(action.event.old_max_span) !== s.maxSpan) fail("MaxSpanChanged.old_max_span", "the old span is not the one in force", String(s.maxSpan), action.event.old_max_span);
        s.maxSpan = BigInt(action.event.new_max_span);
        return;
      case "pauseChanged":
        s.paused = action.event.paused;
        return;
      case "settlerReplaced":
        s.settlerCapId = normalizeSuiAddress(action.event.new_cap_id);
        return;
      default:
        return;
    }
  };

  /** Audits queued actions in order while the data they need is there. */
  const drain = async (): Promise<void> => {
    while (queue.length > 0 && !stopped) {
      const action = queue[0]!;
      if (action.kind === "created") {
        await created(action);
      } else if (action.kind === "anomaly") {
        record({ check: "call", checkpoint: action.checkpoint, field: `transaction ${action.transaction}`, reason: action.reason });
      } else if (state === null) {
        record({ check: "registry", checkpoint: action.checkpoint, field: "RegistryCreated", reason: "the registry acts before its creation was seen: scan from the checkpoint that created it" });
        stopped = true;
      } else if (action.kind === "settled") {
        if (last === null || lastNeeded(BigInt(action.event.to_cursor)) > last) return;
        settled(action, state);
      } else {
        admin(action, state);
      }
      queue.shift();
    }
  };

  return {
    get needsThrough() {
      const waiting = queue.find((a) => a.kind === "settled");
      if (!waiting || waiting.kind !== "settled") return null;
      const needed = lastNeeded(BigInt(waiting.event.to_cursor));
      return last !== null && needed <= last ? null : needed;
    },
    async add(checkpoint) {
      if (stopped) return;
      if (last !== null && checkpoint.sequenceNumber !== last + 1n) {
        record({ check: "data", checkpoint: checkpoint.sequenceNumber, field: "sequence_number", reason: `checkpoints must be consecutive: ${last} was followed by ${checkpoint.sequenceNumber}` });
        stopped = true;
        return;
      }
      first ??= checkpoint.sequenceNumber;
      last = checkpoint.sequenceNumber;
      count++;
      for (const p of packagesPipeline.process(checkpoint, null)) originals.set(p.storageId, p.originalId);
      const start = (state as RegistryState | null)?.found.startCursor ?? 0n;
      for (const row of changesOfCheckpoint(checkpoint)) if (row.cursor >= start) rows.push(row);
      const actions = registryActivity(checkpoint, { registryId, packageId });
      for (const a of actions) if (a.kind === "created") packageId = a.packageId;
      queue.push(...actions);
      await drain();
    },
    fail(init) {
      record(init);
      stopped = true;
    },
    finish(reason) {
      if (state === null && !failures.some((f) => f.check === "registry")) {
        record({ check: "registry", field: "RegistryCreated", reason: `no transaction creating registry ${registryId} in checkpoints ${first ?? "-"} to ${last ?? "-"}: scan from the checkpoint that created it` });
      }
      for (const action of queue) {
        if (action.kind !== "settled") continue;
        const e = action.event;
        const why = reason ?? `its data runs to checkpoint ${lastNeeded(BigInt(e.to_cursor))}, the scan ended at ${last ?? "-"}`;
        batches.push({
          batch: BigInt(e.batch),
          fromCursor: BigInt(e.from_cursor),
          toCursor: BigInt(e.to_cursor),
          settledIn: action.checkpoint,
          transaction: action.transaction,
          status: "unverified",
          operations: null,
          failures: [],
          note: `not verified: ${why}`,
        });
      }
      if (batches.some((b) => b.status === "unverified") && !failures.some((f) => f.check === "data") && queue.some((a) => a.kind === "settled")) {
        record({ check: "data", checkpoint: last, field: "checkpoints", reason: reason ?? "the scan ended before the data of every batch found" });
      }
      queue.length = 0;
      const found = (state as RegistryState | null)?.found ?? null;
      return {
        ok: failures.length === 0 && batches.every((b) => b.status === "ok"),
        registry: found,
        batches,
        failures,
        checkpoints: { first, last, count },
      };
    },
  };
}
