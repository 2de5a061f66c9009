/**
 * What can go wrong between the settler and Sui, as the poster needs to tell it apart:
 * - the transaction ran and failed (a Move abort names the contract's error: EInvalidProof,
 *   ECursorNotAdvancing, …; or another execution error such as insufficient gas): final;
 * - the node refused the transaction before running it because an input object moved on
 *   (gas coin or capability version): the stored bytes are dead and must be rebuilt;
 * - the node could not be reached or did not answer in time: retry; when the request was
 *   sent, the transaction may have landed (`outcomeUnknown`), so resend the same bytes.
 */
import { NonRetryableError, RetryableError, type ErrorDetails } from "../../common/errors.ts";

/** A Move abort as Sui reports it, with the clever error's constant when there is one. */
export interface MoveAbortInfo {
  /** The error constant, e.g. `EInvalidProof`; null for a plain numeric abort. */
  errorName: string | null;
  /** The constant's message (clever errors render `vector<u8>` constants as text). */
  message: string | null;
  abortCode: bigint;
  module: string | null;
  functionName: string | null;
  line: number | null;
}

/** The transaction executed (gas was charged) and its status is failure. Not retryable. */
export class TransactionFailedError extends NonRetryableError {
  override name = "TransactionFailedError";
  constructor(
    readonly digest: string,
    /** Sui's execution error kind, e.g. `MOVE_ABORT`, `INSUFFICIENT_GAS`. */
    readonly kind: string,
    readonly abort: MoveAbortInfo | null,
    description: string | null,
  ) {
    const what = abort?.errorName
      ? `${abort.module ?? "?"}::${abort.functionName ?? "?"} aborted with ${abort.errorName}`
      : `transaction failed: ${kind}`;
    const details: ErrorDetails = { digest, kind, error: abort?.errorName ?? undefined, reason: abort?.message ?? description ?? undefined };
    super(what, { details });
  }
}

/**
 * The node refused the transaction because input objects are not at the versions it
 * references (a gas coin or capability used by another transaction since). The signed bytes
 * can never execute: the caller must rebuild with fresh object references.
 */
export class StaleInputsError extends NonRetryableError {
  override name = "StaleInputsError";
  constructor(
    readonly digest: string,
    /** Object ids the node named as unavailable (may be empty when it named none). */
    readonly objectIds: readonly string[],
    message: string,
  ) {
    super("transaction inputs are stale: rebuild it", { details: { digest, objects: objectIds.join(",") || undefined, message } });
  }
}

/** The node refused the transaction for another reason (bad signature, malformed bytes, gas price). */
export class TransactionRejectedError extends NonRetryableError {
  override name = "TransactionRejectedError";
  constructor(
    readonly digest: string,
    readonly code: string,
    message: string,
  ) {
    super("the node rejected the transaction", { details: { digest, code, message } });
  }
}

/**
 * No answer: unreachable node, 5xx-like status, deadline. Retryable. `outcomeUnknown` is
 * true when the request may have reached the node, i.e. the transaction may have executed.
 */
export class SubmissionError extends RetryableError {
  override name = "SubmissionError";
  constructor(
    readonly digest: string,
    readonly code: string,
    readonly outcomeUnknown: boolean,
    message: string,
    cause?: unknown,
  ) {
    super(outcomeUnknown ? "no answer to the submission: the transaction may have landed" : "submission failed", {
      details: { digest, code, message },
      cause,
    });
  }
}
