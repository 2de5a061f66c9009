/**
 * What the settlement audit reports: one result per settled batch found on chain, and the
 * failures, each naming the batch or the checkpoint and what did not match.
 */
import { NonRetryableError } from "../../../common/errors.ts";
import { decodeCursor } from "../../tree/cursor.ts";

export type SettlementCheckName =
  /** The registry-creation event: found, well-formed, hashes match. */
  | "registry"
  /** The checkpoints themselves (certificate, digest chain, continuity). */
  | "checkpoint"
  /** Batch numbers, old root and old next index follow the previous settlement. */
  | "continuity"
  /** The batch's cursor range continues the previous one, advances, and stays within max_span. */
  | "cursor"
  /** The settle call's arguments, its Settled event and the registry's rules agree. */
  | "call"
  /** The Groth16 proof verifies under the registry's key for the rebuilt public inputs. */
  | "proof"
  /** The batch recomputed from the checkpoints: commitment, new root, new next index. */
  | "recompute"
  /** Key rotations, span changes, pauses. */
  | "admin"
  /** The checkpoints a batch covers could not all be fetched or were not scanned. */
  | "data";

export interface SettlementFailure {
  check: SettlementCheckName;
  /** The batch concerned, or null for a registry- or checkpoint-level failure. */
  batch: bigint | null;
  /** The checkpoint where it was found (the settle transaction's, or the bad checkpoint). */
  checkpoint: bigint | null;
  /** Which value, e.g. `batch_commitment`, `from_cursor`, `proof_points`. */
  field: string;
  reason: string;
  expected: string | null;
  actual: string | null;
}

export type BatchStatus = "ok" | "failed" | "unverified";

export interface BatchResult {
  batch: bigint;
  fromCursor: bigint;
  toCursor: bigint;
  /** Checkpoint holding the settle transaction. */
  settledIn: bigint;
  /** Base58 digest of the settle transaction. */
  transaction: string;
  status: BatchStatus;
  /** Real operations the recomputed batch made (null when not recomputed). */
  operations: number | null;
  failures: SettlementFailure[];
  /** Why the batch is unverified, when it is. */
  note: string | null;
}

export interface RegistryFound {
  registryId: string;
  packageId: string;
  createdIn: bigint;
  depth: number;
  startCursor: bigint;
  maxSpan: bigint;
  /** The raw verifying key emitted at creation (arkworks compressed). */
  vk: Uint8Array;
  trackingConfig: string;
}

export interface SettlementReport {
  ok: boolean;
  registry: RegistryFound | null;
  batches: BatchResult[];
  /** Every failure, in the order found; the first is the one to name. */
  failures: SettlementFailure[];
  /** Checkpoints fetched and checked. */
  checkpoints: { first: bigint | null; last: bigint | null; count: number };
}

/** Failure fields a check fills in; the rest default to null. */
export type SettlementFailureInit = Pick<SettlementFailure, "check" | "field" | "reason"> &
  Partial<Pick<SettlementFailure, "batch" | "checkpoint" | "expected" | "actual">>;

export function settlementFailure(init: SettlementFailureInit): SettlementFailure {
  return {
    check: init.check,
    batch: init.batch ?? null,
    checkpoint: init.checkpoint ?? null,
    field: init.field,
    reason: init.reason,
    expected: init.expected ?? null,
    actual: init.actual ?? null,
  };
}

/**
 * A cursor as `checkpoint:offset`, how the table and messages show it.
 *
 * @example
 * formatCursor((5n << 32n) + 3n); // "5:3"
 */
export function formatCursor(cursor: bigint): string {
  const { checkpoint, offset } = decodeCursor(cursor);
  return `${checkpoint}:${offset}`;
}

/**
 * One line naming the batch (or checkpoint), the check, the field and the values.
 *
 * @example
 * describeSettlementFailure(report.failures[0]!);
 * // "batch 2 (settled in checkpoint 1012): recompute check failed at batch_commitment: … (expected 12…, actual 34…)"
 */
export function describeSettlementFailure(failure: SettlementFailure): string {
  let where: string;
  if (failure.batch !== null) {
    where = `batch ${failure.batch}`;
    if (failure.checkpoint !== null) where += ` (settled in checkpoint ${failure.checkpoint})`;
  } else if (failure.checkpoint !== null) {
    where = `checkpoint ${failure.checkpoint}`;
  } else {
    where = "registry";
  }
  let text = `${where}: ${failure.check} check failed at ${failure.field}: ${failure.reason}`;
  if (failure.expected !== null || failure.actual !== null) {
    text += ` (expected ${failure.expected ?? "-"}, actual ${failure.actual ?? "-"})`;
  }
  return text;
}

/** A failed settlement audit as an error: the first failure's text, its fields as details. */
export class SettlementAuditError extends NonRetryableError {
  override name = "SettlementAuditError";
  readonly failures: SettlementFailure[];

  constructor(failures: SettlementFailure[]) {
    const first = failures[0];
    super(first ? `settlement audit failed: ${describeSettlementFailure(first)}` : "settlement audit failed", {
      details: first
        ? {
            check: first.check,
            batch: first.batch,
            checkpoint: first.checkpoint,
            field: first.field,
            expected: first.expected,
            actual: first.actual,
            failures: failures.length,
          }
        : {},
    });
    this.failures = failures;
  }
}
