/**
 * `TransactionEffects` V1 and V2 (sui-types effects/) read into the model's fields. Every
 * variant is consumed exactly; failure details are kept only as a short string.
 */
import type { ChangedObject, ExecutionStatus, GasCostSummary, ObjectChangeKind, Owner } from "../model.ts";
import type { BcsCursor } from "./cursor.ts";
import { readOwner } from "./owner.ts";
import { readTypeCached } from "./type-tag.ts";

export interface EffectsFields {
  version: 1 | 2;
  status: ExecutionStatus;
  executedEpoch: bigint;
  gasUsed: GasCostSummary;
  transactionDigest: Uint8Array;
  eventsDigest: Uint8Array | null;
  lamportVersion: bigint;
  changedObjects: ChangedObject[];
  /**
   * V1 only: `modified_at_versions` in effects order (V2 derives them from the changed
   * objects). Objects read back from an object set follow this order, as Sui's own
   * conversion does.
   */
  modifiedAtVersions: Array<[objectId: string, version: bigint]> | null;
}

export function readEffects(c: BcsCursor): EffectsFields {
  return c.variant(2, "TransactionEffects") === 0 ? readEffectsV1(c) : readEffectsV2(c);
}

export function readGasCostSummary(c: BcsCursor, field: string): GasCostSummary {
  return {
    computationCost: c.u64(field),
    storageCost: c.u64(field),
    storageRebate: c.u64(field),
    nonRefundableStorageFee: c.u64(field),
  };
}

function readEffectsV2(c: BcsCursor): EffectsFields {
  const status = readStatus(c);
  const executedEpoch = c.u64("executed_epoch");
  const gasUsed = readGasCostSummary(c, "gas_used");
  const transactionDigest = c.digest("transaction_digest");
  if (c.option("gas_object_index")) c.skip(4, "gas_object_index");
  const eventsDigest = c.option("events_digest") ? c.digest("events_digest") : null;
  const deps = c.length("dependencies", 33);
  for (let i = 0; i < deps; i++) c.skipDigest("dependencies");
  const lamportVersion = c.u64("lamport_version");
  const n = c.length("changed_objects", 35);
  const changedObjects: ChangedObject[] = new Array(n);
  for (let i = 0; i < n; i++) changedObjects[i] = readChangedObjectV2(c, lamportVersion);
  const unchanged = c.length("unchanged_consensus_objects", 33);
  for (let i = 0; i < unchanged; i++) {
    c.skip(32, "unchanged_consensus_objects");
    // ReadOnlyRoot(version, digest), MutateConsensusStreamEnded(v), ReadConsensusStreamEnded(v),
    // Cancelled(v), PerEpochConfig
    const kind = c.variant(5, "unchanged_consensus_objects");
    if (kind === 0) {
      c.skip(8, "unchanged_consensus_objects");
      c.skipDigest("unchanged_consensus_objects");
    } else if (kind !== 4) c.skip(8, "unchanged_consensus_objects");
  }
  if (c.option("aux_data_digest")) c.skipDigest("aux_data_digest");
  return {
    version: 2,
    status,
    executedEpoch,
    gasUsed,
    transactionDigest,
    eventsDigest,
    lamportVersion,
    changedObjects,
    modifiedAtVersions: null,
  };
}

function readChangedObjectV2(c: BcsCursor, lamportVersion: bigint): ChangedObject {
  const f = "changed_objects";
  const objectId = c.address(f);
  let inputVersion: bigint | null = null;
  let inputDigest: Uint8Array | null = null;
  let inputOwner: Owner | null = null;
  if (c.variant(2, "changed_objects.input_state") === 1) {
    inputVersion = c.u64(f);
    inputDigest = c.digest(f);
    inputOwner = readOwner(c, "changed_objects.input_state.owner");
  }
  let outputVersion: bigint | null = null;
  let outputDigest: Uint8Array | null = null;
  let outputOwner: Owner | null = null;
  let isPackage = false;
  let accumulatorWrite: ChangedObject["accumulatorWrite"] = null;
  switch (c.variant(4, "changed_objects.output_state")) {
    case 0:
      break;
    case 1: // ObjectWrite(digest, owner): written at the lamport version
      outputVersion = lamportVersion;
      outputDigest = c.digest(f);
      outputOwner = readOwner(c, "changed_objects.output_state.owner");
      break;
    case 2: // PackageWrite(version, digest)
      outputVersion = c.u64(f);
      outputDigest = c.digest(f);
      outputOwner = { kind: "immutable" };
      isPackage = true;
      break;
    default: {
      // AccumulatorWriteV1 { address: { address, ty }, operation, value }
      const address = c.address("accumulator_write.address");
      const type = readTypeCached(c, "accumulator_write.ty", false).type;
      const operation = c.variant(2, "accumulator_write.operation") === 0 ? "merge" : "split";
      let amount: bigint | null = null;
      switch (c.variant(3, "accumulator_write.value")) {
        case 0:
          amount = c.u64("accumulator_write.value");
          break;
        case 1:
          c.skip(16, "accumulator_write.value");
          break;
        default: {
          const m = c.length("accumulator_write.value", 41);
          for (let j = 0; j < m; j++) {
            c.skip(8, "accumulator_write.value");
            c.skipDigest("accumulator_write.value");
          }
        }
      }
      accumulatorWrite = { address, type, operation, amount };
    }
  }
  const idOperation = c.variant(3, "changed_objects.id_operation"); // None, Created, Deleted
  let kind: ObjectChangeKind;
  if (accumulatorWrite) kind = "mutated";
  else if (outputVersion !== null) kind = inputVersion !== null ? "mutated" : idOperation === 1 ? "created" : "unwrapped";
  else if (inputVersion !== null) kind = idOperation === 2 ? "deleted" : "wrapped";
  else kind = "unwrappedThenDeleted";
  return {
    objectId,
    kind,
    inputVersion,
    inputDigest,
    inputOwner,
    outputVersion,
    outputDigest,
    outputOwner,
    isPackage,
    accumulatorWrite,
  };
}

function readEffectsV1(c: BcsCursor): EffectsFields {
  const status = readStatus(c);
  const executedEpoch = c.u64("executed_epoch");
  const gasUsed = readGasCostSummary(c, "gas_used");
  const modifiedAtVersions: Array<[string, bigint]> = [];
  const modified = c.length("modified_at_versions", 40);
  for (let i = 0; i < modified; i++) modifiedAtVersions.push([c.address("modified_at_versions"), c.u64("modified_at_versions")]);
  const modifiedAt = new Map<string, bigint>(modifiedAtVersions);
  const shared = c.length("shared_objects", 73);
  c.skip(shared * 73, "shared_objects");
  const transactionDigest = c.digest("transaction_digest");
  const changedObjects: ChangedObject[] = [];
  const written = (kind: ObjectChangeKind, field: string): void => {
    const n = c.length(field, 74);
    for (let i = 0; i < n; i++) {
      const objectId = c.address(field);
      const outputVersion = c.u64(field);
      const outputDigest = c.digest(field);
      const outputOwner = readOwner(c, field);
      const inputVersion = modifiedAt.get(objectId) ?? null;
      changedObjects.push({
        objectId,
        kind,
        inputVersion,
        inputDigest: null,
        inputOwner: null,
        outputVersion,
        outputDigest,
        outputOwner,
        isPackage: false,
        accumulatorWrite: null,
      });
    }
  };
  const removed = (kind: ObjectChangeKind, field: string): void => {
    const n = c.length(field, 73);
    for (let i = 0; i < n; i++) {
      const objectId = c.address(field);
      c.skip(8, field);
      c.skipDigest(field);
      changedObjects.push({
        objectId,
        kind,
        inputVersion: modifiedAt.get(objectId) ?? null,
        inputDigest: null,
        inputOwner: null,
        outputVersion: null,
        outputDigest: null,
        outputOwner: null,
        isPackage: false,
        accumulatorWrite: null,
      });
    }
  };
  written("created", "created");
  written("mutated", "mutated");
  written("unwrapped", "unwrapped");
  removed("deleted", "deleted");
  removed("unwrappedThenDeleted", "unwrapped_then_deleted");
  removed("wrapped", "wrapped");
  // gas_object: (ObjectRef, Owner), also listed among the mutated objects; its version is
  // the lamport version every written object received.
  c.skip(32, "gas_object");
  const lamportVersion = c.u64("gas_object");
  c.skipDigest("gas_object");
  readOwner(c, "gas_object");
  const eventsDigest = c.option("events_digest") ? c.digest("events_digest") : null;
  const deps = c.length("dependencies", 33);
  for (let i = 0; i < deps; i++) c.skipDigest("dependencies");
  return {
    version: 1,
    status,
    executedEpoch,
    gasUsed,
    transactionDigest,
    eventsDigest,
    lamportVersion,
    changedObjects,
    modifiedAtVersions,
  };
}

/** ExecutionFailureStatus variant names in BCS order (sui-types execution_status.rs). */
const FAILURES = [
  "InsufficientGas",
  "InvalidGasObject",
  "InvariantViolation",
  "FeatureNotYetSupported",
  "MoveObjectTooBig",
  "MovePackageTooBig",
  "CircularObjectOwnership",
  "InsufficientCoinBalance",
  "CoinBalanceOverflow",
  "PublishErrorNonZeroAddress",
  "SuiMoveVerificationError",
  "MovePrimitiveRuntimeError",
  "MoveAbort",
  "VMVerificationOrDeserializationError",
  "VMInvariantViolation",
  "FunctionNotFound",
  "ArityMismatch",
  "TypeArityMismatch",
  "NonEntryFunctionInvoked",
  "CommandArgumentError",
  "TypeArgumentError",
  "UnusedValueWithoutDrop",
  "InvalidPublicFunctionReturnType",
  "InvalidTransferObject",
  "EffectsTooLarge",
  "PublishUpgradeMissingDependency",
  "PublishUpgradeDependencyDowngrade",
  "PackageUpgradeError",
  "WrittenObjectsTooLarge",
  "CertificateDenied",
  "SuiMoveVerificationTimedout",
  "SharedObjectOperationNotAllowed",
  "InputObjectDeleted",
  "ExecutionCancelledDueToSharedObjectCongestion",
  "AddressDeniedForCoin",
  "CoinTypeGlobalPause",
  "ExecutionCancelledDueToRandomnessUnavailable",
  "MoveVectorElemTooBig",
  "MoveRawValueTooBig",
  "InvalidLinkage",
  "InsufficientFundsForWithdraw",
  "NonExclusiveWriteInputObjectModified",
] as const;

/** CommandArgumentError variant names in BCS order. */
const COMMAND_ARGUMENT_ERRORS = [
  "TypeMismatch",
  "InvalidBCSBytes",
  "InvalidUsageOfPureArg",
  "InvalidArgumentToPrivateEntryFunction",
  "IndexOutOfBounds",
  "SecondaryIndexOutOfBounds",
  "InvalidResultArity",
  "InvalidGasCoinUsage",
  "InvalidValueUsage",
  "InvalidObjectByValue",
  "InvalidObjectByMutRef",
  "SharedObjectOperationNotAllowed",
  "InvalidArgumentArity",
  "InvalidTransferObject",
  "InvalidMakeMoveVecNonObjectArgument",
  "ArgumentWithoutValue",
  "CannotMoveBorrowedValue",
  "CannotWriteToExtendedReference",
  "InvalidReferenceArgument",
  "InvalidTxContext",
] as const;

const PACKAGE_UPGRADE_ERRORS = [
  "UnableToFetchPackage",
  "NotAPackage",
  "IncompatibleUpgrade",
  "DigestDoesNotMatch",
  "UnknownUpgradePolicy",
  "PackageIDDoesNotMatch",
] as const;

function readStatus(c: BcsCursor): ExecutionStatus {
  if (c.variant(2, "status") === 0) return { success: true };
  const error = readFailure(c);
  const command = c.option("status.command") ? c.u64("status.command") : null;
  return { success: false, error: command === null ? error : `${error} in command ${command}` };
}

/** `MoveLocation { module: ModuleId { address, name }, function, instruction, function_name }`. */
function readMoveLocation(c: BcsCursor): string {
  const f = "status.location";
  const address = c.address(f);
  const module = c.string(f);
  const fn = c.u16(f);
  const instruction = c.u16(f);
  const name = c.option(f) ? c.string(f) : `#${fn}`;
  return `${address}::${module}::${name} at instruction ${instruction}`;
}

function readFailure(c: BcsCursor): string {
  const f = "status.error";
  const tag = c.variant(FAILURES.length, f);
  const name: string = FAILURES[tag]!;
  switch (tag) {
    case 4:
    case 5:
    case 24:
    case 28:
    case 37:
    case 38: {
      const a = c.u64(f);
      const b = c.u64(f);
      return `${name}(${a}, ${b})`;
    }
    case 6:
    case 41:
      return `${name}(${c.address(f)})`;
    case 11:
      return c.option(f) ? `${name} in ${readMoveLocation(c)}` : name;
    case 12: {
      const location = readMoveLocation(c);
      return `${name} in ${location} with code ${c.u64(f)}`;
    }
    case 19: {
      const arg = c.u16(f);
      const kind = c.variant(COMMAND_ARGUMENT_ERRORS.length, "status.error.kind");
      if (kind === 4 || kind === 6) c.skip(2, f);
      else if (kind === 5) c.skip(4, f);
      return `${name}(${COMMAND_ARGUMENT_ERRORS[kind]} for argument ${arg})`;
    }
    case 20: {
      const arg = c.u16(f);
      const kind = c.variant(2, "status.error.kind") === 0 ? "TypeNotFound" : "ConstraintNotSatisfied";
      return `${name}(${kind} for type argument ${arg})`;
    }
    case 21:
      c.skip(4, f);
      return name;
    case 22:
      c.skip(2, f);
      return name;
    case 27: {
      const kind = c.variant(PACKAGE_UPGRADE_ERRORS.length, "status.error.upgrade_error");
      if (kind === 0 || kind === 1) c.skip(32, f);
      else if (kind === 3) c.skipByteVector(f);
      else if (kind === 4) c.skip(1, f);
      else if (kind === 5) c.skip(64, f);
      return `${name}(${PACKAGE_UPGRADE_ERRORS[kind]})`;
    }
    case 33: {
      const n = c.length(f, 32);
      c.skip(n * 32, f);
      return `${name}(${n} objects)`;
    }
    case 34: {
      const address = c.address(f);
      return `${name}(${address}, ${c.string(f)})`;
    }
    case 35:
      return `${name}(${c.string(f)})`;
    default:
      return name;
  }
}
