import { firstTxSequenceNumber, type CheckpointModel } from "../model.ts";
import type { PackageRow, Pipeline } from "./types.ts";

/**
 * Every package version written by a transaction (publish, upgrade, system upgrade),
 * whatever the filter: the table is the storage id -> original id registry the package
 * filter itself relies on, and it is small.
 *
 * @example
 * const rows = packagesPipeline.process(checkpoint, null);
 */
export const packagesPipeline: Pipeline<"packages"> = {
  name: "packages",
  process(checkpoint: CheckpointModel): PackageRow[] {
    const first = firstTxSequenceNumber(checkpoint);
    const rows: PackageRow[] = [];
    checkpoint.transactions.forEach((tx, index) => {
      if (!tx.changedObjects.some((c) => c.isPackage && c.outputVersion !== null)) return;
      for (const object of tx.outputObjects) {
        if (!object.isPackage) continue;
        rows.push({
          storageId: object.objectId,
          version: object.version,
          originalId: object.packageOriginalId ?? object.objectId,
          checkpoint: checkpoint.sequenceNumber,
          txSequenceNumber: first + BigInt(index),
        });
      }
    });
    return rows;
  },
};
