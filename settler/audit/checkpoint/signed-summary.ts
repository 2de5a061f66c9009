/**
 * The checkpoint summary read back from the exact bytes the validators signed, so that every
 * check works from signed data and never from fields a decoder (or anyone) filled in.
 */
import type { CheckpointModel } from "../../../indexer/model.ts";
import { BcsCursor, BcsDecodeError } from "../../../indexer/decode/cursor.ts";
import { readSummary, type SummaryFields } from "../../../indexer/decode/summary.ts";
import { auditFailure, type AuditCheckName, type AuditFailure } from "./result.ts";

/** Parses `summaryBcs` down to its last byte; a failure names the field. */
export function readSignedSummary(
  checkpoint: CheckpointModel,
  check: AuditCheckName,
): { summary: SummaryFields; failure: null } | { summary: null; failure: AuditFailure } {
  try {
    const c = new BcsCursor(checkpoint.summaryBcs);
    const summary = readSummary(c);
    c.finish("checkpoint_summary");
    return { summary, failure: null };
  } catch (error) {
    if (!(error instanceof BcsDecodeError)) throw error;
    return {
      summary: null,
      failure: auditFailure({
        check,
        checkpoint: checkpoint.sequenceNumber,
        field: `checkpoint_summary.${error.field}`,
        reason: `summary bytes do not decode: ${error.reason} at byte ${error.offset}`,
      }),
    };
  }
}
