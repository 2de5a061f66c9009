/**
 * A checkpoint's certificate, checked as Sui's `CertifiedCheckpointSummary::
 * verify_authority_signatures` does: the summary's epoch equals the signature's, which equals
 * the committee's; every signer index names a committee member with voting power; the
 * signers' power reaches the quorum; and the aggregate signature verifies, once, against
 * the sum of the signers' keys over the intent message and epoch.
 */
import type { CheckpointModel } from "../../../indexer/model.ts";
import { BlsEncodingError, parseBlsSignature, verifyAggregateSignature, type BlsSignature } from "./bls.ts";
import { QUORUM_THRESHOLD, type Committee } from "./committee.ts";
import { RoaringFormatError, decodeRoaringBitmap } from "./roaring.ts";
import { auditFailure, failed, type AuditResult } from "./result.ts";
import { readSignedSummary } from "./signed-summary.ts";
import { checkpointSigningMessage } from "./signing-message.ts";

export interface CertificateVerified {
  epoch: bigint;
  /** Signer indexes, ascending, in the committee's order. */
  signers: number[];
  signedStake: bigint;
}

/**
 * Verifies the quorum signature on `checkpoint.summaryBcs` under `committee`.
 *
 * @example
 * const result = verifyCheckpointCertificate(checkpoint, committee);
 * if (!result.ok) throw new CheckpointAuditError(result.failures);
 * console.log(`${result.signers.length} signers, ${result.signedStake} of 10000`);
 */
export function verifyCheckpointCertificate(checkpoint: CheckpointModel, committee: Committee): AuditResult<CertificateVerified> {
  const sequence = checkpoint.sequenceNumber;
  const fail = (field: string, reason: string, expected: string | null = null, actual: string | null = null) =>
    failed(auditFailure({ check: "certificate", checkpoint: sequence, field, reason, expected, actual }));

  const read = readSignedSummary(checkpoint, "certificate");
  if (!read.summary) return failed(read.failure);
  const { epoch } = checkpoint.signature;
  if (read.summary.epoch !== epoch) {
    return fail("auth_signature.epoch", "signature and summary are for different epochs", String(read.summary.epoch), String(epoch));
  }
  if (epoch !== committee.epoch) {
    return fail("auth_signature.epoch", "committee is for another epoch than the signature", String(epoch), String(committee.epoch));
  }

  let signers: number[];
  try {
    signers = decodeRoaringBitmap(checkpoint.signature.signersMap);
  } catch (error) {
    if (!(error instanceof RoaringFormatError)) throw error;
    return fail("auth_signature.signers_map", `not a valid roaring bitmap: ${String(error.details.reason)} at byte ${String(error.details.offset)}`);
  }
  let signedStake = 0n;
  for (const index of signers) {
    if (index >= committee.size) {
      return fail("auth_signature.signers_map", `signer index ${index} is out of range for a committee of ${committee.size}`);
    }
    const stake = committee.members[index]!.stake;
    if (stake === 0n) return fail("auth_signature.signers_map", `signer ${index} has no voting power`);
    signedStake += stake;
  }
  if (signedStake < QUORUM_THRESHOLD) {
    return fail("auth_signature.signers_map", "signers do not reach the quorum", `at least ${QUORUM_THRESHOLD}`, String(signedStake));
  }

  let signature: BlsSignature;
  try {
    signature = parseBlsSignature(checkpoint.signature.signature);
  } catch (error) {
    if (!(error instanceof BlsEncodingError)) throw error;
    return fail("auth_signature.signature", `not a valid BLS12-381 G1 signature: ${String(error.details.reason)}`);
  }
  const message = checkpointSigningMessage(checkpoint.summaryBcs, epoch);
  const keys = signers.map((index) => committee.publicKey(index));
  if (!verifyAggregateSignature(signature, keys, message)) {
    return fail("auth_signature.signature", `aggregate signature of ${signers.length} signers does not verify over the summary`);
  }
  return { ok: true, epoch, signers, signedStake };
}
