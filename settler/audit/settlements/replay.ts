/**
 * Recomputes one batch from stream rows, as the settler builds it (settler/tree/batch.ts):
 * each row's value under the tracking filter, changes coalesced per key (last state wins,
 * in the order of each key's last change), keys that stay absent with value 0 skipped,
 * the rest applied to the tree one by one, and the canonical commitment over them. The
 * circuit's B only pads with trailing no-ops, which enter neither the commitment nor the
 * tree, so the auditor does not need to know it.
 */
import { rowValue } from "../../stream/change-value.ts";
import type { StreamRow } from "../../stream/change-stream.ts";
import type { TrackingFilter } from "../../tracking/filter.ts";
import { batchCommitment, planOperations, type StateChange } from "../../tree/batch.ts";
import type { IndexedMerkleTree } from "../../tree/indexed-merkle-tree.ts";
import { objectKey } from "../../tree/object-encoding.ts";

export interface ReplayedBatch {
  commitment: bigint;
  newRoot: bigint;
  newNextIndex: bigint;
  /** Real operations applied (inserts + updates). */
  operations: number;
  inserts: number;
}

export type ReplayOutcome = ({ ok: true } & ReplayedBatch) | { ok: false; reason: string };

/**
 * Applies the batch made of `rows` (already limited to its cursor range) to `tree`. On a
 * refusal (a malformed row, a full tree) the tree is left as it was.
 *
 * @example
 * const outcome = replayBatch(tree, filter, rows);
 * if (outcome.ok && outcome.commitment !== onChain) fail();
 */
export function replayBatch(tree: IndexedMerkleTree, filter: TrackingFilter, rows: readonly StreamRow[]): ReplayOutcome {
  const poseidon = tree.poseidon;
  const changes: StateChange[] = [];
  const keys = new Map<string, bigint>();
  for (const row of rows) {
    let key = keys.get(row.objectId);
    if (key === undefined) {
      key = objectKey(poseidon, row.objectId);
      keys.set(row.objectId, key);
    }
    let value: bigint;
    try {
      value = rowValue(poseidon, filter, row);
    } catch (error) {
      return { ok: false, reason: `change of ${row.objectId} at ${row.checkpoint}: ${(error as Error).message}` };
    }
    changes.push({ key, value });
  }
  const plan = planOperations(tree, changes);
  if (tree.nextIndex + BigInt(plan.inserts) > tree.capacity) {
    return { ok: false, reason: `the batch inserts ${plan.inserts} keys, the tree of depth ${tree.depth} has ${tree.capacity - tree.nextIndex} free leaves` };
  }
  for (const op of plan.operations) tree.apply(op.key, op.value);
  return {
    ok: true,
    commitment: batchCommitment(poseidon, plan.operations),
    newRoot: tree.root,
    newNextIndex: tree.nextIndex,
    operations: plan.operations.length,
    inserts: plan.inserts,
  };
}
