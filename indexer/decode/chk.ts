/**
 * The legacy remote-store blob `<seq>.chk`: one encoding byte (1 = BCS), then the BCS of
 * `CheckpointData { checkpoint_summary: CertifiedCheckpointSummary, checkpoint_contents,
 * transactions: Vec<CheckpointTransaction { transaction, effects, events, input_objects,
 * output_objects }> }` (sui-types full_checkpoint_content.rs).
 *
 * The whole blob is walked once with a cursor: every structure is checked down to the last
 * byte, the fields of the model are read, and objects are only located (decoded later, on
 * access). All byte fields of the model are views of the input, never copies.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { CheckpointModel } from "../model.ts";
import { BcsCursor, BcsDecodeError } from "./cursor.ts";
import { DecodedTransaction, LocatedObjects, type DecodeOrigin } from "./decoded-transaction.ts";
import { readEffects } from "./effects.ts";
import { readEvents } from "./events.ts";
import { skipObject } from "./object.ts";
import { checkpointModel, readAuthoritySignature, readContents, readSummary } from "./summary.ts";
import { readSenderSignedData } from "./transaction.ts";

/** `BlobEncoding::Bcs`. */
export const CHK_ENCODING_BCS = 1;

/** Epoch, sequence number and network total transactions sit at fixed offsets: a cheap header. */
export interface ChkHeader {
  epoch: bigint;
  sequenceNumber: bigint;
  networkTotalTransactions: bigint;
}

/** Reads bytes 1..25 of a `.chk` blob, or null when the file is too short to hold them. */
export function readChkHeader(bytes: Uint8Array): ChkHeader | null {
  if (bytes.length < 25) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    epoch: view.getBigUint64(1, true),
    sequenceNumber: view.getBigUint64(9, true),
    networkTotalTransactions: view.getBigUint64(17, true),
  };
}

/**
 * Decodes a `.chk` blob into the checkpoint model. Throws a NonRetryableError naming the
 * file, the checkpoint, the field and the byte offset when the blob is not valid.
 *
 * @example
 * const checkpoint = decodeChk(readFileSync("100000017.chk"), "100000017.chk");
 * console.log(checkpoint.sequenceNumber, checkpoint.transactions.length);
 */
export function decodeChk(input: Uint8Array, location: string): CheckpointModel {
  const bytes = plainBytes(input);
  const header = readChkHeader(bytes);
  // Where the cursor is, for error messages: a stage name and the transaction index.
  let path = "";
  let txIndex = -1;
  try {
    const c = new BcsCursor(bytes);
    const encoding = c.u8("encoding");
    if (encoding !== CHK_ENCODING_BCS) c.fail("encoding", `unsupported blob encoding ${encoding}`, 0);

    path = "checkpoint_summary";
    const summaryStart = c.pos;
    const summary = readSummary(c);
    const summaryBcs = bytes.subarray(summaryStart, c.pos);
    path = "checkpoint_summary.auth_signature";
    const signature = readAuthoritySignature(c);
    path = "checkpoint_contents";
    const contentsStart = c.pos;
    const contents = readContents(c, false);
    const contentsBcs = bytes.subarray(contentsStart, c.pos);

    path = "transactions";
    const countAt = c.pos;
    const count = c.length("length");
    if (count !== contents.transactionDigests.length) {
      c.fail("length", `${count} transactions but the contents list ${contents.transactionDigests.length}`, countAt);
    }
    const origin: DecodeOrigin = { location, checkpoint: summary.sequenceNumber };
    const transactions: DecodedTransaction[] = new Array(count);
    for (let i = 0; i < count; i++) {
      txIndex = i;
      path = "transaction";
      const txStart = c.pos;
      const tx = readSenderSignedData(c);
      const transactionBcs = bytes.subarray(txStart, tx.end);

      path = "effects";
      const effectsStart = c.pos;
      const effects = readEffects(c);
      const effectsBcs = bytes.subarray(effectsStart, c.pos);
      if (!sameBytes(effects.transactionDigest, contents.transactionDigests[i]!)) {
        c.fail("transaction_digest", "effects belong to another transaction than the contents list", effectsStart);
      }

      path = "events";
      let eventsBcs: Uint8Array | null = null;
      let events: DecodedTransaction["events"] = [];
      if (c.option("option")) {
        const eventsStart = c.pos;
        events = readEvents(c);
        eventsBcs = bytes.subarray(eventsStart, c.pos);
      }

      path = "input_objects";
      const inputs = locateObjects(c);
      path = "output_objects";
      const outputs = locateObjects(c);

      transactions[i] = new DecodedTransaction(
        {
          digest: effects.transactionDigest,
          indexInCheckpoint: i,
          sender: tx.fields.sender,
          kind: tx.fields.kind,
          gasOwner: tx.fields.gasOwner,
          gasPrice: tx.fields.gasPrice,
          gasBudget: tx.fields.gasBudget,
          status: effects.status,
          gasUsed: effects.gasUsed,
          executedEpoch: effects.executedEpoch,
          lamportVersion: effects.lamportVersion,
          moveCalls: tx.fields.moveCalls,
          changedObjects: effects.changedObjects,
          events,
          transactionBcs,
          effectsBcs,
          eventsBcs,
        },
        new LocatedObjects(bytes, inputs, outputs),
        origin,
      );
    }
    txIndex = -1;
    path = "transactions";
    c.finish("end");
    if (summary.networkTotalTransactions < BigInt(count)) {
      throw new BcsDecodeError("network_total_transactions", summaryStart + 16, "smaller than the transactions in the checkpoint");
    }

    return checkpointModel(summary, { summaryBcs, signature, contentsBcs, transactions });
  } catch (error) {
    if (!(error instanceof BcsDecodeError)) throw error;
    const located = error.within(txIndex >= 0 ? `transactions[${txIndex}].${path}` : path);
    throw new NonRetryableError("cannot decode checkpoint file", {
      cause: error,
      details: {
        file: location,
        checkpoint: header?.sequenceNumber ?? null,
        field: located.field,
        offset: located.offset,
        reason: located.reason,
      },
    });
  }
}

/** `Vec<Object>`: where each object's exact bytes lie, as [start, end) pairs. */
function locateObjects(c: BcsCursor): number[] {
  const n = c.length("length");
  const offsets: number[] = new Array(2 * n);
  let j = 0;
  try {
    for (; j < n; j++) {
      offsets[2 * j] = c.pos;
      skipObject(c, "object");
      offsets[2 * j + 1] = c.pos;
    }
  } catch (error) {
    throw error instanceof BcsDecodeError ? new BcsDecodeError(`[${j}]`, error.offset, error.reason) : error;
  }
  return offsets;
}

/** A plain Uint8Array view of the same memory: its subarrays are much cheaper than a Buffer's. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
