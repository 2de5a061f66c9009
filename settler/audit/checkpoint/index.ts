/**
 * The auditor's checks on Sui checkpoints themselves (DESIGN.md, Trust model): certificates
 * under committees chained from a trusted one, the digest chain from summary to objects, and
 * the links between consecutive checkpoints. See settler/audit/README.md.
 */
export { verifyCheckpointCertificate, type CertificateVerified } from "./certificate.ts";
export { verifyCheckpointContents, type ContentsVerified } from "./contents.ts";
export { verifyCheckpointContinuity } from "./continuity.ts";
export {
  createCheckpointVerifier,
  verifyCheckpointChain,
  type ChainVerified,
  type CheckpointVerified,
  type CheckpointVerifier,
  type CheckpointVerifierOptions,
} from "./checkpoint-chain.ts";
export {
  committeeFromEndOfEpoch,
  createCommitteeChain,
  trustedCommitteeFromCheckpoint,
  type CommitteeChain,
  type EpochChange,
} from "./committee-chain.ts";
export {
  Committee,
  CommitteeError,
  QUORUM_THRESHOLD,
  TOTAL_VOTING_POWER,
  compareAuthorityNames,
  createCommittee,
  type CommitteeMember,
} from "./committee.ts";
export { loadCommitteeFile, parseCommitteeJson, type CommitteeFileOptions } from "./committee-file.ts";
export { CHECKPOINT_SUMMARY_INTENT, checkpointSigningMessage } from "./signing-message.ts";
export { MIN_SIG_DST, BlsEncodingError, parseBlsPublicKey, parseBlsSignature, verifyAggregateSignature } from "./bls.ts";
export { RoaringFormatError, decodeRoaringBitmap } from "./roaring.ts";
export {
  CheckpointAuditError,
  assertAudited,
  describeAuditFailure,
  type AuditCheckName,
  type AuditFailure,
  type AuditResult,
} from "./result.ts";
