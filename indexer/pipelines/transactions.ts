import { firstTxSequenceNumber, type CheckpointModel } from "../model.ts";
import type { Pipeline, TransactionRow, TransactionSelection, TxCallRow } from "./types.ts";

/**
 * Transactions (global sequence number = checkpoint's first + index) and their distinct
 * Move call targets.
 *
 * @example
 * const { transactions, calls } = transactionsPipeline.process(checkpoint, null);
 */
export const transactionsPipeline: Pipeline<"transactions"> = {
  name: "transactions",
  process(checkpoint: CheckpointModel, selection: TransactionSelection) {
    const first = firstTxSequenceNumber(checkpoint);
    const rows: TransactionRow[] = [];
    const calls: TxCallRow[] = [];
    checkpoint.transactions.forEach((tx, index) => {
      if (selection && !selection[index]) return;
      const txSequenceNumber = first + BigInt(index);
      rows.push({
        txSequenceNumber,
        digest: tx.digest,
        checkpoint: checkpoint.sequenceNumber,
        timestampMs: checkpoint.timestampMs,
        sender: tx.sender,
        kind: tx.kind,
        success: tx.status.success,
        error: tx.status.success ? null : tx.status.error,
        gasOwner: tx.gasOwner,
        gasPrice: tx.gasPrice,
        gasBudget: tx.gasBudget,
        computationCost: tx.gasUsed.computationCost,
        storageCost: tx.gasUsed.storageCost,
        storageRebate: tx.gasUsed.storageRebate,
        nonRefundableStorageFee: tx.gasUsed.nonRefundableStorageFee,
      });
      const firstCall = calls.length;
      for (const call of tx.moveCalls) {
        if (isRepeat(calls, firstCall, call)) continue;
        calls.push({
          package: call.package,
          txSequenceNumber,
          module: call.module,
          function: call.function,
          checkpoint: checkpoint.sequenceNumber,
        });
      }
    });
    return { transactions: rows, calls };
  },
};

/** Whether the transaction's call rows (from `from` on) already hold this target: a few calls per transaction, so a scan. */
function isRepeat(calls: readonly TxCallRow[], from: number, call: { package: string; module: string; function: string }): boolean {
  for (let i = from; i < calls.length; i++) {
    const row = calls[i]!;
    if (row.package === call.package && row.module === call.module && row.function === call.function) return true;
  }
  return false;
}
