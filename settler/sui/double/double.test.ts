// The Sui test double against the committed settlement vectors (the ones move/tests uses):
// every batch settles in order over real gRPC with real signatures and proofs, and every
// rule of registry::settle rejects with the Move error name, as the Move tests expect.
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { blake2b } from "@noble/hashes/blake2.js";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { isRetryable } from "../../../common/errors.ts";
import { createSuiGrpcConnection } from "../../../indexer/sources/grpc-client.ts";
import { verifyGroth16 } from "../../groth16/verifier.ts";
import { loadPoseidon } from "../../tree/poseidon.ts";
import { emptyRoot } from "../../tree/tree-hash.ts";
import { createSuiChainClient, type SuiChainClient } from "../chain-client.ts";
import { StaleInputsError, SubmissionError, TransactionRejectedError } from "../errors.ts";
import type { ExecutionResult } from "../executed.ts";
import { signerFromPrivateKey, type SuiSigner } from "../keys.ts";
import { FIELD_MODULUS, settlePublicInputs } from "../registry-calls.ts";
import {
  buildCreateRegistryTransaction,
  buildSettleTransaction,
  signTransaction,
  type BuiltTransaction,
  type GasEnvelope,
  type ObjectRef,
} from "../transactions.ts";
import { REGISTRY_MOVE_PATH } from "./move-errors.ts";
import { startSuiDouble, type SuiDouble } from "./server.ts";
import { loadSettlementVectors, type SettlementVectors, type VectorBatch } from "./vectors.ts";

const vectors: SettlementVectors = loadSettlementVectors();
const registrySource = readFileSync(REGISTRY_MOVE_PATH, "utf8").split("\n");
const opened: { double: SuiDouble; chain: SuiChainClient }[] = [];

afterEach(async () => {
  for (const { double, chain } of opened.splice(0)) {
    chain.close();
    await double.close();
  }
});

interface Session {
  double: SuiDouble;
  chain: SuiChainClient;
  signer: SuiSigner;
  registryId: string;
  initialSharedVersion: bigint;
  gas(): Promise<GasEnvelope>;
  run(built: BuiltTransaction, signer?: SuiSigner): Promise<ExecutionResult>;
  capRef(): Promise<ObjectRef>;
  settleBuilt(batch: VectorBatch, change?: Partial<VectorBatch>): Promise<BuiltTransaction>;
  settle(batch: VectorBatch, change?: Partial<VectorBatch>): Promise<ExecutionResult>;
}

async function session(options: { maxSpan?: bigint; vk?: Uint8Array } = {}): Promise<Session> {
  const double = await startSuiDouble();
  const signer = signerFromPrivateKey(Ed25519Keypair.generate().getSecretKey(), "test");
  double.fund(signer.address, 100_000_000_000n);
  const chain = createSuiChainClient({ connection: createSuiGrpcConnection({ url: double.url }), packageId: double.packageId });
  opened.push({ double, chain });
  const gas = async (): Promise<GasEnvelope> => ({
    sender: signer.address,
    gasCoins: [(await chain.listGasCoins(signer.address))[0]!.ref],
    gasPrice: 1_000n,
    gasBudget: 100_000_000n,
  });
  const run = async (built: BuiltTransaction, by: SuiSigner = signer) => chain.execute(await signTransaction(by, built));
  const created = await run(
    await buildCreateRegistryTransaction({
      packageId: double.packageId,
      gas: await gas(),
      args: { vk: options.vk ?? vectors.vk, depth: vectors.depth, startCursor: vectors.startCursor, maxSpan: options.maxSpan ?? 10n, trackingConfig: vectors.trackingConfig },
    }),
  );
  expect(created.success).toBe(true);
  const event = created.events.find((e) => e.kind === "RegistryCreated");
  if (event?.kind !== "RegistryCreated") throw new Error("no RegistryCreated event");
  const registryId = event.value.registry_id;
  const registry = await chain.readRegistry(registryId);
  const capRef = async () => (await chain.getObject(registry.settlerCapId))!.ref;
  const settleBuilt = async (b: VectorBatch, change: Partial<VectorBatch> = {}) => {
    const x = { ...b, ...change };
    return buildSettleTransaction({
      packageId: double.packageId,
      registry: { objectId: registryId, initialSharedVersion: registry.initialSharedVersion },
      settlerCap: await capRef(),
      gas: await gas(),
      statement: { newRoot: x.newRoot, newNextIndex: x.newNextIndex, batchCommitment: x.batchCommitment, toCursor: x.toCursor, proof: x.proof },
    });
  };
  return {
    double,
    chain,
    signer,
    registryId,
    initialSharedVersion: registry.initialSharedVersion,
    gas,
    run,
    capRef,
    settleBuilt,
    settle: async (b, change) => run(await settleBuilt(b, change)),
  };
}

/** A settle call with raw u256/u64 values: the typed builders refuse non-canonical ones. */
async function rawSettle(s: Session, values: { newRoot: bigint; newNextIndex: bigint; batchCommitment: bigint; toCursor: bigint; proof: Uint8Array }): Promise<ExecutionResult> {
  const tx = new Transaction();
  const gas = await s.gas();
  tx.setSender(gas.sender);
  tx.setGasPrice(gas.gasPrice);
  tx.setGasBudget(gas.gasBudget);
  tx.setGasPayment(gas.gasCoins.map((c) => ({ objectId: c.objectId, version: c.version.toString(), digest: c.digest })));
  const cap = await s.capRef();
  tx.moveCall({
    target: `${s.double.packageId}::registry::settle`,
    arguments: [
      tx.sharedObjectRef({ objectId: s.registryId, initialSharedVersion: s.initialSharedVersion.toString(), mutable: true }),
      tx.objectRef({ objectId: cap.objectId, version: cap.version.toString(), digest: cap.digest }),
      tx.pure.u256(values.newRoot),
      tx.pure.u64(values.newNextIndex),
      tx.pure.u256(values.batchCommitment),
      tx.pure.u64(values.toCursor),
      tx.pure.vector("u8", Array.from(values.proof)),
    ],
  });
  const bytes = await tx.build();
  return s.run({ bytes, digest: await tx.getDigest() });
}

function expectAbort(result: ExecutionResult, errorName: string): void {
  expect(result.success).toBe(false);
  expect(result.failure?.kind).toBe("MOVE_ABORT");
  expect(result.failure?.abort?.errorName).toBe(errorName);
  expect(result.failure?.abort?.module).toBe("registry");
  expect(result.failure?.message).toContain(errorName);
  // The clever error's line is the Move source line of the assert that raises it.
  const line = result.failure!.abort!.line!;
  expect(registrySource[line - 1]).toMatch(new RegExp(`assert!\\(.*\\b${errorName}\\)`));
}

const [b0, b1, b2, b3] = vectors.batches as [VectorBatch, VectorBatch, VectorBatch, VectorBatch];

describe("committed settlement vectors", () => {
  it("are four consecutive batches from the empty tree, each proof valid under the vk (one of them all no-ops)", async () => {
    const poseidon = await loadPoseidon();
    expect(vectors.batches).toHaveLength(4);
    expect(b0.oldRoot).toBe(emptyRoot(poseidon, vectors.depth));
    expect(b0.oldNextIndex).toBe(1n);
    expect(b0.fromCursor).toBe(vectors.startCursor);
    vectors.batches.forEach((b, i) => {
      expect(Buffer.from(settlePublicInputs(b))).toEqual(Buffer.from(b.publicInputs));
      expect(verifyGroth16({ vk: vectors.vk, publicInputs: b.publicInputs, proof: b.proof })).toBe(true);
      const next = vectors.batches[i + 1];
      if (next) expect([next.oldRoot, next.oldNextIndex, next.fromCursor]).toEqual([b.newRoot, b.newNextIndex, b.toCursor]);
    });
    expect(b3.operations).toBe(0);
    expect(b3.newRoot).toBe(b3.oldRoot);
  });
});

describe("Sui test double: registry::create_registry and registry::settle", () => {
  it("creates the registry as Move does: empty root, next index 1, start cursor, hashes, RegistryCreated", async () => {
    const s = await session();
    const poseidon = await loadPoseidon();
    const r = await s.chain.readRegistry(s.registryId);
    expect(r.root).toBe(emptyRoot(poseidon, vectors.depth));
    expect(r.nextIndex).toBe(1n);
    expect(r.nextCursor).toBe(vectors.startCursor);
    expect(r.batchCount).toBe(0n);
    expect(r.maxSpan).toBe(10n);
    expect(r.depth).toBe(vectors.depth);
    expect(Buffer.from(r.vkHash)).toEqual(Buffer.from(blake2b(vectors.vk, { dkLen: 32 })));
    expect(Buffer.from(r.trackingConfigHash)).toEqual(Buffer.from(blake2b(vectors.trackingConfig, { dkLen: 32 })));
    expect(r.recentRoots).toEqual([{ root: r.root, batch: 0n }]);
    expect(r.paused).toBe(false);
    // The caps went to the sender, as the PTB's TransferObjects says.
    const cap = await s.chain.getObject(r.settlerCapId);
    expect(cap?.ownerAddress).toBe(s.signer.address);
    expect(cap?.type).toBe(`${s.double.packageId}::registry::SettlerCap`);
  });

  it("settles every vector batch in order: state, Settled event, recent roots; a no-op batch only moves the cursor", async () => {
    const s = await session();
    for (const [i, b] of vectors.batches.entries()) {
      const result = await s.settle(b);
      expect(result.success).toBe(true);
      const settled = result.events.find((e) => e.kind === "Settled");
      if (settled?.kind !== "Settled") throw new Error("no Settled event");
      expect(settled.value).toMatchObject({
        registry_id: s.registryId,
        batch: String(i + 1),
        old_root: b.oldRoot.toString(),
        new_root: b.newRoot.toString(),
        old_next_index: b.oldNextIndex.toString(),
        new_next_index: b.newNextIndex.toString(),
        batch_commitment: b.batchCommitment.toString(),
        from_cursor: b.fromCursor.toString(),
        to_cursor: b.toCursor.toString(),
        sender: s.signer.address,
      });
      const r = await s.chain.readRegistry(s.registryId);
      expect([r.root, r.nextIndex, r.nextCursor, r.batchCount]).toEqual([b.newRoot, b.newNextIndex, b.toCursor, BigInt(i + 1)]);
      expect(r.recentRoots.at(-1)).toEqual({ root: b.newRoot, batch: BigInt(i + 1) });
    }
    expect(s.double.executed().map((e) => [e.calls.join(","), e.success])).toEqual([
      ["registry::create_registry", true],
      ...vectors.batches.map(() => ["registry::settle", true]),
    ]);
  });

  it("rejects a replay (ECursorNotAdvancing) and an out-of-order batch (EInvalidProof); the state stays", async () => {
    const s = await session();
    expect((await s.settle(b0)).success).toBe(true);
    expectAbort(await s.settle(b0), "ECursorNotAdvancing");
    expectAbort(await s.settle(b2), "EInvalidProof");
    const r = await s.chain.readRegistry(s.registryId);
    expect([r.root, r.batchCount, r.nextCursor]).toEqual([b0.newRoot, 1n, b0.toCursor]);
    expect((await s.settle(b1)).success).toBe(true);
  });

  it("rejects tampered proofs and statements with EInvalidProof", async () => {
    const s = await session();
    const flipped = Uint8Array.from(b0.proof);
    flipped[5]! ^= 1;
    expectAbort(await s.settle(b0, { proof: flipped }), "EInvalidProof");
    expectAbort(await s.settle(b0, { proof: new Uint8Array(128) }), "EInvalidProof");
    expectAbort(await s.settle(b0, { newRoot: b0.newRoot + 1n }), "EInvalidProof");
    expectAbort(await s.settle(b0, { batchCommitment: b0.batchCommitment + 1n }), "EInvalidProof");
    expectAbort(await s.settle(b0, { toCursor: b0.toCursor + 1n }), "EInvalidProof");
    expectAbort(await s.settle(b0, { newNextIndex: b0.newNextIndex + 1n }), "EInvalidProof");
    expect((await s.settle(b0)).success).toBe(true);
  });

  it("checks cursor, span, canonical values and next index before the proof, in Move's order", async () => {
    const s = await session({ maxSpan: 1n });
    const base = { newRoot: b0.newRoot, newNextIndex: b0.newNextIndex, batchCommitment: b0.batchCommitment, toCursor: b0.toCursor, proof: b0.proof };
    expectAbort(await rawSettle(s, { ...base, toCursor: vectors.startCursor }), "ECursorNotAdvancing");
    expectAbort(await rawSettle(s, { ...base, toCursor: vectors.startCursor + (2n << 32n) }), "ESpanTooLarge");
    expectAbort(await rawSettle(s, { ...base, newRoot: FIELD_MODULUS }), "ENonCanonical");
    expectAbort(await rawSettle(s, { ...base, batchCommitment: FIELD_MODULUS + 5n }), "ENonCanonical");
    expectAbort(await rawSettle(s, { ...base, newNextIndex: 0n }), "ENextIndexRegressed");
    expectAbort(await rawSettle(s, { ...base, newNextIndex: (1n << BigInt(vectors.depth)) + 1n }), "ETreeFull");
    // Order: a span error is reported even when the root is also not canonical.
    expectAbort(await rawSettle(s, { ...base, newRoot: FIELD_MODULUS, toCursor: vectors.startCursor + (3n << 32n) }), "ESpanTooLarge");
    expect((await s.settle(b0)).success).toBe(true);
    // b1 spans two checkpoints: more than max_span 1.
    expectAbort(await s.settle(b1), "ESpanTooLarge");
  });

  it("a paused registry refuses settle (EPaused) until unpaused", async () => {
    const s = await session();
    const created = s.double.executed()[0]!;
    const adminCapId = await adminCapOf(s, created.digest);
    const admin = async (fn: "pause" | "unpause") => {
      const tx = new Transaction();
      const gas = await s.gas();
      tx.setSender(gas.sender);
      tx.setGasPrice(gas.gasPrice);
      tx.setGasBudget(gas.gasBudget);
      tx.setGasPayment(gas.gasCoins.map((c) => ({ objectId: c.objectId, version: c.version.toString(), digest: c.digest })));
      const cap = (await s.chain.getObject(adminCapId!))!.ref;
      tx.moveCall({
        target: `${s.double.packageId}::registry::${fn}`,
        arguments: [
          tx.sharedObjectRef({ objectId: s.registryId, initialSharedVersion: s.initialSharedVersion.toString(), mutable: true }),
          tx.objectRef({ objectId: cap.objectId, version: cap.version.toString(), digest: cap.digest }),
        ],
      });
      return s.run({ bytes: await tx.build(), digest: await tx.getDigest() });
    };
    expect((await admin("pause")).success).toBe(true);
    expect((await s.chain.readRegistry(s.registryId)).paused).toBe(true);
    expectAbort(await s.settle(b0), "EPaused");
    expectAbort(await admin("pause"), "EAlreadyPaused");
    expect((await admin("unpause")).success).toBe(true);
    expect((await s.settle(b0)).success).toBe(true);
  });

  it("a settler cap of another registry is refused (EWrongRegistry)", async () => {
    const s = await session();
    const other = await s.run(
      await buildCreateRegistryTransaction({
        packageId: s.double.packageId,
        gas: await s.gas(),
        args: { vk: vectors.vk, depth: vectors.depth, startCursor: vectors.startCursor, maxSpan: 10n, trackingConfig: vectors.trackingConfig },
      }),
    );
    const otherCreated = other.events.find((e) => e.kind === "RegistryCreated");
    if (otherCreated?.kind !== "RegistryCreated") throw new Error("no event");
    const otherCap = (await s.chain.getObject(otherCreated.value.settler_cap_id))!.ref;
    const built = await buildSettleTransaction({
      packageId: s.double.packageId,
      registry: { objectId: s.registryId, initialSharedVersion: s.initialSharedVersion },
      settlerCap: otherCap,
      gas: await s.gas(),
      statement: { newRoot: b0.newRoot, newNextIndex: b0.newNextIndex, batchCommitment: b0.batchCommitment, toCursor: b0.toCursor, proof: b0.proof },
    });
    expectAbort(await s.run(built), "EWrongRegistry");
  });

  it("create_registry aborts with EInvalidDepth / EInvalidSpan, and in sui::groth16 for a malformed key", async () => {
    const s = await session();
    const create = async (args: { depth?: number; maxSpan?: bigint; vk?: Uint8Array }) =>
      s.run(
        await buildCreateRegistryTransaction({
          packageId: s.double.packageId,
          gas: await s.gas(),
          args: { vk: args.vk ?? vectors.vk, depth: args.depth ?? 4, startCursor: 0n, maxSpan: args.maxSpan ?? 1n, trackingConfig: new Uint8Array() },
        }),
      );
    const depth = await create({ depth: 65 });
    expect(depth.failure?.abort?.errorName).toBe("EInvalidDepth");
    expect((await create({ depth: 0 })).failure?.abort?.errorName).toBe("EInvalidDepth");
    expect((await create({ maxSpan: 0n })).failure?.abort?.errorName).toBe("EInvalidSpan");
    const bad = await create({ vk: vectors.vk.slice(0, 100) });
    expect(bad.failure?.kind).toBe("MOVE_ABORT");
    expect(bad.failure?.abort).toMatchObject({ errorName: null, module: "groth16", abortCode: 0n });
  });
});

/** The AdminCap created with the registry, from the creating transaction's effects. */
async function adminCapOf(s: Session, digest: string): Promise<string> {
  const created = await s.chain.getTransaction(digest);
  const admin = created?.written.find((w) => w.type?.endsWith("::registry::AdminCap"));
  if (!admin) throw new Error("no AdminCap in the creating transaction");
  return admin.ref.objectId;
}

describe("Sui test double: what a node checks before executing", () => {
  it("refuses a signature by anyone but the sender, and a gas price below the reference price", async () => {
    const s = await session();
    const stranger = signerFromPrivateKey(Ed25519Keypair.generate().getSecretKey(), "stranger");
    const built = await s.settleBuilt(b0);
    const error = await s.run(built, stranger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionRejectedError);
    expect((error as Error).message).toMatch(/Invalid user signature/);
    const cheap = await buildSettleTransaction({
      packageId: s.double.packageId,
      registry: { objectId: s.registryId, initialSharedVersion: s.initialSharedVersion },
      settlerCap: await s.capRef(),
      gas: { ...(await s.gas()), gasPrice: 999n },
      statement: { newRoot: b0.newRoot, newNextIndex: b0.newNextIndex, batchCommitment: b0.batchCommitment, toCursor: b0.toCursor, proof: b0.proof },
    });
    await expect(s.run(cheap)).rejects.toThrow(/under reference gas price/);
    expect(s.double.executed()).toHaveLength(1);
  });

  it("an aborted settle still consumes the gas coin and cap versions: bytes built before it are stale", async () => {
    const s = await session();
    const first = await s.settleBuilt(b0, { proof: new Uint8Array(128) });
    const second = await s.settleBuilt(b0);
    const before = (await s.chain.listGasCoins(s.signer.address))[0]!;
    const failed = await s.run(first);
    expect(failed.failure?.abort?.errorName).toBe("EInvalidProof");
    const after = (await s.chain.listGasCoins(s.signer.address))[0]!;
    expect(after.ref.version).toBeGreaterThan(before.ref.version);
    expect(after.balance).toBe(before.balance - failed.gasCharged);
    expect(failed.gasCharged).toBeGreaterThan(0n);
    const stale = await s.run(second).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleInputsError);
    expect((stale as StaleInputsError).objectIds).toContain(before.ref.objectId);
    expect(isRetryable(stale)).toBe(false);
    expect((await s.chain.readRegistry(s.registryId)).batchCount).toBe(0n);
  });

  it("a resubmitted transaction is answered with its recorded effects and runs once", async () => {
    const s = await session();
    const built = await s.settleBuilt(b0);
    const signed = await signTransaction(s.signer, built);
    const first = await s.chain.execute(signed);
    const again = await s.chain.execute(signed);
    expect(again.digest).toBe(first.digest);
    expect(again.success).toBe(true);
    expect(again.written).toEqual(first.written);
    expect(s.double.executed().filter((e) => e.calls.includes("registry::settle"))).toHaveLength(1);
    expect((await s.chain.readRegistry(s.registryId)).batchCount).toBe(1n);
    expect((await s.chain.getTransaction(first.digest))?.success).toBe(true);
    expect(await s.chain.getTransaction("11111111111111111111111111111111")).toBeNull();
  });

  it("the same inputs build the same bytes and digest", async () => {
    const s = await session();
    const a = await s.settleBuilt(b0);
    const b = await s.settleBuilt(b0);
    expect(Buffer.from(a.bytes)).toEqual(Buffer.from(b.bytes));
    expect(a.digest).toBe(b.digest);
  });
});

describe("Sui test double: injected faults", () => {
  it("a failed submission executes nothing and is retryable", async () => {
    const s = await session();
    s.double.faults.failSubmissions(2, "UNAVAILABLE");
    const signed = await signTransaction(s.signer, await s.settleBuilt(b0));
    for (let i = 0; i < 2; i++) {
      const error = await s.chain.execute(signed).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubmissionError);
      expect(isRetryable(error)).toBe(true);
    }
    expect((await s.chain.readRegistry(s.registryId)).batchCount).toBe(0n);
    expect((await s.chain.execute(signed)).success).toBe(true);
  });

  it("a lost answer: the transaction landed, the caller saw a deadline; resending the bytes gives its effects", async () => {
    const s = await session();
    s.double.faults.loseResponses(1);
    const signed = await signTransaction(s.signer, await s.settleBuilt(b0));
    const error = await s.chain.execute(signed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmissionError);
    expect((error as SubmissionError).outcomeUnknown).toBe(true);
    expect((await s.chain.readRegistry(s.registryId)).batchCount).toBe(1n);
    const resent = await s.chain.execute(signed);
    expect(resent.success).toBe(true);
    expect(s.double.executed().filter((e) => e.calls.includes("registry::settle"))).toHaveLength(1);
  });

  it("a hung answer: the client's own deadline fires while the transaction lands", async () => {
    const double = await startSuiDouble();
    const signer = signerFromPrivateKey(Ed25519Keypair.generate().getSecretKey(), "test");
    double.fund(signer.address, 10_000_000_000n);
    const chain = createSuiChainClient({ connection: createSuiGrpcConnection({ url: double.url }), packageId: double.packageId, executeTimeoutMs: 300 });
    opened.push({ double, chain });
    const [coin] = await chain.listGasCoins(signer.address);
    double.faults.loseResponses(1, { hang: true });
    const built = await buildCreateRegistryTransaction({
      packageId: double.packageId,
      gas: { sender: signer.address, gasCoins: [coin!.ref], gasPrice: 1_000n, gasBudget: 100_000_000n },
      args: { vk: vectors.vk, depth: 4, startCursor: 0n, maxSpan: 1n, trackingConfig: new Uint8Array() },
    });
    const error = await chain.execute(await signTransaction(signer, built)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmissionError);
    expect((error as SubmissionError).code).toBe("DEADLINE_EXCEEDED");
    expect(double.executed()).toHaveLength(1);
  });

  it("failed reads are retryable errors naming the method", async () => {
    const s = await session();
    s.double.faults.failReads(1);
    const error = await s.chain.readRegistry(s.registryId).catch((e: unknown) => e);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toMatch(/GetObject/);
    expect((await s.chain.readRegistry(s.registryId)).batchCount).toBe(0n);
  });

  it("the registry moved: another settler's transaction makes our signed bytes stale, and the contract refuses a replay", async () => {
    const s = await session();
    const ours = await signTransaction(s.signer, await s.settleBuilt(b0));
    // Another process holding the same key settles b0 first, paying with another coin.
    const otherCoin = s.double.fund(s.signer.address, 1_000_000_000n)[0]!;
    const foreign = await buildSettleTransaction({
      packageId: s.double.packageId,
      registry: { objectId: s.registryId, initialSharedVersion: s.initialSharedVersion },
      settlerCap: await s.capRef(),
      gas: { ...(await s.gas()), gasCoins: [otherCoin] },
      statement: { newRoot: b0.newRoot, newNextIndex: b0.newNextIndex, batchCommitment: b0.batchCommitment, toCursor: b0.toCursor, proof: b0.proof },
    });
    expect(foreign.digest).not.toBe(ours.digest);
    expect((await s.run(foreign)).success).toBe(true);
    // Ours references the cap at the version the foreign transaction consumed.
    const stale = await s.chain.execute(ours).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleInputsError);
    // Rebuilt against the new versions, the same statement is a replay.
    expectAbort(await s.settle(b0), "ECursorNotAdvancing");
    expect((await s.chain.readRegistry(s.registryId)).batchCount).toBe(1n);
  });
});
