/**
 * Committees chained from one the auditor trusts: the last checkpoint of epoch E carries the
 * committee of epoch E + 1 (`end_of_epoch_data.next_epoch_committee`), and that committee is
 * adopted only once the checkpoint's certificate verifies under epoch E's committee. This is
 * how a Sui light client follows reconfigurations; trust in the first committee is the
 * auditor's own choice.
 */
import type { CheckpointModel } from "../../../indexer/model.ts";
import { NonRetryableError } from "../../../common/errors.ts";
import { sameBytes } from "../../../indexer/decode/chk.ts";
import { suiDigest } from "../../../indexer/decode/digest.ts";
import type { SummaryFields } from "../../../indexer/decode/summary.ts";
import { verifyCheckpointCertificate, type CertificateVerified } from "./certificate.ts";
import { Committee, CommitteeError } from "./committee.ts";
import { auditFailure, digestText, failed, type AuditResult } from "./result.ts";
import { readSignedSummary } from "./signed-summary.ts";

export interface EpochChange {
  /** The committee of the next epoch, now trusted. */
  committee: Committee;
  /** The end-of-epoch checkpoint's certificate, as verified. */
  certificate: CertificateVerified;
}

export interface CommitteeChain {
  /** Epoch of the trusted committee the chain started from. */
  readonly firstEpoch: bigint;
  /** The committee of the latest epoch reached. */
  readonly latest: Committee;
  /** The verified committee of `epoch`, or null when the chain has not reached it. */
  committee(epoch: bigint): Committee | null;
  /**
   * Verifies an end-of-epoch checkpoint under its epoch's committee and adopts the next
   * committee. Presenting the same checkpoint again is harmless; a different end-of-epoch
   * checkpoint for an epoch already passed is a failure.
   */
  advance(endOfEpoch: CheckpointModel): AuditResult<EpochChange>;
}

/**
 * The committee announced by an end-of-epoch checkpoint, for the epoch after it. Does not
 * verify the checkpoint: use CommitteeChain.advance for that. The failure names the field
 * when the checkpoint ends no epoch or the committee is not a valid Sui committee.
 *
 * @example
 * const next = committeeFromEndOfEpoch(checkpoint);
 * if (next.ok) console.log(next.committee.epoch, next.committee.size);
 */
export function committeeFromEndOfEpoch(checkpoint: CheckpointModel): AuditResult<{ committee: Committee }> {
  const read = readSignedSummary(checkpoint, "committee");
  if (!read.summary) return failed(read.failure);
  return nextCommittee(checkpoint, read.summary);
}

function nextCommittee(checkpoint: CheckpointModel, summary: SummaryFields): AuditResult<{ committee: Committee }> {
  const fail = (field: string, reason: string) =>
    failed(auditFailure({ check: "committee", checkpoint: checkpoint.sequenceNumber, field, reason }));
  if (!summary.endOfEpochData) return fail("checkpoint_summary.end_of_epoch_data", `checkpoint does not end epoch ${summary.epoch}`);
  try {
    return { ok: true, committee: Committee.create(summary.epoch + 1n, summary.endOfEpochData.nextEpochCommittee) };
  } catch (error) {
    if (!(error instanceof CommitteeError)) throw error;
    const member = error.details.member === undefined ? "" : ` (member ${String(error.details.member)})`;
    return fail("checkpoint_summary.end_of_epoch_data.next_epoch_committee", `not a valid committee${member}: ${String(error.details.reason)}`);
  }
}

/**
 * The committee after an end-of-epoch checkpoint the auditor trusts without a certificate
 * check, e.g. one whose digest they compared with an explorer or a full node they run.
 * With `digest` (bytes or base58), the summary must hash to it. Throws NonRetryableError.
 *
 * @example
 * const trusted = trustedCommitteeFromCheckpoint(endOfEpoch637, { digest: "8Ff…" });
 * const chain = createCommitteeChain(trusted); // epoch 638
 */
export function trustedCommitteeFromCheckpoint(checkpoint: CheckpointModel, options: { digest?: Uint8Array | string } = {}): Committee {
  const actual = suiDigest("CheckpointSummary", checkpoint.summaryBcs);
  if (options.digest !== undefined) {
    const expected = typeof options.digest === "string" ? options.digest : digestText(options.digest);
    if (digestText(actual) !== expected) {
      throw new NonRetryableError("trusted checkpoint has another digest", {
        details: { checkpoint: checkpoint.sequenceNumber, expected, actual: digestText(actual) },
      });
    }
  }
  const next = committeeFromEndOfEpoch(checkpoint);
  if (!next.ok) {
    const failure = next.failures[0]!;
    throw new NonRetryableError("trusted checkpoint announces no valid committee", {
      details: { checkpoint: checkpoint.sequenceNumber, field: failure.field, reason: failure.reason },
    });
  }
  return next.committee;
}

/**
 * Starts a chain of committees from one the auditor trusts.
 *
 * @example
 * const chain = createCommitteeChain(await loadCommitteeFile("committee-638.json"));
 * const step = chain.advance(lastCheckpointOfEpoch638);
 * if (!step.ok) throw new CheckpointAuditError(step.failures);
 * chain.committee(639n); // step.committee
 */
export function createCommitteeChain(trusted: Committee): CommitteeChain {
  const committees = new Map<bigint, Committee>([[trusted.epoch, trusted]]);
  const changes = new Map<bigint, { digest: Uint8Array; change: EpochChange }>();
  let latest = trusted;

  return {
    firstEpoch: trusted.epoch,
    get latest() {
      return latest;
    },
    committee(epoch) {
      return committees.get(epoch) ?? null;
    },
    advance(checkpoint) {
      const read = readSignedSummary(checkpoint, "committee");
      if (!read.summary) return failed(read.failure);
      const { epoch } = read.summary;
      const fail = (field: string, reason: string, expected: string | null = null, actual: string | null = null) =>
        failed(auditFailure({ check: "committee", checkpoint: checkpoint.sequenceNumber, field, reason, expected, actual }));

      const digest = suiDigest("CheckpointSummary", checkpoint.summaryBcs);
      const known = changes.get(epoch);
      if (known) {
        if (sameBytes(known.digest, digest)) return { ok: true, ...known.change };
        return fail("digest", `another end-of-epoch checkpoint for epoch ${epoch} was already verified`, digestText(known.digest), digestText(digest));
      }
      const committee = committees.get(epoch);
      if (!committee) {
        return fail("checkpoint_summary.epoch", `no verified committee for epoch ${epoch}: the chain covers epochs ${trusted.epoch} to ${latest.epoch}`);
      }
      if (!read.summary.endOfEpochData) return fail("checkpoint_summary.end_of_epoch_data", `checkpoint does not end epoch ${epoch}`);
      const certificate = verifyCheckpointCertificate(checkpoint, committee);
      if (!certificate.ok) return certificate;
      const next = nextCommittee(checkpoint, read.summary);
      if (!next.ok) return next;
      const { ok: _, ...verified } = certificate;
      const change: EpochChange = { committee: next.committee, certificate: verified };
      committees.set(next.committee.epoch, next.committee);
      changes.set(epoch, { digest, change });
      latest = next.committee;
      return { ok: true, ...change };
    },
  };
}
