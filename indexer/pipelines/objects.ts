import { firstTxSequenceNumber, type CheckpointModel } from "../model.ts";
import { objectLookup } from "./object-lookup.ts";
import { ownerColumns } from "./owner-columns.ts";
import type { LiveObjectChanges, LiveObjectRow, Pipeline, TransactionSelection } from "./types.ts";

/**
 * The live objects table's change for one checkpoint: applying the transactions' changes
 * in order, the last state of each object wins; created, mutated and unwrapped objects
 * are upserted, deleted and wrapped ones removed.
 *
 * @example
 * const { upserts, deletes } = objectsPipeline.process(checkpoint, null);
 */
export const objectsPipeline: Pipeline<"objects"> = {
  name: "objects",
  process(checkpoint: CheckpointModel, selection: TransactionSelection): LiveObjectChanges {
    const first = firstTxSequenceNumber(checkpoint);
    // Map keeps first-insertion order; a later change of the same object replaces its value.
    const last = new Map<string, LiveObjectRow | null>();
    checkpoint.transactions.forEach((tx, index) => {
      if (selection && !selection[index]) return;
      const txSequenceNumber = first + BigInt(index);
      const objects = objectLookup(tx);
      for (const change of tx.changedObjects) {
        if (change.accumulatorWrite) continue;
        if (change.outputVersion === null || change.outputOwner === null || change.outputDigest === null) {
          last.set(change.objectId, null);
          continue;
        }
        last.set(change.objectId, {
          objectId: change.objectId,
          version: change.outputVersion,
          digest: change.outputDigest,
          ...ownerColumns(change.outputOwner),
          type: objects.output(change.objectId)?.type ?? null,
          checkpoint: checkpoint.sequenceNumber,
          txSequenceNumber,
        });
      }
    });
    return fromLastStates(last);
  },
};

/**
 * Nets the live-object changes of consecutive checkpoints, given in checkpoint order, into
 * one set of upserts and deletes, so that a batch writes each object once. Each input is
 * already net (an object appears once in it), so its own order does not matter.
 *
 * @example
 * const net = mergeLiveObjectChanges(batch.map((c) => c.rows.objects));
 */
export function mergeLiveObjectChanges(changes: readonly LiveObjectChanges[]): LiveObjectChanges {
  if (changes.length === 1) return changes[0]!;
  const last = new Map<string, LiveObjectRow | null>();
  for (const change of changes) {
    for (const id of change.deletes) last.set(id, null);
    for (const row of change.upserts) last.set(row.objectId, row);
  }
  return fromLastStates(last);
}

function fromLastStates(last: Map<string, LiveObjectRow | null>): LiveObjectChanges {
  const upserts: LiveObjectRow[] = [];
  const deletes: string[] = [];
  for (const [id, row] of last) {
    if (row) upserts.push(row);
    else deletes.push(id);
  }
  return { upserts, deletes };
}
