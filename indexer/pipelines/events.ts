import { firstTxSequenceNumber, type CheckpointModel } from "../model.ts";
import type { EventRow, Pipeline, TransactionSelection } from "./types.ts";

/**
 * Events, keyed by (tx_sequence_number, event_index): the index is the event's position in
 * its transaction, as Sui numbers it (an event id is tx digest + index).
 *
 * @example
 * const rows = eventsPipeline.process(checkpoint, null);
 */
export const eventsPipeline: Pipeline<"events"> = {
  name: "events",
  process(checkpoint: CheckpointModel, selection: TransactionSelection): EventRow[] {
    const first = firstTxSequenceNumber(checkpoint);
    const rows: EventRow[] = [];
    checkpoint.transactions.forEach((tx, index) => {
      if (selection && !selection[index]) return;
      const txSequenceNumber = first + BigInt(index);
      tx.events.forEach((event, eventIndex) => {
        rows.push({
          txSequenceNumber,
          eventIndex,
          checkpoint: checkpoint.sequenceNumber,
          timestampMs: checkpoint.timestampMs,
          package: event.packageId,
          module: event.module,
          type: event.type,
          sender: event.sender,
          contents: event.contents,
        });
      });
    });
    return rows;
  },
};
