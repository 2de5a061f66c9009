import { firstTxSequenceNumber, type CheckpointModel } from "../model.ts";
import type { CheckpointRow, Pipeline } from "./types.ts";

/**
 * One row per checkpoint, whatever the filter selects: the checkpoint table is the
 * index's spine (timestamps, transaction ranges, signed summaries).
 *
 * @example
 * const [row] = checkpointsPipeline.process(checkpoint, null);
 */
export const checkpointsPipeline: Pipeline<"checkpoints"> = {
  name: "checkpoints",
  process(checkpoint: CheckpointModel): CheckpointRow[] {
    return [
      {
        sequenceNumber: checkpoint.sequenceNumber,
        epoch: checkpoint.epoch,
        timestampMs: checkpoint.timestampMs,
        digest: checkpoint.digest,
        previousDigest: checkpoint.previousDigest,
        contentDigest: checkpoint.contentDigest,
        networkTotalTransactions: checkpoint.networkTotalTransactions,
        txLo: firstTxSequenceNumber(checkpoint),
        txCount: checkpoint.transactions.length,
        endOfEpoch: checkpoint.endOfEpochData !== null,
        summaryBcs: checkpoint.summaryBcs,
        validatorSignature: checkpoint.signature.signature,
        signersMap: checkpoint.signature.signersMap,
      },
    ];
  },
};
