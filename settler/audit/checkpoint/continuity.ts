/**
 * Two consecutive checkpoints link up: sequence numbers follow, the second's
 * `previous_digest` is the first's digest, the epoch changes exactly after an end-of-epoch
 * checkpoint, and the network's transaction count grows by the second's transactions.
 * All from the signed summaries; the transaction count of `next` is the number of
 * transactions it carries, which verifyCheckpointContents binds to its contents.
 */
import type { CheckpointModel } from "../../../indexer/model.ts";
import { sameBytes } from "../../../indexer/decode/chk.ts";
import { suiDigest } from "../../../indexer/decode/digest.ts";
import { auditFailure, digestText, failed, type AuditFailure, type AuditResult } from "./result.ts";
import { readSignedSummary } from "./signed-summary.ts";

/**
 * @example
 * const result = verifyCheckpointContinuity(checkpoints[0], checkpoints[1]);
 */
export function verifyCheckpointContinuity(previous: CheckpointModel, next: CheckpointModel): AuditResult {
  const before = readSignedSummary(previous, "continuity");
  if (!before.summary) return failed(before.failure);
  const after = readSignedSummary(next, "continuity");
  if (!after.summary) return failed(after.failure);
  const a = before.summary;
  const b = after.summary;

  const failures: AuditFailure[] = [];
  const fail = (field: string, reason: string, expected: string, actual: string): void => {
    failures.push(auditFailure({ check: "continuity", checkpoint: b.sequenceNumber, field: `checkpoint_summary.${field}`, reason, expected, actual }));
  };
  if (b.sequenceNumber !== a.sequenceNumber + 1n) {
    fail("sequence_number", `does not follow checkpoint ${a.sequenceNumber}`, String(a.sequenceNumber + 1n), String(b.sequenceNumber));
  }
  const digest = suiDigest("CheckpointSummary", previous.summaryBcs);
  if (!b.previousDigest || !sameBytes(b.previousDigest, digest)) {
    fail("previous_digest", `is not the digest of checkpoint ${a.sequenceNumber}`, digestText(digest), digestText(b.previousDigest));
  }
  const epoch = a.endOfEpochData ? a.epoch + 1n : a.epoch;
  if (b.epoch !== epoch) {
    const why = a.endOfEpochData ? `checkpoint ${a.sequenceNumber} ended epoch ${a.epoch}` : `checkpoint ${a.sequenceNumber} did not end its epoch`;
    fail("epoch", why, String(epoch), String(b.epoch));
  }
  const total = a.networkTotalTransactions + BigInt(next.transactions.length);
  if (b.networkTotalTransactions !== total) {
    fail("network_total_transactions", `is not checkpoint ${a.sequenceNumber}'s total plus this checkpoint's transactions`, String(total), String(b.networkTotalTransactions));
  }
  return failures.length > 0 ? failed(...failures) : { ok: true };
}
