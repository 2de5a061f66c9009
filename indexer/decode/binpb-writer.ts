/**
 * Writes a checkpoint model as `.binpb.zst`, laid out as Sui's checkpoint blob indexer lays
 * it out: only the fields of its field mask are set, BCS payloads carry `value` only, and
 * every input and output object goes once into the checkpoint's `objects` set, in
 * `ObjectKey` order (id, then version), with none on the transactions.
 */
import { GrpcTypes } from "@mysten/sui/grpc";
import { compress } from "zstd-napi";
import type { CheckpointModel, ObjectModel } from "../model.ts";
import { BcsCursor } from "./cursor.ts";
import { readSenderSignedData } from "./transaction.ts";

/** zstd level of Sui's blob indexer default configuration is operator-chosen; 3 is zstd's default. */
export const DEFAULT_ZSTD_LEVEL = 3;

/** The uncompressed `sui.rpc.v2.Checkpoint` protobuf. */
export function encodeBinpb(checkpoint: CheckpointModel): Uint8Array {
  const objects = new Map<string, ObjectModel>();
  for (const tx of checkpoint.transactions) {
    for (const object of [...tx.inputObjects, ...tx.outputObjects]) {
      objects.set(`${object.objectId}:${object.version.toString().padStart(20, "0")}`, object);
    }
  }
  const ordered = [...objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);

  const message = GrpcTypes.Checkpoint.create({
    sequenceNumber: checkpoint.sequenceNumber,
    summary: { bcs: { value: checkpoint.summaryBcs } },
    signature: {
      epoch: checkpoint.signature.epoch,
      signature: checkpoint.signature.signature,
      bitmap: checkpoint.signature.signersMap,
    },
    contents: { bcs: { value: checkpoint.contentsBcs } },
    transactions: checkpoint.transactions.map((tx) => {
      // The protobuf carries `TransactionData`; signatures stay in the checkpoint contents.
      const layout = readSenderSignedData(new BcsCursor(tx.transactionBcs));
      return {
        transaction: { bcs: { value: tx.transactionBcs.subarray(layout.dataStart, layout.dataEnd) } },
        effects: { bcs: { value: tx.effectsBcs }, unchangedLoadedRuntimeObjects: [] },
        ...(tx.eventsBcs ? { events: { bcs: { value: tx.eventsBcs } } } : {}),
      };
    }),
    objects: { objects: ordered.map((o) => ({ bcs: { value: o.bcs } })) },
  });
  return GrpcTypes.Checkpoint.toBinary(message);
}

/**
 * @example
 * writeFileSync(`${checkpoint.sequenceNumber}.binpb.zst`, encodeBinpbZst(checkpoint));
 */
export function encodeBinpbZst(checkpoint: CheckpointModel, level = DEFAULT_ZSTD_LEVEL): Uint8Array {
  return compress(encodeBinpb(checkpoint), { compressionLevel: level });
}
