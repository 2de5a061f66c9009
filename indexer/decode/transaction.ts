/**
 * `SenderSignedData` / `TransactionData` (sui-types transaction.rs) walked with a cursor:
 * every variant is read or skipped exactly, and only what the model needs is kept
 * (kind, sender, gas, Move call targets).
 */
import type { MoveCallTarget, TransactionKindName } from "../model.ts";
import type { BcsCursor } from "./cursor.ts";
import { readOwner } from "./owner.ts";
import { skipObjectData } from "./object.ts";
import { skipTypeTag } from "./type-tag.ts";

export interface TransactionFields {
  kind: TransactionKindName;
  sender: string;
  gasOwner: string;
  gasPrice: bigint;
  gasBudget: bigint;
  moveCalls: MoveCallTarget[];
}

/** TransactionKind variants in BCS order. */
export const TRANSACTION_KINDS: readonly TransactionKindName[] = [
  "ProgrammableTransaction",
  "ChangeEpoch",
  "Genesis",
  "ConsensusCommitPrologue",
  "AuthenticatorStateUpdate",
  "EndOfEpochTransaction",
  "RandomnessStateUpdate",
  "ConsensusCommitPrologueV2",
  "ConsensusCommitPrologueV3",
  "ConsensusCommitPrologueV4",
  "ProgrammableSystemTransaction",
];

/** Where the parts of a `SenderSignedData` lie, as absolute offsets. */
export interface SenderSignedLayout {
  fields: TransactionFields;
  /** `TransactionData` bytes: [dataStart, dataEnd). */
  dataStart: number;
  dataEnd: number;
  /** `Vec<GenericSignature>` bytes: [dataEnd, end). */
  end: number;
}

/**
 * `SenderSignedData` = a vector of exactly one `SenderSignedTransaction`
 * { intent_message: IntentMessage<TransactionData> (intent must be 0,0,0), tx_signatures }.
 */
export function readSenderSignedData(c: BcsCursor): SenderSignedLayout {
  const at = c.pos;
  if (c.uleb("length") !== 1) c.fail("length", "SenderSignedData must hold exactly one transaction", at);
  const intentAt = c.pos;
  if (c.u8("intent") !== 0 || c.u8("intent") !== 0 || c.u8("intent") !== 0) {
    c.fail("intent", "transaction intent must be (TransactionData, V0, Sui)", intentAt);
  }
  const dataStart = c.pos;
  const fields = readTransactionData(c);
  const dataEnd = c.pos;
  const n = c.length("tx_signatures");
  for (let i = 0; i < n; i++) c.skipByteVector("tx_signatures");
  return { fields, dataStart, dataEnd, end: c.pos };
}

/** `TransactionData::V1 { kind, sender, gas_data, expiration }`. */
export function readTransactionData(c: BcsCursor): TransactionFields {
  c.variant(1, "TransactionData");
  const moveCalls: MoveCallTarget[] = [];
  const kindIndex = c.variant(TRANSACTION_KINDS.length, "kind");
  readKind(c, kindIndex, moveCalls);
  const sender = c.address("sender");
  const payments = c.length("gas_data.payment", 73);
  c.skip(payments * 73, "gas_data.payment"); // ObjectRef: id 32 + version 8 + digest 33
  const gasOwner = c.address("gas_data.owner");
  const gasPrice = c.u64("gas_data.price");
  const gasBudget = c.u64("gas_data.budget");
  skipExpiration(c);
  return { kind: TRANSACTION_KINDS[kindIndex]!, sender, gasOwner, gasPrice, gasBudget, moveCalls };
}

function readKind(c: BcsCursor, kind: number, moveCalls: MoveCallTarget[]): void {
  const f = "kind";
  switch (kind) {
    case 0: // ProgrammableTransaction
    case 10: // ProgrammableSystemTransaction
      readProgrammable(c, moveCalls);
      return;
    case 1:
      skipChangeEpoch(c);
      return;
    case 2: {
      // Genesis { objects: Vec<GenesisObject::RawObject { data, owner }> }
      const n = c.length(f);
      for (let i = 0; i < n; i++) {
        c.variant(1, "GenesisObject");
        skipObjectData(c, "GenesisObject.data");
        readOwner(c, "GenesisObject.owner");
      }
      return;
    }
    case 3: // ConsensusCommitPrologue { epoch, round, commit_timestamp_ms }
      c.skip(24, f);
      return;
    case 4: {
      // AuthenticatorStateUpdate { epoch, round, new_active_jwks, authenticator_obj_initial_shared_version }
      c.skip(16, f);
      const n = c.length(f);
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < 6; s++) c.skipByteVector("new_active_jwks"); // JwkId {iss, kid}, JWK {kty, e, n, alg}
        c.skip(8, "new_active_jwks.epoch");
      }
      c.skip(8, f);
      return;
    }
    case 5: {
      const n = c.length(f);
      for (let i = 0; i < n; i++) skipEndOfEpochKind(c);
      return;
    }
    case 6: // RandomnessStateUpdate { epoch, randomness_round, random_bytes, randomness_obj_initial_shared_version }
      c.skip(16, f);
      c.skipByteVector("random_bytes");
      c.skip(8, f);
      return;
    case 7: // V2 { epoch, round, commit_timestamp_ms, consensus_commit_digest }
      c.skip(24, f);
      c.skipDigest("consensus_commit_digest");
      return;
    default: {
      // V3 / V4 { epoch, round, sub_dag_index: Option<u64>, commit_timestamp_ms,
      //           consensus_commit_digest, consensus_determined_version_assignments,
      //           additional_state_digest (V4 only) }
      c.skip(16, f);
      if (c.option("sub_dag_index")) c.skip(8, "sub_dag_index");
      c.skip(8, f);
      c.skipDigest("consensus_commit_digest");
      skipVersionAssignments(c);
      if (kind === 9) c.skipDigest("additional_state_digest");
    }
  }
}

function skipVersionAssignments(c: BcsCursor): void {
  const f = "consensus_determined_version_assignments";
  // 0: CancelledTransactions(Vec<(digest, Vec<(id, version)>)>)
  // 1: CancelledTransactionsV2(Vec<(digest, Vec<((id, start_version), version)>)>)
  const v2 = c.variant(2, f) === 1;
  const n = c.length(f);
  for (let i = 0; i < n; i++) {
    c.skipDigest(f);
    const m = c.length(f, 40);
    c.skip(m * (v2 ? 48 : 40), f);
  }
}

function readProgrammable(c: BcsCursor, moveCalls: MoveCallTarget[]): void {
  const inputs = c.length("inputs");
  for (let i = 0; i < inputs; i++) skipCallArg(c);
  const commands = c.length("commands");
  for (let i = 0; i < commands; i++) readCommand(c, moveCalls);
}

function skipCallArg(c: BcsCursor): void {
  const f = "inputs";
  switch (c.variant(3, f)) {
    case 0: // Pure(bytes)
      c.skipByteVector(f);
      return;
    case 1: // Object(ObjectArg)
      switch (c.variant(3, "ObjectArg")) {
        case 1: {
          // SharedObject { id, initial_shared_version, mutability } — mutability was a bool and
          // is now an enum (Immutable, Mutable, NonExclusiveWrite) with the same first two bytes.
          c.skip(40, f);
          c.variant(3, "SharedObject.mutability");
          return;
        }
        default: // ImmOrOwnedObject / Receiving (ObjectRef)
          c.skip(40, f);
          c.skipDigest(f);
          return;
      }
    default: {
      // FundsWithdrawal { reservation: MaxAmountU64(u64), type_arg: Balance(TypeTag), withdraw_from }
      c.variant(1, "FundsWithdrawal.reservation");
      c.skip(8, f);
      c.variant(1, "FundsWithdrawal.type_arg");
      skipTypeTag(c, "FundsWithdrawal.type_arg");
      // WithdrawFrom: Sender, Sponsor, Allowance { funder, allowance }
      if (c.variant(3, "FundsWithdrawal.withdraw_from") === 2) c.skip(64, f);
    }
  }
}

function skipArgument(c: BcsCursor): void {
  switch (c.variant(4, "Argument")) {
    case 0:
      return;
    case 3:
      c.skip(4, "Argument");
      return;
    default:
      c.skip(2, "Argument");
  }
}

function skipArguments(c: BcsCursor): void {
  const n = c.length("arguments");
  for (let i = 0; i < n; i++) skipArgument(c);
}

function readCommand(c: BcsCursor, moveCalls: MoveCallTarget[]): void {
  const f = "commands";
  switch (c.variant(7, f)) {
    case 0: {
      const pkg = c.address("MoveCall.package");
      const module = c.string("MoveCall.module");
      const fn = c.string("MoveCall.function");
      moveCalls.push({ package: pkg, module, function: fn });
      const types = c.length("MoveCall.type_arguments");
      for (let i = 0; i < types; i++) skipTypeTag(c, "MoveCall.type_arguments");
      skipArguments(c);
      return;
    }
    case 1: // TransferObjects(Vec<Argument>, Argument)
      skipArguments(c);
      skipArgument(c);
      return;
    case 2: // SplitCoins(Argument, Vec<Argument>)
    case 3: // MergeCoins(Argument, Vec<Argument>)
      skipArgument(c);
      skipArguments(c);
      return;
    case 4: // Publish(Vec<bytes>, Vec<ObjectID>)
      skipModulesAndDeps(c);
      return;
    case 5: // MakeMoveVec(Option<TypeInput>, Vec<Argument>)
      if (c.option("MakeMoveVec.type")) skipTypeTag(c, "MakeMoveVec.type");
      skipArguments(c);
      return;
    default: // Upgrade(Vec<bytes>, Vec<ObjectID>, ObjectID, Argument)
      skipModulesAndDeps(c);
      c.skip(32, "Upgrade.package");
      skipArgument(c);
  }
}

function skipModulesAndDeps(c: BcsCursor): void {
  const modules = c.length("modules");
  for (let i = 0; i < modules; i++) c.skipByteVector("modules");
  const deps = c.length("dependencies", 32);
  c.skip(deps * 32, "dependencies");
}

/** ChangeEpoch { epoch, protocol_version, 5 x u64, system_packages: Vec<(version, modules, deps)> }. */
function skipChangeEpoch(c: BcsCursor): void {
  c.skip(56, "ChangeEpoch");
  const n = c.length("ChangeEpoch.system_packages");
  for (let i = 0; i < n; i++) {
    c.skip(8, "ChangeEpoch.system_packages");
    skipModulesAndDeps(c);
  }
}

function skipEndOfEpochKind(c: BcsCursor): void {
  const f = "EndOfEpochTransactionKind";
  switch (c.variant(14, f)) {
    case 0:
      skipChangeEpoch(c);
      return;
    case 2: // AuthenticatorStateExpire { min_epoch, authenticator_obj_initial_shared_version }
      c.skip(16, f);
      return;
    case 5: // BridgeStateCreate(ChainIdentifier)
      c.skipDigest(f);
      return;
    case 6: // BridgeCommitteeInit(SequenceNumber)
    case 12: // WriteAccumulatorStorageCost { storage_cost }
      c.skip(8, f);
      return;
    case 7:
      skipExecutionTimeObservations(c);
      return;
    default:
      // AuthenticatorStateCreate, RandomnessStateCreate, DenyListStateCreate,
      // AccumulatorRootCreate, CoinRegistryCreate, DisplayRegistryCreate,
      // AddressAliasStateCreate, ForwardingAddressRegistryCreate: no payload.
      return;
  }
}

/**
 * StoredExecutionTimeObservations::V1(Vec<(ExecutionTimeObservationKey,
 * Vec<(AuthorityName, Duration { secs: u64, nanos: u32 })>)>).
 */
function skipExecutionTimeObservations(c: BcsCursor): void {
  const f = "StoreExecutionTimeObservations";
  c.variant(1, f);
  const n = c.length(f);
  for (let i = 0; i < n; i++) {
    // Key: MoveEntryPoint { package, module, function, type_arguments } or a unit variant.
    if (c.variant(7, f) === 0) {
      c.skip(32, f);
      c.skipByteVector(f);
      c.skipByteVector(f);
      const types = c.length(f);
      for (let t = 0; t < types; t++) skipTypeTag(c, f);
    }
    const m = c.length(f);
    for (let j = 0; j < m; j++) {
      c.skipByteVector(f); // AuthorityName: length-prefixed 96 bytes
      c.skip(12, f);
    }
  }
}

/** TransactionExpiration: None, Epoch(u64), ValidDuring {...}, Validity {..., allowed_proposers}. */
function skipExpiration(c: BcsCursor): void {
  const f = "expiration";
  const tag = c.variant(4, f);
  if (tag === 0) return;
  if (tag === 1) {
    c.skip(8, f);
    return;
  }
  for (let i = 0; i < 4; i++) if (c.option(f)) c.skip(8, f);
  c.skipDigest(f);
  c.skip(4, f);
  if (tag === 3 && c.option(f)) {
    c.skip(8, f);
    const n = c.length(f, 4);
    c.skip(n * 4, f);
  }
}
