/**
 * Test support: appends checkpoints holding the registry's own transactions (its creation
 * and `settle` calls) after a run of synthetic data checkpoints, serialized with the real
 * BCS schemas exactly as the synthetic generator writes them: `SenderSignedData` with a
 * programmable transaction calling `<pkg>::registry::…`, effects V2 with every object
 * digest, the registry's events with their Move layouts, the objects, contents, summary,
 * and a `previous_digest` chain continuing the data. The signatures are not a real
 * committee's (certificates are checked in settler/audit/checkpoint's tests).
 */
import { bcs } from "@mysten/sui/bcs";
import { blake2b } from "@noble/hashes/blake2.js";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { senderSignedData } from "../../../../indexer/decode/binpb.ts";
import { ByteWriter } from "../../../../indexer/decode/byte-writer.ts";
import { CHK_ENCODING_BCS } from "../../../../indexer/decode/chk.ts";
import { suiDigest } from "../../../../indexer/decode/digest.ts";
import { CheckpointContents, CheckpointSummary } from "../../../../indexer/decode/schema.ts";
import type { CheckpointModel, GasCostSummary } from "../../../../indexer/model.ts";
import {
  encodeEffectsV2,
  encodeEvents,
  encodeTransactionData,
  type CallArgInput,
  type CommandInput,
  type EventInput,
} from "../../../../indexer/synthetic/encoder.ts";
import { contentsWithId, rebateFor, seal, u64Bytes, type LiveObject } from "../../../../indexer/synthetic/world.ts";
import { KeyRotationAppliedBcs, KeyRotationProposedBcs, RegistryCreatedBcs, SettledBcs } from "../../../sui/registry-calls.ts";
import type { BatchPublicInputs } from "../../../tree/batch-input.ts";

export interface RegistryCreation {
  vk: Uint8Array;
  depth: number;
  startCursor: bigint;
  maxSpan: bigint;
  trackingConfig: Uint8Array;
  /** The empty root of `depth` (what Move's `indexed_merkle::empty_root` returns). */
  emptyRoot: bigint;
}

/** Everything a settle call passes and its Settled event says; tests forge any of it. */
export interface SettlementWrite extends BatchPublicInputs {
  batch: bigint;
  proof: Uint8Array;
}

/** A key rotation as the admin proposes it (the test picks the effective epoch). */
export interface RotationProposal {
  vk: Uint8Array;
  trackingConfig: Uint8Array;
  effectiveEpoch: bigint;
}

/** The KeyRotationApplied event's fields that depend on the registry's state. */
export interface RotationApplied {
  vk: Uint8Array;
  trackingConfig: Uint8Array;
  /** The registry's next cursor and batch count when applied. */
  fromCursor: bigint;
  afterBatch: bigint;
}

export interface ChainWriter {
  readonly packageId: string;
  readonly registryId: string;
  /** Appends a checkpoint creating the registry; returns its sequence number. */
  create(creation: RegistryCreation): { sequenceNumber: bigint; chk: Uint8Array };
  /** Appends a checkpoint with one settle transaction. */
  settle(write: SettlementWrite): { sequenceNumber: bigint; chk: Uint8Array };
  /** Appends a checkpoint with `propose_key_rotation`. */
  proposeRotation(proposal: RotationProposal): { sequenceNumber: bigint; chk: Uint8Array };
  /** Appends a checkpoint with `apply_key_rotation`; later Settled events carry the new key's hash. */
  applyRotation(applied: RotationApplied): { sequenceNumber: bigint; chk: Uint8Array };
}

function blake2b256(bytes: Uint8Array): Uint8Array {
  return blake2b(bytes, { dkLen: 32 });
}

/**
 * @example
 * const writer = createChainWriter(lastDataCheckpoint, { packageId, operator });
 * writeFileSync(`${seq}.chk`, writer.create(creation).chk);
 */
export function createChainWriter(after: CheckpointModel, options: { packageId: string; operator: string; seed?: number }): ChainWriter {
  const packageId = normalizeSuiAddress(options.packageId);
  const operator = normalizeSuiAddress(options.operator);
  let sequenceNumber = after.sequenceNumber;
  let previousDigest = after.digest;
  let networkTotal = after.networkTotalTransactions;
  let rolling = after.epochRollingGasCostSummary;
  let timestampMs = after.timestampMs;
  const epoch = after.epoch;
  let counter = options.seed ?? 1;
  const freshId = (): string => {
    const bytes = blake2b256(new TextEncoder().encode(`chain-writer/${counter++}`));
    return normalizeSuiAddress(Buffer.from(bytes).toString("hex"));
  };

  let gas = seal({
    id: freshId(),
    version: 1_000n,
    owner: { kind: "address", address: operator },
    type: { GasCoin: true },
    hasPublicTransfer: true,
    contents: contentsWithId("0x" + "00".repeat(32), u64Bytes(10n ** 15n)),
    previousTransaction: new Uint8Array(32),
    storageRebate: 0n,
  });
  gas = seal({ ...gas, contents: contentsWithId(gas.id, u64Bytes(10n ** 15n)) });
  let registry: LiveObject | null = null;
  let registryInitialVersion = 0n;
  let settlerCap: LiveObject | null = null;
  let adminCap: LiveObject | null = null;
  let trackingHash: Uint8Array = new Uint8Array(32);
  let vkHash: Uint8Array = new Uint8Array(32);
  const registryId = freshId();
  const adminCapId = freshId();
  const settlerCapId = freshId();

  interface Change {
    before: LiveObject | null;
    after: LiveObject;
  }

  /** Serializes one successful user transaction and the checkpoint holding it. */
  const commit = (
    inputs: CallArgInput[],
    commands: CommandInput[],
    events: EventInput[],
    write: (lamport: bigint, digest: Uint8Array) => Change[],
  ): { sequenceNumber: bigint; chk: Uint8Array } => {
    const dataBcs = encodeTransactionData({
      kind: { kind: "programmable", inputs, commands },
      sender: operator,
      gasPayment: [{ id: gas.id, version: gas.version, digest: gas.digest }],
      gasOwner: operator,
      gasPrice: 1_000n,
      gasBudget: 100_000_000n,
    });
    const digest = suiDigest("TransactionData", dataBcs);
    const inputVersions = [gas.version, registry?.version ?? 0n, settlerCap?.version ?? 0n, adminCap?.version ?? 0n];
    const lamport = inputVersions.reduce((a, b) => (b > a ? b : a), 0n) + 1n;
    const changes = write(lamport, digest).sort((a, b) => (a.after.id < b.after.id ? -1 : 1));
    const eventsBcs = events.length > 0 ? encodeEvents(events) : null;
    const gasUsed: GasCostSummary = { computationCost: 1_000_000n, storageCost: 2_000_000n, storageRebate: 500_000n, nonRefundableStorageFee: 5_000n };
    const effectsBcs = encodeEffectsV2({
      failure: null,
      epoch,
      gasUsed,
      transactionDigest: digest,
      gasObjectIndex: changes.findIndex((c) => c.after.id === gas.id),
      eventsDigest: eventsBcs ? suiDigest("TransactionEvents", eventsBcs) : null,
      dependencies: [],
      lamportVersion: lamport,
      changedObjects: changes.map((c) => ({
        id: c.after.id,
        before: c.before && { version: c.before.version, digest: c.before.digest, owner: c.before.owner },
        after: { digest: c.after.digest, owner: c.after.owner },
        idOperation: c.before ? "none" : "created",
      })),
      readOnly: [],
    });
    const signature = new Uint8Array(97);
    signature.set(Buffer.from(operator.slice(2), "hex"), 65);
    const transactionBcs = senderSignedData(dataBcs, [signature]);
    const inputObjects = changes.filter((c) => c.before).map((c) => c.before!.bcs);
    const outputObjects = [...changes.filter((c) => c.before), ...changes.filter((c) => !c.before)].map((c) => c.after.bcs);

    sequenceNumber++;
    timestampMs += 250n;
    networkTotal += 1n;
    rolling = {
      computationCost: rolling.computationCost + gasUsed.computationCost,
      storageCost: rolling.storageCost + gasUsed.storageCost,
      storageRebate: rolling.storageRebate + gasUsed.storageRebate,
      nonRefundableStorageFee: rolling.nonRefundableStorageFee + gasUsed.nonRefundableStorageFee,
    };
    const contentsBcs = CheckpointContents.serialize({
      V1: { transactions: [{ transaction: digest, effects: suiDigest("TransactionEffects", effectsBcs) }], userSignatures: [[signature]] },
    }).toBytes();
    const summaryBcs = CheckpointSummary.serialize({
      epoch,
      sequenceNumber,
      networkTotalTransactions: networkTotal,
      contentDigest: suiDigest("CheckpointContents", contentsBcs),
      previousDigest,
      epochRollingGasCostSummary: rolling,
      timestampMs,
      checkpointCommitments: [],
      endOfEpochData: null,
      versionSpecificData: [0, 1, ...u64Bytes(0n)],
    }).toBytes();
    previousDigest = suiDigest("CheckpointSummary", summaryBcs);

    const w = new ByteWriter(1 << 16);
    w.u8(CHK_ENCODING_BCS);
    w.bytes(summaryBcs);
    w.u64(epoch);
    w.bytes(new Uint8Array(48));
    w.byteVector(new Uint8Array([0x3a, 0x30, 0, 0, 0, 0, 0, 0])); // an empty roaring bitmap
    w.bytes(contentsBcs);
    w.uleb(1);
    w.bytes(transactionBcs);
    w.bytes(effectsBcs);
    if (eventsBcs) {
      w.u8(1);
      w.bytes(eventsBcs);
    } else {
      w.u8(0);
    }
    w.uleb(inputObjects.length);
    for (const o of inputObjects) w.bytes(o);
    w.uleb(outputObjects.length);
    for (const o of outputObjects) w.bytes(o);
    return { sequenceNumber, chk: w.finish().slice() };
  };

  const bump = (object: LiveObject, lamport: bigint, digest: Uint8Array, rest?: Uint8Array): LiveObject => {
    const contents = rest ? contentsWithId(object.id, rest) : object.contents;
    return seal({ ...object, version: lamport, previousTransaction: digest, contents, storageRebate: rebateFor(contents) });
  };
  const pure = (bytes: Uint8Array): CallArgInput => ({ kind: "pure", bytes });
  const u256 = (value: bigint): Uint8Array => bcs.u256().serialize(value).toBytes();
  const vector = (bytes: Uint8Array): Uint8Array => bcs.byteVector().serialize(bytes).toBytes();

  return {
    packageId,
    registryId,
    create(c) {
      const inputs = [
        pure(vector(c.vk)),
        pure(new Uint8Array([c.depth])),
        pure(u64Bytes(c.startCursor)),
        pure(u64Bytes(c.maxSpan)),
        pure(vector(c.trackingConfig)),
        pure(Buffer.from(operator.slice(2), "hex")),
      ];
      const commands: CommandInput[] = [
        { kind: "moveCall", package: packageId, module: "registry", function: "create_registry", typeArguments: [], arguments: [0, 1, 2, 3, 4].map((index) => ({ kind: "input" as const, index })) },
        { kind: "transferObjects", objects: [{ kind: "nested", index: 0, result: 0 }, { kind: "nested", index: 0, result: 1 }], address: { kind: "input", index: 5 } },
      ];
      vkHash = blake2b256(c.vk);
      trackingHash = blake2b256(c.trackingConfig);
      const event = RegistryCreatedBcs.serialize({
        registry_id: registryId,
        admin_cap_id: adminCapId,
        settler_cap_id: settlerCapId,
        depth: c.depth,
        root: c.emptyRoot,
        next_index: 1n,
        start_cursor: c.startCursor,
        max_span: c.maxSpan,
        vk: c.vk,
        vk_hash: blake2b256(c.vk),
        tracking_config: c.trackingConfig,
        tracking_config_hash: blake2b256(c.trackingConfig),
        recent_roots: 32n,
        rotation_delay_epochs: 7n,
        creator: operator,
        epoch,
      }).toBytes();
      return commit(inputs, commands, [registryEvent("RegistryCreated", event)], (lamport, digest) => {
        const before = gas;
        gas = bump(gas, lamport, digest, u64Bytes(10n ** 15n - lamport));
        registryInitialVersion = lamport;
        registry = seal({
          id: registryId,
          version: lamport,
          owner: { kind: "shared", initialSharedVersion: lamport },
          type: { Other: `${packageId}::registry::Registry` },
          hasPublicTransfer: false,
          contents: contentsWithId(registryId, u256(c.emptyRoot)),
          previousTransaction: digest,
          storageRebate: 0n,
        });
        const cap = (id: string, name: string): LiveObject =>
          seal({
            id,
            version: lamport,
            owner: { kind: "address", address: operator },
            type: { Other: `${packageId}::registry::${name}` },
            hasPublicTransfer: true,
            contents: contentsWithId(id, Buffer.from(registryId.slice(2), "hex")),
            previousTransaction: digest,
            storageRebate: 0n,
          });
        settlerCap = cap(settlerCapId, "SettlerCap");
        adminCap = cap(adminCapId, "AdminCap");
        return [
          { before, after: gas },
          { before: null, after: registry },
          { before: null, after: adminCap },
          { before: null, after: settlerCap },
        ];
      });
    },
    settle(s) {
      if (!registry || !settlerCap) throw new Error("create the registry first");
      const cap: LiveObject = settlerCap;
      const inputs: CallArgInput[] = [
        { kind: "shared", id: registryId, initialSharedVersion: registryInitialVersion, mutable: true },
        { kind: "owned", ref: { id: cap.id, version: cap.version, digest: cap.digest } },
        pure(u256(s.newRoot)),
        pure(u64Bytes(s.newNextIndex)),
        pure(u256(s.batchCommitment)),
        pure(u64Bytes(s.toCursor)),
        pure(vector(s.proof)),
      ];
      const commands: CommandInput[] = [
        { kind: "moveCall", package: packageId, module: "registry", function: "settle", typeArguments: [], arguments: inputs.map((_, index) => ({ kind: "input" as const, index })) },
      ];
      const event = SettledBcs.serialize({
        registry_id: registryId,
        batch: s.batch,
        old_root: s.oldRoot,
        new_root: s.newRoot,
        old_next_index: s.oldNextIndex,
        new_next_index: s.newNextIndex,
        batch_commitment: s.batchCommitment,
        from_cursor: s.fromCursor,
        to_cursor: s.toCursor,
        vk_hash: vkHash,
        settler_cap_id: settlerCapId,
        sender: operator,
        epoch,
      }).toBytes();
      return commit(inputs, commands, [registryEvent("Settled", event)], (lamport, digest) => {
        const before = { gas, registry: registry!, cap };
        gas = bump(gas, lamport, digest, u64Bytes(10n ** 15n - lamport));
        registry = bump(registry!, lamport, digest, u256(s.newRoot));
        settlerCap = bump(cap, lamport, digest);
        return [
          { before: before.gas, after: gas },
          { before: before.registry, after: registry },
          { before: before.cap, after: settlerCap },
        ];
      });
    },
    proposeRotation(p) {
      if (!registry || !adminCap) throw new Error("create the registry first");
      const admin: LiveObject = adminCap;
      const inputs: CallArgInput[] = [
        { kind: "shared", id: registryId, initialSharedVersion: registryInitialVersion, mutable: true },
        { kind: "owned", ref: { id: admin.id, version: admin.version, digest: admin.digest } },
        pure(vector(p.vk)),
        pure(vector(p.trackingConfig)),
      ];
      const event = KeyRotationProposedBcs.serialize({
        registry_id: registryId,
        vk: p.vk,
        vk_hash: blake2b256(p.vk),
        tracking_config: p.trackingConfig,
        tracking_config_hash: blake2b256(p.trackingConfig),
        proposed_epoch: epoch,
        effective_epoch: p.effectiveEpoch,
      }).toBytes();
      const commands: CommandInput[] = [
        { kind: "moveCall", package: packageId, module: "registry", function: "propose_key_rotation", typeArguments: [], arguments: inputs.map((_, index) => ({ kind: "input" as const, index })) },
      ];
      return commit(inputs, commands, [registryEvent("KeyRotationProposed", event)], (lamport, digest) => {
        const before = { gas, registry: registry!, admin };
        gas = bump(gas, lamport, digest, u64Bytes(10n ** 15n - lamport));
        registry = bump(registry!, lamport, digest);
        adminCap = bump(admin, lamport, digest);
        return [
          { before: before.gas, after: gas },
          { before: before.registry, after: registry },
          { before: before.admin, after: adminCap },
        ];
      });
    },
    applyRotation(a) {
      if (!registry) throw new Error("create the registry first");
      const inputs: CallArgInput[] = [{ kind: "shared", id: registryId, initialSharedVersion: registryInitialVersion, mutable: true }];
      const newVkHash = blake2b256(a.vk);
      const newTrackingHash = blake2b256(a.trackingConfig);
      const event = KeyRotationAppliedBcs.serialize({
        registry_id: registryId,
        old_vk_hash: vkHash,
        vk_hash: newVkHash,
        old_tracking_config_hash: trackingHash,
        tracking_config_hash: newTrackingHash,
        from_cursor: a.fromCursor,
        after_batch: a.afterBatch,
        epoch,
      }).toBytes();
      vkHash = newVkHash;
      trackingHash = newTrackingHash;
      const commands: CommandInput[] = [
        { kind: "moveCall", package: packageId, module: "registry", function: "apply_key_rotation", typeArguments: [], arguments: [{ kind: "input", index: 0 }] },
      ];
      return commit(inputs, commands, [registryEvent("KeyRotationApplied", event)], (lamport, digest) => {
        const before = { gas, registry: registry! };
        gas = bump(gas, lamport, digest, u64Bytes(10n ** 15n - lamport));
        registry = bump(registry!, lamport, digest);
        return [
          { before: before.gas, after: gas },
          { before: before.registry, after: registry },
        ];
      });
    },
  };

  function registryEvent(name: string, contents: Uint8Array): EventInput {
    return { packageId, module: "registry", sender: operator, type: `${packageId}::registry::${name}`, contents };
  }
}
