/**
 * `verify --registry`: fetches consecutive checkpoints from a source the auditor chose,
 * checks each one (certificate under a trusted committee when one is given, the digest
 * chain and the link to the previous checkpoint always), and feeds the verified ones to the
 * settlement audit. The scan runs over [from, to]; when a settlement found there covers
 * checkpoints beyond `to`, those are fetched (and checked) as well.
 */
import type { Common } from "../../../common/context.ts";
import { isRetryable } from "../../../common/errors.ts";
import type { CheckpointModel } from "../../../indexer/model.ts";
import { backoffDelay, sleep } from "../../../indexer/ingest/backoff.ts";
import type { CheckpointSource } from "../../../indexer/sources/types.ts";
import { loadPoseidon, type Poseidon } from "../../tree/poseidon.ts";
import { createCheckpointVerifier, type CheckpointVerifier } from "../checkpoint/checkpoint-chain.ts";
import { createCommitteeChain } from "../checkpoint/committee-chain.ts";
import type { Committee } from "../checkpoint/committee.ts";
import { verifyCheckpointContents } from "../checkpoint/contents.ts";
import { verifyCheckpointContinuity } from "../checkpoint/continuity.ts";
import { describeAuditFailure, failed, type AuditResult } from "../checkpoint/result.ts";
import { createSettlementAuditor } from "./auditor.ts";
import type { SettlementReport } from "./result.ts";

export interface AuditRegistryOptions {
  source: CheckpointSource;
  registryId: string;
  /** First checkpoint to scan: at or before the registry's creation and its start cursor. */
  fromCheckpoint: bigint;
  /** Last checkpoint to scan for settlements. */
  toCheckpoint: bigint;
  /** The committee the auditor trusts; without one, certificates are not checked. */
  committee?: Committee | null;
  poseidon?: Poseidon;
  /** Fetches in flight ahead of the one being checked (default 8). */
  prefetch?: number;
  /** Attempts per checkpoint on transient source errors (default 5). */
  attempts?: number;
  /** Called after each checkpoint is checked, e.g. for progress. */
  onCheckpoint?: (sequenceNumber: bigint) => void;
}

/**
 * @example
 * const report = await auditRegistry(common, { source: localFolderSource(dir), registryId, fromCheckpoint: 100n, toCheckpoint: 200n });
 * if (!report.ok) console.error(describeSettlementFailure(report.failures[0]!));
 */
export async function auditRegistry(common: Common, options: AuditRegistryOptions): Promise<SettlementReport> {
  const { source, fromCheckpoint, toCheckpoint } = options;
  const auditor = createSettlementAuditor({ registryId: options.registryId, poseidon: options.poseidon ?? (await loadPoseidon()) });
  const checkpointCheck = createCheckpointCheck(options.committee ?? null);
  const prefetch = Math.max(1, options.prefetch ?? 8);
  const attempts = Math.max(1, options.attempts ?? 5);
  const signal = common.shutdown.signal;
  const inFlight = new Map<bigint, Promise<FetchOutcome>>();

  const fetchOne = async (seq: bigint): Promise<FetchOutcome> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await source.fetch(seq, signal);
        return result.kind === "found" ? { kind: "found", checkpoint: result.checkpoint } : { kind: "missing", reason: `not found at ${result.location}` };
      } catch (error) {
        if (signal.aborted) return { kind: "missing", reason: "stopped" };
        if (!isRetryable(error) || attempt + 1 >= attempts) return { kind: "error", reason: (error as Error).message };
        common.logger.warn({ checkpoint: String(seq), attempt, err: error }, "checkpoint fetch failed; retrying");
        await sleep(backoffDelay(attempt), signal).catch(() => undefined);
      }
    }
  };
  const get = (seq: bigint, limit: bigint): Promise<FetchOutcome> => {
    for (let ahead = seq; ahead < seq + BigInt(prefetch) && ahead <= limit; ahead++) {
      if (!inFlight.has(ahead)) inFlight.set(ahead, fetchOne(ahead));
    }
    const outcome = inFlight.get(seq) ?? fetchOne(seq);
    inFlight.delete(seq);
    return outcome;
  };

  let stopReason: string | undefined;
  for (let seq = fromCheckpoint; ; seq++) {
    const needs = auditor.needsThrough;
    const limit = needs !== null && needs > toCheckpoint ? needs : toCheckpoint;
    if (seq > limit) break;
    if (signal.aborted) {
      stopReason = "the audit was stopped";
      break;
    }
    const outcome = await get(seq, limit);
    if (outcome.kind !== "found") {
      const reason = `checkpoint ${seq} could not be fetched: ${outcome.reason}`;
      auditor.fail({ check: seq > toCheckpoint ? "data" : "checkpoint", checkpoint: seq, field: "source", reason });
      stopReason = reason;
      break;
    }
    const verdict = checkpointCheck(outcome.checkpoint);
    if (!verdict.ok) {
      const first = verdict.failures[0]!;
      auditor.fail({
        check: "checkpoint",
        checkpoint: seq,
        field: first.field,
        reason: `${first.check} check failed: ${describeAuditFailure(first)}`,
        expected: first.expected,
        actual: first.actual,
      });
      stopReason = `checkpoint ${seq} failed its checks`;
      break;
    }
    await auditor.add(outcome.checkpoint);
    options.onCheckpoint?.(seq);
  }
  inFlight.clear();
  return auditor.finish(stopReason);
}

type FetchOutcome = { kind: "found"; checkpoint: CheckpointModel } | { kind: "missing" | "error"; reason: string };

/** Certificates (with a committee), contents and continuity; without a committee, the last two. */
function createCheckpointCheck(committee: Committee | null): (checkpoint: CheckpointModel) => AuditResult {
  if (committee !== null) {
    const verifier: CheckpointVerifier = createCheckpointVerifier({ committees: createCommitteeChain(committee) });
    return (checkpoint) => verifier.verify(checkpoint);
  }
  let previous: CheckpointModel | null = null;
  return (checkpoint) => {
    const contents = verifyCheckpointContents(checkpoint);
    const failures = contents.ok ? [] : [...contents.failures];
    if (previous) {
      const link = verifyCheckpointContinuity(previous, checkpoint);
      if (!link.ok) failures.push(...link.failures);
    }
    if (failures.length > 0) return failed(...failures);
    previous = checkpoint;
    return { ok: true };
  };
}
