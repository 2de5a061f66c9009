/**
 * The change stream of one checkpoint, computed from the checkpoint itself instead of the
 * object_versions table: the same rows (objectVersionsPipeline, every transaction, no
 * filter), in the same order (transaction, then object id byte order, as the reader's
 * `ORDER BY tx_sequence_number, object_id COLLATE "C"`), with the same cursors. The auditor
 * recomputes batches with it from checkpoints it fetched itself.
 */
import type { CheckpointModel, ObjectChangeKind, OwnerKind } from "../../indexer/model.ts";
import { objectVersionsPipeline } from "../../indexer/pipelines/object-versions.ts";
import { encodeCursor } from "../tree/cursor.ts";
import type { StreamRow } from "./change-stream.ts";

/**
 * Every changed object of the checkpoint as a stream row, offsets counted before any
 * tracking filter.
 *
 * @example
 * const rows = changesOfCheckpoint(checkpoint);
 * rows[0]?.cursor; // encodeCursor(checkpoint.sequenceNumber, 0n)
 */
export function changesOfCheckpoint(checkpoint: CheckpointModel): StreamRow[] {
  const rows = objectVersionsPipeline.process(checkpoint, null);
  // Canonical ids are 0x + 64 lowercase hex digits: string order is byte order.
  const ordered = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      if (a.row.txSequenceNumber !== b.row.txSequenceNumber) return a.row.txSequenceNumber < b.row.txSequenceNumber ? -1 : 1;
      if (a.row.objectId !== b.row.objectId) return a.row.objectId < b.row.objectId ? -1 : 1;
      return a.index - b.index;
    });
  return ordered.map(({ row }, offset) => ({
    cursor: encodeCursor(checkpoint.sequenceNumber, BigInt(offset)),
    checkpoint: row.checkpoint,
    txSequenceNumber: row.txSequenceNumber,
    objectId: row.objectId,
    version: row.version,
    digest: row.digest,
    changeKind: row.changeKind as ObjectChangeKind,
    ownerKind: row.ownerKind as OwnerKind | null,
    ownerAddress: row.ownerAddress,
    initialSharedVersion: row.initialSharedVersion,
    type: row.type,
  }));
}
