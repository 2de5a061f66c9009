/**
 * Test support: a real checkpoint with an edited summary (another sequence number, epoch,
 * previous digest, or end-of-epoch data), re-encoded as a `.chk` blob and decoded again so
 * the model, its digest and its bytes agree. The certificate is left as it was: re-sign.
 */
import { decodeChk } from "../../../../indexer/decode/chk.ts";
import { encodeChk } from "../../../../indexer/decode/chk-writer.ts";
import { CheckpointSummary } from "../../../../indexer/decode/schema.ts";
import type { CheckpointModel, CommitteeMember } from "../../../../indexer/model.ts";

type SummaryValue = ReturnType<typeof CheckpointSummary.parse>;
type SummaryInput = Parameters<typeof CheckpointSummary.serialize>[0];

export function rewriteSummary(checkpoint: CheckpointModel, edit: (summary: SummaryValue) => SummaryInput): CheckpointModel {
  const summaryBcs = CheckpointSummary.serialize(edit(CheckpointSummary.parse(checkpoint.summaryBcs))).toBytes();
  const edited = { ...checkpoint, summaryBcs, transactions: checkpoint.transactions };
  const sequence = CheckpointSummary.parse(summaryBcs).sequenceNumber;
  return decodeChk(encodeChk(edited), `${sequence}.chk`);
}

/** End-of-epoch data announcing `committee` for the next epoch. */
export function endOfEpochData(committee: readonly CommitteeMember[]): NonNullable<SummaryInput["endOfEpochData"]> {
  return {
    nextEpochCommittee: committee.map((m) => [m.authorityName, m.stake] as [Uint8Array, bigint]),
    nextEpochProtocolVersion: 70n,
    epochCommitments: [],
  };
}
