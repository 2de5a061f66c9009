/**
 * One transaction of a checkpoint against the contents' `ExecutionDigests` at its position:
 * the `TransactionData` inside its `SenderSignedData` hashes to the transaction digest, its
 * user signatures are the ones the contents pin, the effects hash to the effects digest and
 * name the same transaction, the events hash to the effects' events digest, and the objects
 * match the effects.
 */
import type { TransactionModel } from "../../../indexer/model.ts";
import { sameBytes } from "../../../indexer/decode/chk.ts";
import { BcsCursor, BcsDecodeError } from "../../../indexer/decode/cursor.ts";
import { suiDigest } from "../../../indexer/decode/digest.ts";
import { readEffects, type EffectsFields } from "../../../indexer/decode/effects.ts";
import { readSenderSignedData } from "../../../indexer/decode/transaction.ts";
import { checkObjects, type TransactionProblem } from "./object-check.ts";
import { digestText } from "./result.ts";

export interface PinnedDigests {
  transaction: Uint8Array;
  effects: Uint8Array;
  /** User signatures the contents pin for this transaction. */
  signatures: readonly Uint8Array[];
}

/**
 * @param field prefix for failures, e.g. `transactions[3]`.
 */
export function checkTransaction(tx: TransactionModel, pinned: PinnedDigests, field: string): TransactionProblem[] {
  const problems: TransactionProblem[] = [];
  const mismatch = (at: string, reason: string, expected: Uint8Array | null, actual: Uint8Array | null): void => {
    problems.push({ field: at, reason, expected: digestText(expected), actual: digestText(actual) });
  };

  // SenderSignedData = [1] ++ intent ++ TransactionData ++ signatures; the digest covers
  // only TransactionData.
  try {
    const c = new BcsCursor(tx.transactionBcs);
    const layout = readSenderSignedData(c);
    c.finish("transaction");
    const data = tx.transactionBcs.subarray(layout.dataStart, layout.dataEnd);
    const digest = suiDigest("TransactionData", data);
    if (!sameBytes(digest, pinned.transaction)) {
      mismatch(`${field}.transaction`, "TransactionData does not hash to the contents' transaction digest", pinned.transaction, digest);
    }
    const s = new BcsCursor(tx.transactionBcs, layout.dataEnd);
    const count = s.length("tx_signatures");
    const signatures: Uint8Array[] = [];
    for (let k = 0; k < count; k++) signatures.push(s.byteVector("tx_signatures"));
    if (signatures.length !== pinned.signatures.length || signatures.some((sig, k) => !sameBytes(sig, pinned.signatures[k]!))) {
      problems.push({ field: `${field}.transaction.tx_signatures`, reason: "user signatures differ from those the contents pin" });
    }
  } catch (error) {
    if (!(error instanceof BcsDecodeError)) throw error;
    problems.push({ field: `${field}.transaction`, reason: `transaction bytes do not decode: ${error.reason} at byte ${error.offset} (${error.field})` });
  }
  if (!sameBytes(tx.digest, pinned.transaction)) {
    mismatch(`${field}.digest`, "the transaction's digest is not the contents' transaction digest", pinned.transaction, tx.digest);
  }

  const effectsDigest = suiDigest("TransactionEffects", tx.effectsBcs);
  if (!sameBytes(effectsDigest, pinned.effects)) {
    mismatch(`${field}.effects`, "effects do not hash to the contents' effects digest", pinned.effects, effectsDigest);
  }
  let effects: EffectsFields;
  try {
    const c = new BcsCursor(tx.effectsBcs);
    effects = readEffects(c);
    c.finish("effects");
  } catch (error) {
    if (!(error instanceof BcsDecodeError)) throw error;
    problems.push({ field: `${field}.effects`, reason: `effects bytes do not decode: ${error.reason} at byte ${error.offset} (${error.field})` });
    return problems;
  }
  if (!sameBytes(effects.transactionDigest, pinned.transaction)) {
    mismatch(`${field}.effects.transaction_digest`, "effects belong to another transaction", pinned.transaction, effects.transactionDigest);
  }

  if (effects.eventsDigest && !tx.eventsBcs) {
    problems.push({ field: `${field}.events`, reason: "the effects commit to events the checkpoint does not carry", expected: digestText(effects.eventsDigest) });
  } else if (!effects.eventsDigest && tx.eventsBcs) {
    problems.push({ field: `${field}.events`, reason: "events are present but the effects commit to none" });
  } else if (effects.eventsDigest && tx.eventsBcs) {
    const digest = suiDigest("TransactionEvents", tx.eventsBcs);
    if (!sameBytes(digest, effects.eventsDigest)) {
      mismatch(`${field}.events`, "events do not hash to the effects' events digest", effects.eventsDigest, digest);
    }
  }

  problems.push(...checkObjects(tx, effects.changedObjects, field));
  return problems;
}
