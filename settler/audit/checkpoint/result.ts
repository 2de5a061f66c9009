/**
 * What every checkpoint check returns: success with a little data, or the list of failures,
 * each naming the checkpoint, the transaction (index and digest) where there is one, and the
 * field. Verification failures are results, not exceptions, so an auditor can report all of
 * a checkpoint's problems; `assertAudited` turns the first one into an error.
 */
import { toBase58 } from "@mysten/bcs";
import { NonRetryableError } from "../../../common/errors.ts";

export type AuditCheckName = "certificate" | "contents" | "continuity" | "committee";

export interface AuditFailure {
  check: AuditCheckName;
  checkpoint: bigint;
  /** Where it failed, e.g. `auth_signature.signers_map`, `transactions[3].effects`. */
  field: string;
  reason: string;
  /** Position in the checkpoint, for per-transaction failures; else null. */
  transactionIndex: number | null;
  /** Base58 transaction digest as the checkpoint contents list it; else null. */
  transactionDigest: string | null;
  expected: string | null;
  actual: string | null;
}

export type AuditFailed = { ok: false; failures: AuditFailure[] };
export type AuditResult<T extends object = object> = ({ ok: true } & T) | AuditFailed;

/** Failure fields a check fills in; the rest default to null. */
export type FailureInit = Pick<AuditFailure, "check" | "checkpoint" | "field" | "reason"> &
  Partial<Pick<AuditFailure, "transactionIndex" | "transactionDigest" | "expected" | "actual">>;

export function auditFailure(init: FailureInit): AuditFailure {
  return {
    check: init.check,
    checkpoint: init.checkpoint,
    field: init.field,
    reason: init.reason,
    transactionIndex: init.transactionIndex ?? null,
    transactionDigest: init.transactionDigest ?? null,
    expected: init.expected ?? null,
    actual: init.actual ?? null,
  };
}

export function failed(...failures: AuditFailure[]): AuditFailed {
  return { ok: false, failures };
}

/** Digests in failures are base58, as Sui shows them. */
export function digestText(bytes: Uint8Array | null): string {
  return bytes ? toBase58(bytes) : "none";
}

/**
 * One line naming the checkpoint, transaction and field.
 *
 * @example
 * if (!result.ok) console.error(result.failures.map(describeAuditFailure).join("\n"));
 * // checkpoint 100000017, transaction 3 (9xT…): transactions[3].effects: … (expected …, actual …)
 */
export function describeAuditFailure(failure: AuditFailure): string {
  let where = `checkpoint ${failure.checkpoint}`;
  if (failure.transactionIndex !== null) {
    where += `, transaction ${failure.transactionIndex}`;
    if (failure.transactionDigest) where += ` (${failure.transactionDigest})`;
  }
  let text = `${where}: ${failure.check} check failed at ${failure.field}: ${failure.reason}`;
  if (failure.expected !== null || failure.actual !== null) {
    text += ` (expected ${failure.expected ?? "-"}, actual ${failure.actual ?? "-"})`;
  }
  return text;
}

/** A failed audit as an error: the first failure's text, every field in the details. */
export class CheckpointAuditError extends NonRetryableError {
  override name = "CheckpointAuditError";
  readonly failures: AuditFailure[];

  constructor(failures: AuditFailure[]) {
    const first = failures[0];
    super(first ? `checkpoint audit failed: ${describeAuditFailure(first)}` : "checkpoint audit failed", {
      details: first
        ? {
            check: first.check,
            checkpoint: first.checkpoint,
            field: first.field,
            transaction: first.transactionIndex,
            transactionDigest: first.transactionDigest,
            reason: first.reason,
            expected: first.expected,
            actual: first.actual,
            failures: failures.length,
          }
        : {},
    });
    this.failures = failures;
  }
}

/**
 * Returns the success value, or throws a CheckpointAuditError naming the first failure.
 *
 * @example
 * const { signedStake } = assertAudited(verifyCheckpointCertificate(checkpoint, committee));
 */
export function assertAudited<T extends object>(result: AuditResult<T>): { ok: true } & T {
  if (!result.ok) throw new CheckpointAuditError(result.failures);
  return result;
}
