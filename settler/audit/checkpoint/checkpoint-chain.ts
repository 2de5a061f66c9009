/**
 * Consecutive checkpoints checked one by one, as `verify` streams them: each one's
 * certificate under its epoch's committee (end-of-epoch checkpoints advance the committee
 * chain), its contents, and its link to the checkpoint before.
 */
import type { CheckpointModel } from "../../../indexer/model.ts";
import { verifyCheckpointCertificate } from "./certificate.ts";
import type { Committee } from "./committee.ts";
import type { CommitteeChain } from "./committee-chain.ts";
import { verifyCheckpointContents } from "./contents.ts";
import { verifyCheckpointContinuity } from "./continuity.ts";
import { auditFailure, failed, type AuditFailure, type AuditResult } from "./result.ts";
import { readSignedSummary } from "./signed-summary.ts";

export interface CheckpointVerified {
  checkpoint: bigint;
  epoch: bigint;
  signedStake: bigint;
  transactions: number;
  /** Set when this checkpoint ended its epoch: the committee now trusted for the next. */
  nextCommittee: Committee | null;
}

export interface CheckpointVerifierOptions {
  committees: CommitteeChain;
  /** The checkpoint before the first one to verify, already trusted; omit to skip that link. */
  previous?: CheckpointModel | null;
}

export interface CheckpointVerifier {
  /** Verifies the next checkpoint; on success it becomes the one the following must link to. */
  verify(checkpoint: CheckpointModel): AuditResult<CheckpointVerified>;
  /** The last checkpoint verified (or the `previous` given). */
  readonly last: CheckpointModel | null;
}

/**
 * @example
 * const verifier = createCheckpointVerifier({ committees: createCommitteeChain(trusted) });
 * for await (const checkpoint of source) {
 *   const result = verifier.verify(checkpoint);
 *   if (!result.ok) throw new CheckpointAuditError(result.failures);
 * }
 */
export function createCheckpointVerifier(options: CheckpointVerifierOptions): CheckpointVerifier {
  const chain = options.committees;
  let last = options.previous ?? null;
  return {
    get last() {
      return last;
    },
    verify(checkpoint) {
      const read = readSignedSummary(checkpoint, "certificate");
      if (!read.summary) return failed(read.failure);
      const failures: AuditFailure[] = [];
      let signedStake = 0n;
      let nextCommittee: Committee | null = null;

      if (read.summary.endOfEpochData) {
        const step = chain.advance(checkpoint);
        if (step.ok) {
          signedStake = step.certificate.signedStake;
          nextCommittee = step.committee;
        } else failures.push(...step.failures);
      } else {
        const committee = chain.committee(read.summary.epoch);
        if (!committee) {
          failures.push(
            auditFailure({
              check: "certificate",
              checkpoint: checkpoint.sequenceNumber,
              field: "checkpoint_summary.epoch",
              reason: `no verified committee for epoch ${read.summary.epoch}: the chain covers epochs ${chain.firstEpoch} to ${chain.latest.epoch}`,
            }),
          );
        } else {
          const certificate = verifyCheckpointCertificate(checkpoint, committee);
          if (certificate.ok) signedStake = certificate.signedStake;
          else failures.push(...certificate.failures);
        }
      }
      const contents = verifyCheckpointContents(checkpoint);
      if (!contents.ok) failures.push(...contents.failures);
      if (last) {
        const link = verifyCheckpointContinuity(last, checkpoint);
        if (!link.ok) failures.push(...link.failures);
      }
      if (failures.length > 0) return failed(...failures);
      last = checkpoint;
      return {
        ok: true,
        checkpoint: checkpoint.sequenceNumber,
        epoch: read.summary.epoch,
        signedStake,
        transactions: checkpoint.transactions.length,
        nextCommittee,
      };
    },
  };
}

export interface ChainVerified {
  /** How many checkpoints verified. */
  checkpoints: number;
  last: CheckpointModel | null;
}

/**
 * Verifies consecutive checkpoints and stops at the first that fails, returning its
 * failures (everything after it would rest on it).
 *
 * @example
 * const result = await verifyCheckpointChain(source.range(from, to), { committees: chain });
 * if (!result.ok) console.error(describeAuditFailure(result.failures[0]!));
 */
export async function verifyCheckpointChain(
  checkpoints: Iterable<CheckpointModel> | AsyncIterable<CheckpointModel>,
  options: CheckpointVerifierOptions,
): Promise<AuditResult<ChainVerified>> {
  const verifier = createCheckpointVerifier(options);
  let count = 0;
  for await (const checkpoint of checkpoints) {
    const result = verifier.verify(checkpoint);
    if (!result.ok) return result;
    count++;
  }
  return { ok: true, checkpoints: count, last: verifier.last };
}
