import { firstTxSequenceNumber, type CheckpointModel } from "../model.ts";
import { objectLookup } from "./object-lookup.ts";
import { ownerColumns } from "./owner-columns.ts";
import type { ObjectVersionRow, Pipeline, TransactionSelection } from "./types.ts";

/**
 * One row per object version a transaction wrote, deleted or wrapped, from the effects'
 * changed objects only (never from input objects, whose versions may be sentinels in
 * cancelled transactions). Accumulator writes (address balances) are not objects here.
 * A deleted or wrapped object gets the transaction's lamport version, no digest and no
 * owner, and keeps the type it had as an input.
 *
 * @example
 * const rows = objectVersionsPipeline.process(checkpoint, null);
 */
export const objectVersionsPipeline: Pipeline<"object_versions"> = {
  name: "object_versions",
  process(checkpoint: CheckpointModel, selection: TransactionSelection): ObjectVersionRow[] {
    const first = firstTxSequenceNumber(checkpoint);
    const rows: ObjectVersionRow[] = [];
    checkpoint.transactions.forEach((tx, index) => {
      if (selection && !selection[index]) return;
      const txSequenceNumber = first + BigInt(index);
      const objects = objectLookup(tx);
      for (const change of tx.changedObjects) {
        if (change.accumulatorWrite) continue;
        const written = change.outputVersion !== null && change.outputOwner !== null;
        const owner = written && change.outputOwner ? ownerColumns(change.outputOwner) : null;
        const source = written ? objects.output(change.objectId) : objects.input(change.objectId);
        rows.push({
          objectId: change.objectId,
          version: change.outputVersion ?? tx.lamportVersion,
          digest: written ? change.outputDigest : null,
          changeKind: change.kind,
          ownerKind: owner?.ownerKind ?? null,
          ownerAddress: owner?.ownerAddress ?? null,
          initialSharedVersion: owner?.initialSharedVersion ?? null,
          type: source?.type ?? null,
          checkpoint: checkpoint.sequenceNumber,
          txSequenceNumber,
        });
      }
    });
    return rows;
  },
};
