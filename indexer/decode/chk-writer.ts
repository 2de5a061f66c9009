/** Writes a checkpoint model back as a `.chk` blob, from its raw BCS slices. */
import type { CheckpointModel } from "../model.ts";
import { CHK_ENCODING_BCS } from "./chk.ts";
import { ByteWriter } from "./byte-writer.ts";

/**
 * `[1] ++ BCS(CheckpointData)`, byte for byte what a decoded `.chk` held.
 *
 * @example
 * writeFileSync(`${checkpoint.sequenceNumber}.chk`, encodeChk(checkpoint));
 */
export function encodeChk(checkpoint: CheckpointModel): Uint8Array {
  const w = new ByteWriter();
  w.u8(CHK_ENCODING_BCS);
  w.bytes(checkpoint.summaryBcs);
  w.u64(checkpoint.signature.epoch);
  w.bytes(checkpoint.signature.signature);
  w.byteVector(checkpoint.signature.signersMap);
  w.bytes(checkpoint.contentsBcs);
  w.uleb(checkpoint.transactions.length);
  for (const tx of checkpoint.transactions) {
    w.bytes(tx.transactionBcs);
    w.bytes(tx.effectsBcs);
    if (tx.eventsBcs) {
      w.u8(1);
      w.bytes(tx.eventsBcs);
    } else {
      w.u8(0);
    }
    for (const list of [tx.inputObjects, tx.outputObjects]) {
      w.uleb(list.length);
      for (const object of list) w.bytes(object.bcs);
    }
  }
  return w.finish();
}
