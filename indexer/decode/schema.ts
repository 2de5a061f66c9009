/**
 * Generic BCS schemas (@mysten/bcs) for the checkpoint structures @mysten/sui does not ship:
 * `CheckpointSummary`, its certificate, `CheckpointContents` V1/V2, `TransactionEvents`,
 * `CheckpointData`, and an `Object` whose `MoveObjectType` has the accumulator variants.
 * They mirror sui-types exactly, variant order included.
 *
 * These are for writing checkpoints (the synthetic generator, the `.chk` writer) and for
 * cross-checking the fast cursor decoder in tests; decoding on the hot path never uses them.
 */
import { bcs } from "@mysten/sui/bcs";

/** sui-types `Digest`: serialized as bytes (length 32, then the bytes). */
export const Digest = bcs.byteVector();

export const GasCostSummary = bcs.struct("GasCostSummary", {
  computationCost: bcs.u64(),
  storageCost: bcs.u64(),
  storageRebate: bcs.u64(),
  nonRefundableStorageFee: bcs.u64(),
});

export const CheckpointCommitment = bcs.enum("CheckpointCommitment", {
  ECMHLiveObjectSetDigest: bcs.struct("ECMHLiveObjectSetDigest", { digest: Digest }),
  CheckpointArtifactsDigest: bcs.struct("CheckpointArtifactsDigest", { digest: Digest }),
});

export const EndOfEpochData = bcs.struct("EndOfEpochData", {
  /** (AuthorityPublicKeyBytes — 96 bytes, serialized with a length — , stake). */
  nextEpochCommittee: bcs.vector(bcs.tuple([bcs.byteVector(), bcs.u64()])),
  nextEpochProtocolVersion: bcs.u64(),
  epochCommitments: bcs.vector(CheckpointCommitment),
});

export const CheckpointSummary = bcs.struct("CheckpointSummary", {
  epoch: bcs.u64(),
  sequenceNumber: bcs.u64(),
  networkTotalTransactions: bcs.u64(),
  contentDigest: Digest,
  previousDigest: bcs.option(Digest),
  epochRollingGasCostSummary: GasCostSummary,
  timestampMs: bcs.u64(),
  checkpointCommitments: bcs.vector(CheckpointCommitment),
  endOfEpochData: bcs.option(EndOfEpochData),
  versionSpecificData: bcs.byteVector(),
});

/** `AuthorityQuorumSignInfo<true>`: the aggregate BLS signature is 48 raw bytes. */
export const AuthorityQuorumSignInfo = bcs.struct("AuthorityQuorumSignInfo", {
  epoch: bcs.u64(),
  signature: bcs.bytes(48),
  signersMap: bcs.byteVector(),
});

/** `Envelope<CheckpointSummary, AuthorityStrongQuorumSignInfo>`: data, then signature. */
export const CertifiedCheckpointSummary = bcs.struct("CertifiedCheckpointSummary", {
  data: CheckpointSummary,
  authSignature: AuthorityQuorumSignInfo,
});

export const ExecutionDigests = bcs.struct("ExecutionDigests", {
  transaction: Digest,
  effects: Digest,
});

export const CheckpointContents = bcs.enum("CheckpointContents", {
  V1: bcs.struct("CheckpointContentsV1", {
    transactions: bcs.vector(ExecutionDigests),
    userSignatures: bcs.vector(bcs.vector(bcs.byteVector())),
  }),
  V2: bcs.struct("CheckpointContentsV2", {
    transactions: bcs.vector(
      bcs.struct("CheckpointTransactionContents", {
        digest: ExecutionDigests,
        /** (GenericSignature, the AddressAliases version it was checked against). */
        userSignatures: bcs.vector(bcs.tuple([bcs.byteVector(), bcs.option(bcs.u64())])),
      }),
    ),
  }),
});

export const Event = bcs.struct("Event", {
  packageId: bcs.Address,
  transactionModule: bcs.string(),
  sender: bcs.Address,
  type: bcs.StructTag,
  contents: bcs.byteVector(),
});

export const TransactionEvents = bcs.struct("TransactionEvents", { data: bcs.vector(Event) });

/** `MoveObjectType_` with every variant (@mysten/sui stops at the fifth, without a payload). */
export const MoveObjectType = bcs.enum("MoveObjectType", {
  Other: bcs.StructTag,
  GasCoin: null,
  StakedSui: null,
  Coin: bcs.TypeTag,
  SuiBalanceAccumulatorField: null,
  BalanceAccumulatorField: bcs.TypeTag,
});

export const MoveObject = bcs.struct("MoveObject", {
  type: MoveObjectType,
  hasPublicTransfer: bcs.bool(),
  version: bcs.u64(),
  contents: bcs.byteVector(),
});

export const ObjectData = bcs.enum("Data", {
  Move: MoveObject,
  Package: bcs.MovePackage,
});

export const SuiObject = bcs.struct("Object", {
  data: ObjectData,
  owner: bcs.Owner,
  previousTransaction: Digest,
  storageRebate: bcs.u64(),
});

/** `Envelope<SenderSignedData, EmptySignInfo>`: the empty signature adds no bytes. */
export const CheckpointTransaction = bcs.struct("CheckpointTransaction", {
  transaction: bcs.SenderSignedData,
  effects: bcs.TransactionEffects,
  events: bcs.option(TransactionEvents),
  inputObjects: bcs.vector(SuiObject),
  outputObjects: bcs.vector(SuiObject),
});

export const CheckpointData = bcs.struct("CheckpointData", {
  checkpointSummary: CertifiedCheckpointSummary,
  checkpointContents: CheckpointContents,
  transactions: bcs.vector(CheckpointTransaction),
});
