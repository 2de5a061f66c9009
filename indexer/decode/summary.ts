/**
 * Checkpoint-level BCS (sui-types messages_checkpoint.rs, crypto.rs): `CheckpointSummary`,
 * `AuthorityStrongQuorumSignInfo` and `CheckpointContents` V1/V2.
 */
import type { AuthorityQuorumSignature, CheckpointModel, CommitteeMember, EndOfEpochData, GasCostSummary } from "../model.ts";
import { suiDigest } from "./digest.ts";
import type { BcsCursor } from "./cursor.ts";
import { readGasCostSummary } from "./effects.ts";

export interface SummaryFields {
  epoch: bigint;
  sequenceNumber: bigint;
  networkTotalTransactions: bigint;
  contentDigest: Uint8Array;
  previousDigest: Uint8Array | null;
  epochRollingGasCostSummary: GasCostSummary;
  timestampMs: bigint;
  endOfEpochData: EndOfEpochData | null;
}

/**
 * CheckpointSummary { epoch, sequence_number, network_total_transactions, content_digest,
 * previous_digest, epoch_rolling_gas_cost_summary, timestamp_ms, checkpoint_commitments,
 * end_of_epoch_data, version_specific_data }.
 */
export function readSummary(c: BcsCursor): SummaryFields {
  const epoch = c.u64("epoch");
  const sequenceNumber = c.u64("sequence_number");
  const networkTotalTransactions = c.u64("network_total_transactions");
  const contentDigest = c.digest("content_digest");
  const previousDigest = c.option("previous_digest") ? c.digest("previous_digest") : null;
  const epochRollingGasCostSummary = readGasCostSummary(c, "epoch_rolling_gas_cost_summary");
  const timestampMs = c.u64("timestamp_ms");
  skipCommitments(c, "checkpoint_commitments");
  let endOfEpochData: EndOfEpochData | null = null;
  if (c.option("end_of_epoch_data")) {
    const f = "end_of_epoch_data.next_epoch_committee";
    const n = c.length(f, 105);
    const nextEpochCommittee: CommitteeMember[] = new Array(n);
    for (let i = 0; i < n; i++) {
      // AuthorityPublicKeyBytes: serialized as bytes, so a length that must be 96.
      const at = c.pos;
      if (c.uleb(f) !== 96) c.fail(f, "authority public key must be 96 bytes", at);
      const authorityName = c.fixed(96, f);
      nextEpochCommittee[i] = { authorityName, stake: c.u64(f) };
    }
    const nextEpochProtocolVersion = c.u64("end_of_epoch_data.next_epoch_protocol_version");
    skipCommitments(c, "end_of_epoch_data.epoch_commitments");
    endOfEpochData = { nextEpochCommittee, nextEpochProtocolVersion };
  }
  c.skipByteVector("version_specific_data");
  return {
    epoch,
    sequenceNumber,
    networkTotalTransactions,
    contentDigest,
    previousDigest,
    epochRollingGasCostSummary,
    timestampMs,
    endOfEpochData,
  };
}

/** CheckpointCommitment: ECMHLiveObjectSetDigest { digest } | CheckpointArtifactsDigest { digest }. */
function skipCommitments(c: BcsCursor, field: string): void {
  const n = c.length(field, 34);
  for (let i = 0; i < n; i++) {
    c.variant(2, field);
    c.skipDigest(field);
  }
}

/** AuthorityQuorumSignInfo<true> { epoch, signature: [u8; 48], signers_map: roaring bitmap bytes }. */
export function readAuthoritySignature(c: BcsCursor): AuthorityQuorumSignature {
  return {
    epoch: c.u64("epoch"),
    signature: c.fixed(48, "signature"),
    signersMap: c.byteVector("signers_map"),
  };
}

export interface ContentsFields {
  version: 1 | 2;
  /** Transaction and effects digests, in checkpoint order. */
  transactionDigests: Uint8Array[];
  effectsDigests: Uint8Array[];
  /** Per transaction, each user signature's bytes (only when asked for). */
  signatures: Uint8Array[][] | null;
}

/**
 * CheckpointContents::V1 { transactions: Vec<ExecutionDigests>, user_signatures: Vec<Vec<GenericSignature>> }
 * | V2 { transactions: Vec<{ digest: ExecutionDigests, user_signatures: Vec<(GenericSignature, Option<SequenceNumber>)> }> }.
 */
export function readContents(c: BcsCursor, withSignatures: boolean): ContentsFields {
  const version = c.variant(2, "CheckpointContents") === 0 ? 1 : 2;
  const transactionDigests: Uint8Array[] = [];
  const effectsDigests: Uint8Array[] = [];
  const signatures: Uint8Array[][] | null = withSignatures ? [] : null;
  if (version === 1) {
    const n = c.length("transactions", 66);
    for (let i = 0; i < n; i++) {
      transactionDigests.push(c.digest("transactions.transaction"));
      effectsDigests.push(c.digest("transactions.effects"));
    }
    const m = c.length("user_signatures");
    if (m !== n) c.fail("user_signatures", `${m} signature lists for ${n} transactions`);
    for (let i = 0; i < m; i++) {
      const k = c.length("user_signatures");
      const sigs: Uint8Array[] = [];
      for (let j = 0; j < k; j++) sigs.push(c.byteVector("user_signatures"));
      signatures?.push(sigs);
    }
  } else {
    const n = c.length("transactions", 67);
    for (let i = 0; i < n; i++) {
      transactionDigests.push(c.digest("transactions.digest.transaction"));
      effectsDigests.push(c.digest("transactions.digest.effects"));
      const k = c.length("transactions.user_signatures");
      const sigs: Uint8Array[] = [];
      for (let j = 0; j < k; j++) {
        sigs.push(c.byteVector("transactions.user_signatures"));
        if (c.option("transactions.user_signatures.alias_version")) c.skip(8, "transactions.user_signatures.alias_version");
      }
      signatures?.push(sigs);
    }
  }
  return { version, transactionDigests, effectsDigests, signatures };
}

/**
 * The checkpoint model from a decoded summary and its parts: the same for both file formats.
 *
 * @example
 * return checkpointModel(readSummary(c), { summaryBcs, signature, contentsBcs, transactions });
 */
export function checkpointModel(
  summary: SummaryFields,
  parts: Pick<CheckpointModel, "summaryBcs" | "signature" | "contentsBcs" | "transactions">,
): CheckpointModel {
  return {
    sequenceNumber: summary.sequenceNumber,
    epoch: summary.epoch,
    timestampMs: summary.timestampMs,
    networkTotalTransactions: summary.networkTotalTransactions,
    digest: suiDigest("CheckpointSummary", parts.summaryBcs),
    contentDigest: summary.contentDigest,
    previousDigest: summary.previousDigest,
    epochRollingGasCostSummary: summary.epochRollingGasCostSummary,
    endOfEpochData: summary.endOfEpochData,
    ...parts,
  };
}
