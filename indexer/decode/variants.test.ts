/**
 * Variants the real fixtures do not contain, written with @mysten/sui's own BCS schemas (an
 * independent encoder) and read with the cursor decoders: every one must be consumed to the
 * last byte and give the expected model values.
 */
import { bcs } from "@mysten/sui/bcs";
import { toBase58 } from "@mysten/bcs";
import { describe, expect, it } from "vitest";
import { BcsCursor } from "./cursor.ts";
import { readEffects } from "./effects.ts";
import { decodeObject } from "./object.ts";
import { CheckpointContents, CheckpointSummary, SuiObject } from "./schema.ts";
import { readContents, readSummary } from "./summary.ts";
import { readTransactionData } from "./transaction.ts";

const A = "0x" + "ab".repeat(32);
const B = "0x" + "cd".repeat(32);
const TWO = "0x" + "00".repeat(31) + "02";
const D = toBase58(new Uint8Array(32).fill(7));

function whole<T>(bytes: Uint8Array, read: (c: BcsCursor) => T): T {
  const c = new BcsCursor(bytes);
  const value = read(c);
  c.finish("end");
  return value;
}

const gas = { payment: [{ objectId: A, version: 5n, digest: D }], owner: A, price: 1000n, budget: 5_000_000n };
const programmable = {
  inputs: [
    { Pure: { bytes: new Uint8Array([1, 2, 3]) } },
    { Object: { ImmOrOwnedObject: { objectId: B, version: 1n, digest: D } } },
    { Object: { SharedObject: { objectId: B, initialSharedVersion: 3n, mutable: true } } },
    { Object: { Receiving: { objectId: B, version: 1n, digest: D } } },
    { FundsWithdrawal: { reservation: { MaxAmountU64: 10n }, typeArg: { Balance: "0x2::sui::SUI" }, withdrawFrom: { SenderAllowance: { funder: A, allowance: B } } } },
  ],
  commands: [
    { MoveCall: { package: B, module: "pool", function: "swap", typeArguments: ["vector<u8>", `${TWO}::coin::Coin<${TWO}::sui::SUI>`], arguments: [{ Input: 0 }, { NestedResult: [0, 1] }] } },
    { TransferObjects: { objects: [{ Result: 0 }], address: { Input: 0 } } },
    { SplitCoins: { coin: { GasCoin: true }, amounts: [{ Input: 0 }] } },
    { MergeCoins: { destination: { GasCoin: true }, sources: [{ Input: 1 }] } },
    { Publish: { modules: [new Uint8Array([9, 9])], dependencies: [TWO] } },
    { MakeMoveVec: { type: "u64", elements: [{ Input: 0 }] } },
    { Upgrade: { modules: [new Uint8Array([1])], dependencies: [TWO], package: B, ticket: { Result: 1 } } },
  ],
};

describe("transaction kinds and inputs beyond the fixtures", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["ProgrammableTransaction", { ProgrammableTransaction: programmable }, "ProgrammableTransaction"],
    ["ProgrammableSystemTransaction", { ProgrammableSystemTransaction: programmable }, "ProgrammableSystemTransaction"],
    [
      "ChangeEpoch",
      {
        ChangeEpoch: {
          epoch: 1n,
          protocolVersion: 2n,
          storageCharge: 3n,
          computationCharge: 4n,
          storageRebate: 5n,
          nonRefundableStorageFee: 6n,
          epochStartTimestampMs: 7n,
          systemPackages: [[1n, [new Uint8Array([1, 2])], [TWO]]],
        },
      },
      "ChangeEpoch",
    ],
    [
      "Genesis",
      {
        Genesis: {
          objects: [{ RawObject: { data: { Move: { type: { GasCoin: true }, hasPublicTransfer: true, version: 1n, contents: new Uint8Array(40) } }, owner: { AddressOwner: A } } }],
        },
      },
      "Genesis",
    ],
    ["ConsensusCommitPrologue", { ConsensusCommitPrologue: { epoch: 1n, round: 2n, commitTimestampMs: 3n } }, "ConsensusCommitPrologue"],
    [
      "AuthenticatorStateUpdate",
      {
        AuthenticatorStateUpdate: {
          epoch: 1n,
          round: 2n,
          newActiveJwks: [{ jwkId: { iss: "https://accounts.google.com", kid: "k1" }, jwk: { kty: "RSA", e: "AQAB", n: "xyz", alg: "RS256" }, epoch: 1n }],
          authenticatorObjInitialSharedVersion: 9n,
        },
      },
      "AuthenticatorStateUpdate",
    ],
    [
      "EndOfEpochTransaction",
      {
        EndOfEpochTransaction: [
          { AuthenticatorStateCreate: true },
          { AuthenticatorStateExpire: { minEpoch: 1n, authenticatorObjInitialSharedVersion: 2n } },
          { RandomnessStateCreate: true },
          { DenyListStateCreate: true },
          { BridgeStateCreate: D },
          { BridgeCommitteeInit: 4n },
          {
            StoreExecutionTimeObservations: {
              V1: [
                [{ MoveEntryPoint: { package: B, module: "m", function: "f", typeArguments: ["u8"] } }, [[new Uint8Array(96), { secs: 1n, nanos: 2 }]]],
                [{ SplitCoins: true }, []],
              ],
            },
          },
          { AccumulatorRootCreate: true },
          { CoinRegistryCreate: true },
          { DisplayRegistryCreate: true },
          { AddressAliasStateCreate: true },
          { WriteAccumulatorStorageCost: { storageCost: 5n } },
          { ForwardingAddressRegistryCreate: true },
        ],
      },
      "EndOfEpochTransaction",
    ],
    ["RandomnessStateUpdate", { RandomnessStateUpdate: { epoch: 1n, randomnessRound: 2n, randomBytes: new Uint8Array(48), randomnessObjInitialSharedVersion: 3n } }, "RandomnessStateUpdate"],
    ["ConsensusCommitPrologueV2", { ConsensusCommitPrologueV2: { epoch: 1n, round: 2n, commitTimestampMs: 3n, consensusCommitDigest: D } }, "ConsensusCommitPrologueV2"],
    [
      "ConsensusCommitPrologueV3",
      {
        ConsensusCommitPrologueV3: {
          epoch: 1n,
          round: 2n,
          subDagIndex: 7n,
          commitTimestampMs: 3n,
          consensusCommitDigest: D,
          consensusDeterminedVersionAssignments: { CancelledTransactions: [[D, [[A, 4n]]]] },
        },
      },
      "ConsensusCommitPrologueV3",
    ],
  ];

  it.each(cases)("%s", (_, kind, expected) => {
    for (const expiration of [
      { None: true },
      { Epoch: 5 },
      { ValidDuring: { minEpoch: 1n, maxEpoch: null, minTimestamp: null, maxTimestamp: 9n, chain: D, nonce: 3 } },
      { Validity: { minEpoch: null, maxEpoch: 2n, minTimestamp: null, maxTimestamp: null, chain: D, nonce: 3, allowedProposers: { epoch: 1n, proposers: [1, 4] } } },
    ]) {
      const bytes = bcs.TransactionData.serialize({ V1: { kind, sender: A, gasData: gas, expiration } } as never).toBytes();
      const fields = whole(bytes, readTransactionData);
      expect(fields.kind).toBe(expected);
      expect(fields.sender).toBe(A);
      expect(fields.gasOwner).toBe(A);
      expect(fields.gasBudget).toBe(5_000_000n);
      if (expected.startsWith("Programmable")) expect(fields.moveCalls).toEqual([{ package: B, module: "pool", function: "swap" }]);
    }
  });

  it("reads a shared input's NonExclusiveWrite mutability (2), which @mysten/sui encodes as a bool", () => {
    const bytes = bcs.TransactionData.serialize({
      V1: { kind: { ProgrammableTransaction: { inputs: [programmable.inputs[2]!], commands: [] } }, sender: A, gasData: gas, expiration: { None: true } },
    } as never).toBytes();
    // V1, kind, input count, CallArg::Object, ObjectArg::SharedObject, id, initial version: then the flag.
    const at = 1 + 1 + 1 + 1 + 1 + 32 + 8;
    expect(bytes[at]).toBe(1);
    const patched = bytes.slice();
    patched[at] = 2;
    expect(whole(patched, readTransactionData).kind).toBe("ProgrammableTransaction");
    patched[at] = 3;
    expect(() => whole(patched, readTransactionData)).toThrow(/unknown variant 3/);
  });
});

describe("effects beyond the fixtures", () => {
  const owner = { AddressOwner: A };
  it("V1 effects map to the same changed-object shape", () => {
    const ref = (id: string, version: bigint) => ({ objectId: id, version, digest: D });
    const bytes = bcs.TransactionEffects.serialize({
      V1: {
        status: { Failure: { error: { CommandArgumentError: { argIdx: 1, kind: { IndexOutOfBounds: { idx: 2 } } } }, command: 0n } },
        executedEpoch: 3n,
        gasUsed: { computationCost: 1n, storageCost: 2n, storageRebate: 3n, nonRefundableStorageFee: 4n },
        modifiedAtVersions: [[A, 9n], [B, 8n]],
        sharedObjects: [ref(B, 8n)],
        transactionDigest: D,
        created: [[ref(TWO, 10n), owner]],
        mutated: [[ref(A, 10n), owner]],
        unwrapped: [],
        deleted: [ref(B, 10n)],
        unwrappedThenDeleted: [],
        wrapped: [],
        gasObject: [ref(A, 10n), owner],
        eventsDigest: null,
        dependencies: [D],
      },
    } as never).toBytes();
    const effects = whole(bytes, readEffects);
    expect(effects.version).toBe(1);
    expect(effects.lamportVersion).toBe(10n);
    expect(effects.status).toEqual({ success: false, error: "CommandArgumentError(IndexOutOfBounds for argument 1) in command 0" });
    expect(effects.changedObjects.map((c) => [c.objectId, c.kind, c.inputVersion, c.outputVersion])).toEqual([
      [TWO, "created", null, 10n],
      [A, "mutated", 9n, 10n],
      [B, "deleted", 8n, null],
    ]);
    expect(effects.modifiedAtVersions).toEqual([[A, 9n], [B, 8n]]);
  });

  it("V2 package writes, accumulator writes, wrapping and every unchanged-consensus kind", () => {
    const exist = { Exist: [[4n, D], owner] };
    const bytes = bcs.TransactionEffects.serialize({
      V2: {
        status: { Success: true },
        executedEpoch: 3n,
        gasUsed: { computationCost: 1n, storageCost: 2n, storageRebate: 3n, nonRefundableStorageFee: 4n },
        transactionDigest: D,
        gasObjectIndex: 0,
        eventsDigest: D,
        dependencies: [],
        lamportVersion: 5n,
        changedObjects: [
          [A, { inputState: exist, outputState: { ObjectWrite: [D, { ConsensusAddressOwner: { startVersion: 2n, owner: B } }] }, idOperation: { None: true } }],
          [B, { inputState: { NotExist: true }, outputState: { PackageWrite: [1n, D] }, idOperation: { Created: true } }],
          [
            TWO,
            {
              inputState: { NotExist: true },
              outputState: { AccumulatorWriteV1: { address: { address: A, ty: `${TWO}::balance::Balance<${TWO}::sui::SUI>` }, operation: { Split: true }, value: { Integer: 77n } } },
              idOperation: { None: true },
            },
          ],
          [A, { inputState: exist, outputState: { NotExist: true }, idOperation: { None: true } }],
          [B, { inputState: { NotExist: true }, outputState: { NotExist: true }, idOperation: { Deleted: true } }],
          [
            TWO,
            {
              inputState: { NotExist: true },
              outputState: { AccumulatorWriteV1: { address: { address: A, ty: "u64" }, operation: { Merge: true }, value: { EventDigest: [[1n, D]] } } },
              idOperation: { None: true },
            },
          ],
        ],
        unchangedConsensusObjects: [
          [A, { ReadOnlyRoot: [1n, D] }],
          [A, { MutateConsensusStreamEnded: 1n }],
          [A, { ReadConsensusStreamEnded: 1n }],
          [A, { Cancelled: 1n }],
          [A, { PerEpochConfig: true }],
        ],
        auxDataDigest: D,
      },
    } as never).toBytes();
    const effects = whole(bytes, readEffects);
    const [write, pkg, acc, wrapped, utd, acc2] = effects.changedObjects;
    expect(write!.outputOwner).toEqual({ kind: "consensusAddress", address: B, startVersion: 2n });
    expect(write!.outputVersion).toBe(5n);
    expect(pkg).toMatchObject({ kind: "created", isPackage: true, outputVersion: 1n, outputOwner: { kind: "immutable" } });
    expect(acc).toMatchObject({
      kind: "mutated",
      outputVersion: null,
      accumulatorWrite: { address: A, type: `${TWO}::balance::Balance<${TWO}::sui::SUI>`, operation: "split", amount: 77n },
    });
    expect(wrapped!.kind).toBe("wrapped");
    expect(utd!.kind).toBe("unwrappedThenDeleted");
    expect(acc2!.accumulatorWrite).toEqual({ address: A, type: "u64", operation: "merge", amount: null });
  });
});

describe("objects and checkpoint structures beyond the fixtures", () => {
  it("reads packages, their original id from the module bytecode, and the accumulator object types", () => {
    // A minimal module header: magic, version 6, two tables (module handles, addresses), self index 0.
    const module = new Uint8Array([0xa1, 0x1c, 0xeb, 0x0b, 6, 0, 0, 0, 2, 0x01, 0, 2, 0x08, 2, 32, 0, 0, ...new Uint8Array(32).fill(0xee), 0]);
    const pkg = (version: bigint) =>
      SuiObject.serialize({
        data: { Package: { id: B, version, moduleMap: new Map([["m", module]]), typeOriginTable: [{ moduleName: "m", datatypeName: "T", package: B }], linkageTable: new Map([[TWO, { upgradedId: TWO, upgradedVersion: 1n }]]) } },
        owner: { Immutable: true },
        previousTransaction: new Uint8Array(32),
        storageRebate: 0n,
      } as never).toBytes();
    expect(decodeObject(pkg(1n))).toMatchObject({ objectId: B, isPackage: true, type: null, packageOriginalId: B });
    expect(decodeObject(pkg(3n)).packageOriginalId).toBe("0x" + "ee".repeat(32));

    const field = (type: Record<string, unknown>) =>
      decodeObject(
        SuiObject.serialize({
          data: { Move: { type, hasPublicTransfer: false, version: 2n, contents: new Uint8Array(48).fill(1) } },
          owner: { ObjectOwner: A },
          previousTransaction: new Uint8Array(32),
          storageRebate: 0n,
        } as never).toBytes(),
      );
    const sui = `${TWO}::sui::SUI`;
    const key = (t: string) => `${TWO}::dynamic_field::Field<${TWO}::accumulator::Key<${TWO}::balance::Balance<${t}>>,${TWO}::accumulator::U128>`;
    expect(field({ SuiBalanceAccumulatorField: true }).type).toBe(key(sui));
    expect(field({ BalanceAccumulatorField: `${B}::usdc::USDC` }).type).toBe(key(`${B}::usdc::USDC`));
    expect(field({ StakedSui: true })).toMatchObject({ type: "0x" + "00".repeat(31) + "03::staking_pool::StakedSui", coinType: null });
    expect(field({ Coin: `${B}::usdc::USDC` })).toMatchObject({ coinType: `${B}::usdc::USDC`, coinBalance: 0x0101010101010101n });
  });

  it("rejects an Owner::Party object instead of indexing it as something else", () => {
    const bytes = SuiObject.serialize({
      data: { Move: { type: { GasCoin: true }, hasPublicTransfer: true, version: 2n, contents: new Uint8Array(40) } },
      owner: { Immutable: true },
      previousTransaction: new Uint8Array(32),
      storageRebate: 0n,
    } as never).toBytes();
    const ownerAt = 1 + 1 + 1 + 8 + 1 + 40;
    const party = new Uint8Array([...bytes.subarray(0, ownerAt), 5, ...new Uint8Array(16), 0, ...bytes.subarray(ownerAt + 1)]);
    expect(() => decodeObject(party)).toThrow(/Owner::Party/);
  });

  it("reads end-of-epoch data, commitments and V2 contents", () => {
    const summary = CheckpointSummary.serialize({
      epoch: 1n,
      sequenceNumber: 2n,
      networkTotalTransactions: 3n,
      contentDigest: new Uint8Array(32).fill(1),
      previousDigest: null,
      epochRollingGasCostSummary: { computationCost: 1n, storageCost: 2n, storageRebate: 3n, nonRefundableStorageFee: 4n },
      timestampMs: 5n,
      checkpointCommitments: [{ ECMHLiveObjectSetDigest: { digest: new Uint8Array(32) } }, { CheckpointArtifactsDigest: { digest: new Uint8Array(32) } }],
      endOfEpochData: {
        nextEpochCommittee: [[new Uint8Array(96).fill(9), 10n], [new Uint8Array(96).fill(8), 20n]],
        nextEpochProtocolVersion: 99n,
        epochCommitments: [{ ECMHLiveObjectSetDigest: { digest: new Uint8Array(32) } }],
      },
      versionSpecificData: new Uint8Array([0, 0]),
    }).toBytes();
    const fields = whole(summary, readSummary);
    expect(fields.previousDigest).toBeNull();
    expect(fields.endOfEpochData?.nextEpochProtocolVersion).toBe(99n);
    expect(fields.endOfEpochData?.nextEpochCommittee.map((m) => [m.authorityName[0], m.stake])).toEqual([[9, 10n], [8, 20n]]);

    const contents = CheckpointContents.serialize({
      V2: {
        transactions: [
          { digest: { transaction: new Uint8Array(32).fill(3), effects: new Uint8Array(32).fill(4) }, userSignatures: [[new Uint8Array(97), 5n], [new Uint8Array(97).fill(2), null]] },
        ],
      },
    }).toBytes();
    const read = whole(contents, (c) => readContents(c, true));
    expect(read.version).toBe(2);
    expect(read.transactionDigests[0]![0]).toBe(3);
    expect(read.signatures![0]!.map((s) => s[0])).toEqual([0, 2]);
  });
});
