/**
 * Builds one synthetic checkpoint as a real `.chk` blob: transactions, effects, events and
 * objects serialized with the real BCS schemas, every digest computed as Sui computes it
 * (transaction, effects, events, objects, contents, summary), versions assigned by the
 * lamport rule, changed objects sorted by id, and input/output objects in the order Sui's
 * own conversion lists them.
 */
import type { GasCostSummary, Owner } from "../model.ts";
import { senderSignedData } from "../decode/binpb.ts";
import { ByteWriter } from "../decode/byte-writer.ts";
import { CHK_ENCODING_BCS } from "../decode/chk.ts";
import { suiDigest } from "../decode/digest.ts";
import { CheckpointContents, CheckpointSummary } from "../decode/schema.ts";
import {
  type CallArgInput,
  type CommandInput,
  type EventInput,
  type TransactionDataInput,
  ZERO_DIGEST_BYTES,
  encodeEffectsV2,
  encodeEvents,
  encodeTransactionData,
} from "./encoder.ts";
import type { Rng } from "./rng.ts";
import type { SyntheticShape } from "./shape.ts";
import { type LiveObject, type Pool, type World, ZERO_ADDRESS, contentsWithId, rebateFor, seal, u64Bytes } from "./world.ts";


/** One object's fate in a transaction. */
interface Change {
  before: LiveObject | null;
  after: LiveObject | null;
  created: boolean;
}

interface BuiltTransaction {
  transactionBcs: Uint8Array;
  effectsBcs: Uint8Array;
  eventsBcs: Uint8Array | null;
  inputs: Uint8Array[];
  outputs: Uint8Array[];
  digest: Uint8Array;
  effectsDigest: Uint8Array;
  signatures: Uint8Array[];
  gasUsed: GasCostSummary;
}

export interface CheckpointContext {
  sequenceNumber: bigint;
  epoch: bigint;
  previousDigest: Uint8Array | null;
  /** Transactions before this checkpoint. */
  networkTotalTransactions: bigint;
  epochRollingGasCostSummary: GasCostSummary;
  timestampMs: bigint;
  round: bigint;
}

export interface BuiltCheckpoint {
  chk: Uint8Array;
  digest: Uint8Array;
  networkTotalTransactions: bigint;
  epochRollingGasCostSummary: GasCostSummary;
  transactions: number;
}

const SYSTEM_SIGNATURE = new Uint8Array(97);

export class CheckpointBuilder {
  constructor(
    private readonly world: World,
    private readonly rng: Rng,
    private readonly shape: SyntheticShape,
  ) {}

  build(ctx: CheckpointContext): BuiltCheckpoint {
    const count = Math.max(1, this.rng.around(this.shape.transactionsPerCheckpoint));
    const systemCount = Math.min(count, Math.max(1, Math.round(this.shape.systemTransactionsPerCheckpoint)));
    const every = Math.max(1, Math.floor(count / systemCount));
    const transactions: BuiltTransaction[] = [];
    let systemBuilt = 0;
    let round = ctx.round;
    for (let i = 0; i < count; i++) {
      const system = systemBuilt < systemCount && i % every === 0;
      if (system) {
        // Randomness updates come about once every other checkpoint, as on mainnet.
        const randomness = systemBuilt === systemCount - 1 && systemCount > 1 && this.rng.float() < 0.5;
        transactions.push(randomness ? this.#randomness(ctx) : this.#prologue(ctx, round++));
        systemBuilt++;
      } else {
        transactions.push(this.#programmable(ctx));
      }
    }

    const contentsBcs = CheckpointContents.serialize({
      V1: {
        transactions: transactions.map((t) => ({ transaction: t.digest, effects: t.effectsDigest })),
        userSignatures: transactions.map((t) => t.signatures),
      },
    }).toBytes();
    const gas = transactions.reduce(
      (acc, t) => ({
        computationCost: acc.computationCost + t.gasUsed.computationCost,
        storageCost: acc.storageCost + t.gasUsed.storageCost,
        storageRebate: acc.storageRebate + t.gasUsed.storageRebate,
        nonRefundableStorageFee: acc.nonRefundableStorageFee + t.gasUsed.nonRefundableStorageFee,
      }),
      ctx.epochRollingGasCostSummary,
    );
    const networkTotalTransactions = ctx.networkTotalTransactions + BigInt(transactions.length);
    const summaryBcs = CheckpointSummary.serialize({
      epoch: ctx.epoch,
      sequenceNumber: ctx.sequenceNumber,
      networkTotalTransactions,
      contentDigest: suiDigest("CheckpointContents", contentsBcs),
      previousDigest: ctx.previousDigest,
      epochRollingGasCostSummary: gas,
      timestampMs: ctx.timestampMs,
      checkpointCommitments: [],
      endOfEpochData: null,
      // CheckpointVersionSpecificData::V1 { randomness_rounds }
      versionSpecificData: [0, 1, ...u64Bytes(ctx.round)],
    }).toBytes();

    const w = new ByteWriter(1 << 20);
    w.u8(CHK_ENCODING_BCS);
    w.bytes(summaryBcs);
    w.u64(ctx.epoch);
    w.bytes(this.rng.bytes(48));
    w.byteVector(this.#signersBitmap());
    w.bytes(contentsBcs);
    w.uleb(transactions.length);
    for (const t of transactions) {
      w.bytes(t.transactionBcs);
      w.bytes(t.effectsBcs);
      if (t.eventsBcs) {
        w.u8(1);
        w.bytes(t.eventsBcs);
      } else {
        w.u8(0);
      }
      w.uleb(t.inputs.length);
      for (const o of t.inputs) w.bytes(o);
      w.uleb(t.outputs.length);
      for (const o of t.outputs) w.bytes(o);
    }
    return {
      chk: w.finish(),
      digest: suiDigest("CheckpointSummary", summaryBcs),
      networkTotalTransactions,
      epochRollingGasCostSummary: gas,
      transactions: transactions.length,
    };
  }

  /** A serialized roaring bitmap (no run containers) of the signing validators' indexes. */
  #signersBitmap(): Uint8Array {
    const members: number[] = [];
    for (let i = 0; i < 110; i++) if (this.rng.float() < 0.7) members.push(i);
    const w = new ByteWriter(256);
    const u16 = (v: number): void => {
      w.u8(v & 0xff);
      w.u8(v >>> 8);
    };
    const u32 = (v: number): void => {
      u16(v & 0xffff);
      u16(v >>> 16);
    };
    u32(12346); // SERIAL_COOKIE_NO_RUNCONTAINER
    u32(1); // one container
    u16(0); // key
    u16(members.length - 1); // cardinality - 1
    u32(16); // offset of the container
    for (const m of members) u16(m);
    return w.finish();
  }

  #prologue(ctx: CheckpointContext, round: bigint): BuiltTransaction {
    const data: TransactionDataInput = {
      kind: {
        kind: "prologueV4",
        epoch: ctx.epoch,
        round,
        commitTimestampMs: ctx.timestampMs - BigInt(this.rng.int(0, 200)),
        consensusCommitDigest: this.rng.bytes(32),
        additionalStateDigest: this.rng.bytes(32),
      },
      ...SYSTEM_GAS,
    };
    const clock = this.world.clock;
    return this.#finish(data, [SYSTEM_SIGNATURE], [{ before: clock, after: null, created: false }], null, "clock", ctx, true, (lamport, digest) => {
      const after = seal({ ...clock, version: lamport, previousTransaction: digest, contents: contentsWithId(clock.id, u64Bytes(ctx.timestampMs)) });
      this.world.clock = after;
      return [after];
    });
  }

  #randomness(ctx: CheckpointContext): BuiltTransaction {
    const data: TransactionDataInput = {
      kind: { kind: "randomness", epoch: ctx.epoch, round: ctx.round, randomBytes: this.rng.bytes(48), initialSharedVersion: this.world.randomInitialSharedVersion },
      ...SYSTEM_GAS,
    };
    const { random, randomInner } = this.world;
    const changes: Change[] = [
      { before: random, after: null, created: false },
      { before: randomInner, after: null, created: false },
    ];
    return this.#finish(data, [SYSTEM_SIGNATURE], changes, null, "random", ctx, true, (lamport, digest) => {
      this.world.random = seal({ ...random, version: lamport, previousTransaction: digest });
      this.world.randomInner = seal({ ...randomInner, version: lamport, previousTransaction: digest, contents: contentsWithId(randomInner.id, this.rng.bytes(81)) });
      return [this.world.random, this.world.randomInner];
    });
  }

  #programmable(ctx: CheckpointContext): BuiltTransaction {
    const { world, rng, shape } = this;
    const account = world.pickAccount();
    const pools = world.pickPools(Math.max(1, rng.around(shape.sharedObjectsPerTransaction)));
    const failed = rng.float() < 0.03;

    // Which objects this transaction touches.
    const touchedChildren = new Set<LiveObject>();
    const deletedChildren: Array<{ pool: Pool; child: LiveObject }> = [];
    const mergedCoins: LiveObject[] = [];
    if (!failed) {
      for (const pool of pools) {
        // Children created outside the generated range keep the pools populated.
        while (pool.children.length < 8) pool.children.push(world.existingChild(pool));
      }
      for (let i = rng.around(shape.childObjectsPerTransaction); i > 0; i--) {
        touchedChildren.add(rng.pick(rng.pick(pools).children));
      }
      for (let i = rng.around(shape.deletedObjectsPerTransaction); i > 0; i--) {
        if (account.coins.length > 0 && rng.float() < 0.35) {
          mergedCoins.push(account.coins.shift()!);
          continue;
        }
        const pool = rng.pick(pools);
        const candidates = pool.children.filter((c) => !touchedChildren.has(c));
        if (candidates.length <= 2) continue;
        const child = rng.pick(candidates);
        pool.children.splice(pool.children.indexOf(child), 1);
        deletedChildren.push({ pool, child });
      }
    }
    const createCount = failed ? 0 : rng.around(shape.createdObjectsPerTransaction);

    // Inputs and commands of the programmable transaction.
    const inputs: CallArgInput[] = [];
    const commands: CommandInput[] = [];
    const poolInputs = pools.map((p) => {
      inputs.push({ kind: "shared", id: p.object.id, initialSharedVersion: p.initialSharedVersion, mutable: true });
      return inputs.length - 1;
    });
    inputs.push({ kind: "shared", id: world.clock.id, initialSharedVersion: 1n, mutable: false });
    const clockInput = inputs.length - 1;
    inputs.push({ kind: "pure", bytes: u64Bytes(BigInt(rng.int(1, 1_000_000)) * 1000n) });
    commands.push({ kind: "splitCoins", coin: { kind: "gas" }, amounts: [{ kind: "input", index: inputs.length - 1 }] });
    const moveCalls = Math.max(1, rng.around(shape.moveCallsPerTransaction));
    for (let i = 0; i < moveCalls; i++) {
      const pool = rng.pick(pools);
      inputs.push({ kind: "pure", bytes: u64Bytes(BigInt(rng.int(0, 2 ** 31))) });
      commands.push({
        kind: "moveCall",
        ...world.moveCall(),
        typeArguments: pool.coinTypes,
        arguments: [
          { kind: "input", index: poolInputs[pools.indexOf(pool)]! },
          { kind: "input", index: inputs.length - 1 },
          { kind: "input", index: clockInput },
          { kind: "nested", index: 0, result: 0 },
        ],
      });
    }
    if (mergedCoins.length > 0) {
      const sources = mergedCoins.map((coin) => {
        inputs.push({ kind: "owned", ref: { id: coin.id, version: coin.version, digest: coin.digest } });
        return { kind: "input" as const, index: inputs.length - 1 };
      });
      commands.push({ kind: "mergeCoins", destination: { kind: "gas" }, sources });
    }
    inputs.push({ kind: "pure", bytes: Buffer.from(account.address.slice(2), "hex") });
    commands.push({ kind: "transferObjects", objects: [{ kind: "nested", index: 0, result: 0 }], address: { kind: "input", index: inputs.length - 1 } });

    const data: TransactionDataInput = {
      kind: { kind: "programmable", inputs, commands },
      sender: account.address,
      gasPayment: [{ id: account.gas.id, version: account.gas.version, digest: account.gas.digest }],
      gasOwner: account.address,
      gasPrice: 750n + BigInt(rng.int(0, 250)),
      gasBudget: 50_000_000n,
    };
    const signature = new Uint8Array(97);
    signature.set(rng.bytes(64), 1);
    signature.set(Buffer.from(account.address.slice(2), "hex"), 65);

    const changes: Change[] = [
      { before: account.gas, after: null, created: false },
      ...pools.map((p) => ({ before: p.object, after: null, created: false })),
      ...[...touchedChildren].map((c) => ({ before: c, after: null, created: false })),
      ...deletedChildren.map(({ child }) => ({ before: child, after: null, created: false })),
      ...mergedCoins.map((c) => ({ before: c, after: null, created: false })),
    ];
    const events: EventInput[] = [];
    if (!failed) {
      for (let i = rng.around(shape.eventsPerTransaction); i > 0; i--) {
        const call = world.moveCall();
        events.push({
          packageId: call.package,
          module: call.module,
          sender: account.address,
          type: world.eventType(call.package),
          contents: rng.bytes(Math.max(8, rng.around(shape.eventContentBytes * (0.5 + rng.float())))),
        });
      }
    }
    const eventsBcs = events.length > 0 ? encodeEvents(events) : null;

    return this.#finish(data, [signature], changes, eventsBcs, "user", ctx, !failed, (lamport, digest) => {
      const written: LiveObject[] = [];
      const bump = (object: LiveObject, contents = object.contents, owner: Owner = object.owner): LiveObject =>
        seal({ ...object, version: lamport, previousTransaction: digest, contents, owner, storageRebate: rebateFor(contents) });
      const tweak = (object: LiveObject): Uint8Array => {
        if (failed) return object.contents;
        const contents = object.contents.slice();
        for (let k = 0; k < 4; k++) contents[32 + rng.int(0, contents.length - 33)] = rng.int(0, 255);
        return contents;
      };
      // Gas coin: its balance pays for the transaction (and received the merged coins).
      const balance = new DataView(account.gas.contents.buffer, account.gas.contents.byteOffset).getBigUint64(32, true);
      const merged = mergedCoins.reduce((sum, c) => sum + new DataView(c.contents.buffer, c.contents.byteOffset).getBigUint64(32, true), 0n);
      const paid = BigInt(rng.int(1_000_000, 5_000_000));
      const next = balance + merged > paid ? balance + merged - paid : 10n ** 15n;
      account.gas = bump(account.gas, contentsWithId(account.gas.id, u64Bytes(next)));
      written.push(account.gas);
      for (const pool of pools) {
        pool.object = bump(pool.object, tweak(pool.object));
        written.push(pool.object);
      }
      for (const child of touchedChildren) {
        const pool = pools.find((p) => p.children.includes(child))!;
        const after = bump(child, tweak(child));
        pool.children[pool.children.indexOf(child)] = after;
        written.push(after);
      }
      for (let i = 0; i < createCount; i++) {
        const id = rng.address();
        if (rng.float() < 0.4) {
          const coinType = rng.pick(pools[0]!.coinTypes);
          const contents = contentsWithId(id, u64Bytes(BigInt(rng.int(1, 2 ** 31)) * 1000n));
          const coin = seal({
            id,
            version: lamport,
            owner: { kind: "address", address: account.address },
            type: { Coin: coinType },
            hasPublicTransfer: true,
            contents,
            previousTransaction: digest,
            storageRebate: rebateFor(contents),
          });
          account.coins.push(coin);
          written.push(coin);
        } else {
          const pool = rng.pick(pools);
          const contents = contentsWithId(id, rng.bytes(world.contentSize(0.6)));
          const child = seal({
            id,
            version: lamport,
            owner: { kind: "object", address: pool.object.id },
            type: { Other: world.childType(pool) },
            hasPublicTransfer: false,
            contents,
            previousTransaction: digest,
            storageRebate: rebateFor(contents),
          });
          pool.children.push(child);
          written.push(child);
        }
      }
      return written;
    });
  }

  /**
   * Serializes the transaction, assigns the lamport version, lets `write` produce the new
   * object states, and serializes effects with every digest in place.
   */
  #finish(
    data: TransactionDataInput,
    signatures: Uint8Array[],
    changes: Change[],
    eventsBcs: Uint8Array | null,
    kind: "clock" | "random" | "user",
    ctx: CheckpointContext,
    success: boolean,
    write: (lamport: bigint, digest: Uint8Array) => LiveObject[],
  ): BuiltTransaction {
    const dataBcs = encodeTransactionData(data);
    const digest = suiDigest("TransactionData", dataBcs);
    const lamport = changes.reduce((max, c) => (c.before!.version > max ? c.before!.version : max), 0n) + 1n;
    const written = write(lamport, digest);
    const byId = new Map(changes.map((c) => [c.before!.id, c]));
    for (const object of written) {
      const change = byId.get(object.id);
      if (change) change.after = object;
      else byId.set(object.id, { before: null, after: object, created: true });
    }
    const sorted = [...byId.values()].sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1));
    const user = kind === "user";
    const gasId = user ? written[0]!.id : null;
    const inputRebate = sorted.reduce((sum, c) => sum + (c.before?.storageRebate ?? 0n), 0n);
    const outputCost = sorted.reduce((sum, c) => sum + (c.after?.storageRebate ?? 0n), 0n);
    const gasUsed: GasCostSummary = user
      ? {
          computationCost: BigInt(this.rng.int(500, 5000)) * 1000n,
          storageCost: (outputCost * 100n) / 99n,
          storageRebate: (inputRebate * 99n) / 100n,
          nonRefundableStorageFee: inputRebate / 100n,
        }
      : { computationCost: 0n, storageCost: 0n, storageRebate: 0n, nonRefundableStorageFee: 0n };
    const effectsBcs = encodeEffectsV2({
      failure: success ? null : { package: this.world.packages[0]!, module: "pool", function: 3, instruction: 17, functionName: "swap", code: 2n, command: 1n },
      epoch: ctx.epoch,
      gasUsed,
      transactionDigest: digest,
      gasObjectIndex: gasId === null ? null : sorted.findIndex((c) => idOf(c) === gasId),
      eventsDigest: eventsBcs ? suiDigest("TransactionEvents", eventsBcs) : null,
      dependencies: this.world.recentDigests.slice(-2),
      lamportVersion: lamport,
      changedObjects: sorted.map((c) => ({
        id: idOf(c),
        before: c.before && { version: c.before.version, digest: c.before.digest, owner: c.before.owner },
        after: c.after && { digest: c.after.digest, owner: c.after.owner },
        idOperation: c.created ? "created" : c.after ? "none" : "deleted",
      })),
      readOnly: user ? [{ id: this.world.clock.id, version: this.world.clock.version, digest: this.world.clock.digest }] : [],
    });
    this.world.remember(digest);
    // Input objects: every object that existed before, in changed-object order. Output
    // objects: mutated, then created, each in changed-object order (Sui's all_changed_objects).
    const inputs = sorted.filter((c) => c.before).map((c) => c.before!.bcs);
    const outputs = [...sorted.filter((c) => c.before && c.after), ...sorted.filter((c) => !c.before && c.after)].map((c) => c.after!.bcs);
    return {
      transactionBcs: senderSignedData(dataBcs, signatures),
      effectsBcs,
      eventsBcs,
      inputs,
      outputs,
      digest,
      effectsDigest: suiDigest("TransactionEffects", effectsBcs),
      signatures,
      gasUsed,
    };
  }
}

function idOf(change: Change): string {
  return (change.before ?? change.after)!.id;
}

/** The gas data Sui gives system transactions: a zero payment reference, price 1, budget 0. */
const SYSTEM_GAS: Omit<TransactionDataInput, "kind"> = {
  sender: ZERO_ADDRESS,
  gasPayment: [{ id: ZERO_ADDRESS, version: 0n, digest: ZERO_DIGEST_BYTES }],
  gasOwner: ZERO_ADDRESS,
  gasPrice: 1n,
  gasBudget: 0n,
};
