/**
 * The digest chain below a checkpoint summary: the summary bytes give the checkpoint digest
 * and the content digest; the contents bytes hash to that content digest and list, per
 * transaction, the transaction and effects digests; each transaction, its effects, events
 * and objects are then checked against them (transaction-check.ts, object-check.ts).
 *
 * Everything is computed from the raw BCS slices the model keeps. The model's summary-level
 * fields are compared with the signed summary too, so a model that disagrees with its own
 * bytes cannot pass.
 */
import type { CheckpointModel } from "../../../indexer/model.ts";
import { sameBytes } from "../../../indexer/decode/chk.ts";
import { BcsCursor, BcsDecodeError } from "../../../indexer/decode/cursor.ts";
import { suiDigest } from "../../../indexer/decode/digest.ts";
import { readContents, type ContentsFields } from "../../../indexer/decode/summary.ts";
import { auditFailure, digestText, failed, type AuditFailure, type AuditResult } from "./result.ts";
import { readSignedSummary } from "./signed-summary.ts";
import { checkTransaction } from "./transaction-check.ts";

export interface ContentsVerified {
  transactions: number;
}

/**
 * Checks the contents, transactions, effects, events and objects of a checkpoint against its
 * summary. Reports every failure, not just the first.
 *
 * @example
 * const result = verifyCheckpointContents(checkpoint);
 * if (!result.ok) for (const f of result.failures) console.error(describeAuditFailure(f));
 */
export function verifyCheckpointContents(checkpoint: CheckpointModel): AuditResult<ContentsVerified> {
  const sequence = checkpoint.sequenceNumber;
  const failures: AuditFailure[] = [];
  const fail = (field: string, reason: string, expected: string | null = null, actual: string | null = null): void => {
    failures.push(auditFailure({ check: "contents", checkpoint: sequence, field, reason, expected, actual }));
  };

  const read = readSignedSummary(checkpoint, "contents");
  if (!read.summary) return failed(read.failure);
  const summary = read.summary;
  const digest = suiDigest("CheckpointSummary", checkpoint.summaryBcs);
  if (!sameBytes(digest, checkpoint.digest)) {
    fail("digest", "the checkpoint digest is not the digest of the summary bytes", digestText(checkpoint.digest), digestText(digest));
  }
  const agrees: Array<[string, unknown, unknown]> = [
    ["sequence_number", summary.sequenceNumber, checkpoint.sequenceNumber],
    ["epoch", summary.epoch, checkpoint.epoch],
    ["network_total_transactions", summary.networkTotalTransactions, checkpoint.networkTotalTransactions],
    ["timestamp_ms", summary.timestampMs, checkpoint.timestampMs],
    ["content_digest", digestText(summary.contentDigest), digestText(checkpoint.contentDigest)],
    ["previous_digest", digestText(summary.previousDigest), digestText(checkpoint.previousDigest)],
    ["end_of_epoch_data", summary.endOfEpochData !== null, checkpoint.endOfEpochData !== null],
  ];
  for (const [field, signed, model] of agrees) {
    if (signed !== model) fail(`checkpoint_summary.${field}`, "the checkpoint disagrees with its signed summary", String(signed), String(model));
  }

  const contentsDigest = suiDigest("CheckpointContents", checkpoint.contentsBcs);
  if (!sameBytes(contentsDigest, summary.contentDigest)) {
    fail("checkpoint_contents", "contents do not hash to the summary's content digest", digestText(summary.contentDigest), digestText(contentsDigest));
  }
  let contents: ContentsFields;
  try {
    const c = new BcsCursor(checkpoint.contentsBcs);
    contents = readContents(c, true);
    c.finish("checkpoint_contents");
  } catch (error) {
    if (!(error instanceof BcsDecodeError)) throw error;
    fail(`checkpoint_contents.${error.field}`, `contents bytes do not decode: ${error.reason} at byte ${error.offset}`);
    return failed(...failures);
  }

  const listed = contents.transactionDigests.length;
  if (listed !== checkpoint.transactions.length) {
    fail("transactions", "the checkpoint carries another number of transactions than its contents list", String(listed), String(checkpoint.transactions.length));
  }
  if (summary.networkTotalTransactions < BigInt(listed)) {
    fail("checkpoint_summary.network_total_transactions", "fewer transactions in the whole network than in this checkpoint", `at least ${listed}`, String(summary.networkTotalTransactions));
  }

  const count = Math.min(listed, checkpoint.transactions.length);
  for (let i = 0; i < count; i++) {
    const pinned = {
      transaction: contents.transactionDigests[i]!,
      effects: contents.effectsDigests[i]!,
      signatures: contents.signatures![i]!,
    };
    for (const problem of checkTransaction(checkpoint.transactions[i]!, pinned, `transactions[${i}]`)) {
      failures.push(
        auditFailure({
          check: "contents",
          checkpoint: sequence,
          transactionIndex: i,
          transactionDigest: digestText(pinned.transaction),
          ...problem,
        }),
      );
    }
  }
  return failures.length > 0 ? failed(...failures) : { ok: true, transactions: listed };
}
