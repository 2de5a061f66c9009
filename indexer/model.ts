/**
 * The normalized checkpoint model: what every source (legacy `.chk` files, current
 * `.binpb.zst` files, the gRPC full node) decodes into, and what every pipeline reads.
 *
 * Conventions, fixed for the whole project:
 * - Sui addresses and object ids: canonical `0x` + 64 lowercase hex digits.
 * - Move types: canonical strings with full-length `0x` addresses and the *defining*
 *   package ids, e.g. `0x000…0002::coin::Coin<0x000…0002::sui::SUI>`.
 * - Digests: raw 32-byte `Uint8Array`s (base58 only at the edges: API, logs).
 * - u64 values: `bigint`. Balance deltas (i128): `bigint`.
 *
 * Decoding is lazy where it pays: `inputObjects` / `outputObjects` are decoded only when a
 * pipeline reads them, and an object's Move contents are never parsed except for the coin
 * balance of `Coin<T>` objects. The raw BCS slices are kept so that an auditor can hash
 * them against the digests they are committed to.
 */

/** Gas figures, as in Sui's `GasCostSummary`. */
export interface GasCostSummary {
  computationCost: bigint;
  storageCost: bigint;
  storageRebate: bigint;
  nonRefundableStorageFee: bigint;
}

/** Ownership as Sui encodes it. */
export type Owner =
  | { kind: "address"; address: string }
  | { kind: "object"; address: string }
  | { kind: "shared"; initialSharedVersion: bigint }
  | { kind: "immutable" }
  | { kind: "consensusAddress"; address: string; startVersion: bigint };

export type OwnerKind = Owner["kind"];

/** A committee member at an epoch change: BLS12-381 public key (96 bytes) and stake. */
export interface CommitteeMember {
  authorityName: Uint8Array;
  stake: bigint;
}

export interface EndOfEpochData {
  nextEpochCommittee: CommitteeMember[];
  nextEpochProtocolVersion: bigint;
}

/** The validators' quorum signature on a checkpoint summary. */
export interface AuthorityQuorumSignature {
  epoch: bigint;
  /** BLS12-381 min-sig aggregate signature, 48 bytes. */
  signature: Uint8Array;
  /** Signer indexes into the committee, as a serialized roaring bitmap. */
  signersMap: Uint8Array;
}

export type TransactionKindName =
  | "ProgrammableTransaction"
  | "ChangeEpoch"
  | "Genesis"
  | "ConsensusCommitPrologue"
  | "AuthenticatorStateUpdate"
  | "EndOfEpochTransaction"
  | "RandomnessStateUpdate"
  | "ConsensusCommitPrologueV2"
  | "ConsensusCommitPrologueV3"
  | "ConsensusCommitPrologueV4"
  | "ProgrammableSystemTransaction";

export type ExecutionStatus = { success: true } | { success: false; error: string };

/** A Move call in a programmable transaction: the package id as written in the call. */
export interface MoveCallTarget {
  package: string;
  module: string;
  function: string;
}

/**
 * How an object changed in a transaction, from the effects' changed objects:
 * created (did not exist before), mutated, deleted, wrapped (into another object),
 * unwrapped (reappears from a wrapper), unwrappedThenDeleted.
 */
export type ObjectChangeKind =
  | "created"
  | "mutated"
  | "deleted"
  | "wrapped"
  | "unwrapped"
  | "unwrappedThenDeleted";

/** A write to an address balance (an accumulator object) recorded in the effects. */
export interface AccumulatorWrite {
  address: string;
  /** The accumulated type, e.g. `0x2::balance::Balance<0x2::sui::SUI>`. */
  type: string;
  operation: "merge" | "split";
  /** The amount for integer accumulators; null for other value kinds. */
  amount: bigint | null;
}

/** One entry of the effects' changed objects, normalized across effects V1 and V2. */
export interface ChangedObject {
  objectId: string;
  kind: ObjectChangeKind;
  /** State before the transaction; null when the object did not exist (or was wrapped). */
  inputVersion: bigint | null;
  inputDigest: Uint8Array | null;
  inputOwner: Owner | null;
  /** State after; null when deleted or wrapped. The output version is the lamport version. */
  outputVersion: bigint | null;
  outputDigest: Uint8Array | null;
  outputOwner: Owner | null;
  /** True when the output is a package (published or upgraded). */
  isPackage: boolean;
  /** Set when the change is an accumulator write (address balances), not an object write. */
  accumulatorWrite: AccumulatorWrite | null;
}

/** A Move event emitted by a transaction. */
export interface EventModel {
  /** Package of the module that emitted the event. */
  packageId: string;
  module: string;
  sender: string;
  /** The event's full struct type, canonical. */
  type: string;
  /** BCS contents of the event struct. */
  contents: Uint8Array;
}

/** An object as it was read or written by a transaction (from input/output objects). */
export interface ObjectModel {
  objectId: string;
  version: bigint;
  owner: Owner;
  /** Canonical Move type, or null for a package. */
  type: string | null;
  isPackage: boolean;
  /** For `0x2::coin::Coin<T>` objects: T and the balance; null otherwise. */
  coinType: string | null;
  coinBalance: bigint | null;
  previousTransaction: Uint8Array;
  storageRebate: bigint;
  /** For packages: the original (first version's) id, from the linkage/type origin table. */
  packageOriginalId: string | null;
  /** The object's full BCS (`Object`), kept as a slice, not parsed further. */
  bcs: Uint8Array;
}

export interface TransactionModel {
  digest: Uint8Array;
  /** Position in the checkpoint, 0-based. Global sequence = checkpoint's first + index. */
  indexInCheckpoint: number;
  sender: string;
  kind: TransactionKindName;
  gasOwner: string;
  gasPrice: bigint;
  gasBudget: bigint;
  status: ExecutionStatus;
  gasUsed: GasCostSummary;
  executedEpoch: bigint;
  /** The lamport version assigned to every object the transaction wrote. */
  lamportVersion: bigint;
  moveCalls: MoveCallTarget[];
  changedObjects: ChangedObject[];
  events: EventModel[];
  /** Decoded on first access. */
  readonly inputObjects: ObjectModel[];
  /** Decoded on first access. */
  readonly outputObjects: ObjectModel[];
  /** Raw BCS slices, for digest checks: `SenderSignedData`, `TransactionEffects`, `TransactionEvents`. */
  transactionBcs: Uint8Array;
  effectsBcs: Uint8Array;
  eventsBcs: Uint8Array | null;
}

export interface CheckpointModel {
  sequenceNumber: bigint;
  epoch: bigint;
  timestampMs: bigint;
  /** Transactions in all checkpoints up to and including this one. */
  networkTotalTransactions: bigint;
  /** Digest of the checkpoint summary. */
  digest: Uint8Array;
  contentDigest: Uint8Array;
  previousDigest: Uint8Array | null;
  epochRollingGasCostSummary: GasCostSummary;
  endOfEpochData: EndOfEpochData | null;
  /** BCS of `CheckpointSummary` exactly as signed, and the quorum signature over it. */
  summaryBcs: Uint8Array;
  signature: AuthorityQuorumSignature;
  /** BCS of `CheckpointContents`. */
  contentsBcs: Uint8Array;
  transactions: TransactionModel[];
}

/** Global sequence number of the first transaction of a checkpoint. */
export function firstTxSequenceNumber(checkpoint: CheckpointModel): bigint {
  return checkpoint.networkTotalTransactions - BigInt(checkpoint.transactions.length);
}
