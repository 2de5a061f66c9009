/**
 * Hand-built CheckpointModel values for unit tests of pipelines, filters and the
 * committer: small, explicit, with defaults for everything a test does not care about.
 */
import type {
  ChangedObject,
  CheckpointModel,
  EventModel,
  ObjectModel,
  Owner,
  TransactionModel,
} from "../model.ts";

/** `0x` + 64 hex digits ending in `n` (in hex). */
export function addr(n: number | bigint): string {
  return `0x${BigInt(n).toString(16).padStart(64, "0")}`;
}

/** A 32-byte digest filled with `n`. */
export function digestOf(n: number): Uint8Array {
  return new Uint8Array(32).fill(n & 0xff);
}

export const SUI = `${addr(2)}::sui::SUI`;
export const coinType = (t: string) => `${addr(2)}::coin::Coin<${t}>`;

export function buildObject(fields: Partial<ObjectModel> & { objectId: string; version: bigint }): ObjectModel {
  return {
    owner: { kind: "address", address: addr(0xa11ce) },
    type: `${addr(0xabc)}::thing::Thing`,
    isPackage: false,
    coinType: null,
    coinBalance: null,
    previousTransaction: digestOf(0),
    storageRebate: 0n,
    packageOriginalId: null,
    bcs: new Uint8Array(0),
    ...fields,
  };
}

/** A Coin<T> object. */
export function buildCoin(objectId: string, version: bigint, owner: Owner, balance: bigint, type = SUI): ObjectModel {
  return buildObject({ objectId, version, owner, type: coinType(type), coinType: type, coinBalance: balance });
}

export function buildPackage(objectId: string, version: bigint, originalId: string | null = null): ObjectModel {
  return buildObject({
    objectId,
    version,
    owner: { kind: "immutable" },
    type: null,
    isPackage: true,
    packageOriginalId: originalId ?? objectId,
  });
}

/** A changed object consistent with an input and/or output object. */
export function change(
  kind: ChangedObject["kind"],
  input: ObjectModel | null,
  output: ObjectModel | null,
  objectId = (output ?? input)?.objectId ?? addr(0),
): ChangedObject {
  return {
    objectId,
    kind,
    inputVersion: input?.version ?? null,
    inputDigest: input ? digestOf(Number(input.version)) : null,
    inputOwner: input?.owner ?? null,
    outputVersion: output?.version ?? null,
    outputDigest: output ? digestOf(Number(output.version)) : null,
    outputOwner: output?.owner ?? null,
    isPackage: output?.isPackage ?? input?.isPackage ?? false,
    accumulatorWrite: null,
  };
}

export function buildEvent(fields: Partial<EventModel> = {}): EventModel {
  return {
    packageId: addr(0xabc),
    module: "thing",
    sender: addr(0xa11ce),
    type: `${addr(0xabc)}::thing::Made`,
    contents: new Uint8Array([1, 2, 3]),
    ...fields,
  };
}

export interface TransactionFields extends Partial<Omit<TransactionModel, "inputObjects" | "outputObjects">> {
  inputObjects?: ObjectModel[];
  outputObjects?: ObjectModel[];
}

export function buildTransaction(fields: TransactionFields = {}): TransactionModel {
  const { inputObjects = [], outputObjects = [], ...rest } = fields;
  return {
    digest: digestOf(7),
    indexInCheckpoint: 0,
    sender: addr(0xa11ce),
    kind: "ProgrammableTransaction",
    gasOwner: addr(0xa11ce),
    gasPrice: 750n,
    gasBudget: 5_000_000n,
    status: { success: true },
    gasUsed: { computationCost: 1000n, storageCost: 2000n, storageRebate: 500n, nonRefundableStorageFee: 5n },
    executedEpoch: 1n,
    lamportVersion: 10n,
    moveCalls: [],
    changedObjects: [],
    events: [],
    inputObjects,
    outputObjects,
    transactionBcs: new Uint8Array(0),
    effectsBcs: new Uint8Array(0),
    eventsBcs: null,
    ...rest,
  };
}

export interface CheckpointFields extends Partial<CheckpointModel> {
  /** Transactions before this checkpoint; default 100. */
  txBefore?: bigint;
}

/** A checkpoint whose network_total_transactions is consistent with its transactions. */
export function buildCheckpoint(sequenceNumber: bigint, fields: CheckpointFields = {}): CheckpointModel {
  const { txBefore = 100n, ...rest } = fields;
  const transactions = (rest.transactions ?? []).map((tx, index) => ({ ...withObjects(tx), indexInCheckpoint: index }));
  return {
    sequenceNumber,
    epoch: 1n,
    timestampMs: 1_700_000_000_000n + sequenceNumber * 250n,
    networkTotalTransactions: txBefore + BigInt(transactions.length),
    digest: digestOf(Number(sequenceNumber % 256n)),
    contentDigest: digestOf(1),
    previousDigest: sequenceNumber === 0n ? null : digestOf(Number((sequenceNumber - 1n) % 256n)),
    epochRollingGasCostSummary: { computationCost: 0n, storageCost: 0n, storageRebate: 0n, nonRefundableStorageFee: 0n },
    endOfEpochData: null,
    summaryBcs: new Uint8Array([9, 9]),
    signature: { epoch: 1n, signature: new Uint8Array(48), signersMap: new Uint8Array([58, 48]) },
    contentsBcs: new Uint8Array(0),
    ...rest,
    transactions,
  };
}

/** Spreading a TransactionModel copies its getters' values: keep the objects reachable. */
function withObjects(tx: TransactionModel): TransactionModel {
  return { ...tx, inputObjects: tx.inputObjects, outputObjects: tx.outputObjects };
}
