// The Sui poster on a real database (PGlite and PostgreSQL) against the gRPC test double,
// with the committed proven vectors as batches: order, stored bytes, recovery after a crash
// at each transition, failed and lost submissions, a rejected proof, a registry that moved,
// dead bytes, a paused registry, an all-no-op batch. No batch is lost, none posted twice.
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { createCommon, type Common } from "../../common/context.ts";
import { isRetryable, NonRetryableError } from "../../common/errors.ts";
import { createSuiGrpcConnection } from "../../indexer/sources/grpc-client.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../schema/testing.ts";
import { createBatchRepository, type BatchRepository, type BatchState } from "../pipeline/batches.ts";
import { insertSettings, readSettings, type SettlementSettings } from "../pipeline/settings.ts";
import { createSuiChainClient, type SuiChainClient } from "../sui/chain-client.ts";
import { startSuiDouble, type SuiDouble } from "../sui/double/server.ts";
import { loadSettlementVectors, type VectorBatch } from "../sui/double/vectors.ts";
import { initRegistry } from "../sui/init-registry.ts";
import { signerFromPrivateKey, type SuiSigner } from "../sui/keys.ts";
import { buildCreateRegistryTransaction, buildSettleTransaction, signTransaction, transactionDigest } from "../sui/transactions.ts";
import { RegistryMovedError, createSuiPoster, type SuiPosterOptions } from "./sui-poster.ts";
import type { Poster } from "./types.ts";

const vectors = loadSettlementVectors();
const V = vectors.batches as [VectorBatch, VectorBatch, VectorBatch, VectorBatch];
const GAS_BUDGET = 100_000_000n;

class SimulatedCrash extends Error {}

interface World {
  database: TestDatabase;
  double: SuiDouble;
  chain: SuiChainClient;
  signer: SuiSigner;
  secret: string;
  batches: BatchRepository;
  settings: SettlementSettings;
  common: Common;
  logs: string[];
  /** Plans vector batch i as batch i + 1 (optionally with another statement). */
  plan(i: number, change?: Partial<VectorBatch>): Promise<void>;
  prove(i: number, proof?: Uint8Array): Promise<void>;
  poster(options?: Partial<SuiPosterOptions>): Poster;
  /** Another settler with the same key settles vector batch i, paying with its own coin. */
  otherSettles(i: number): Promise<void>;
  settleDigests(): string[];
}

function capture(): { common: Common; logs: string[] } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  return { common: createCommon({ logger: pino({ level: "debug" }, sink) }), logs };
}

describe.each(databaseKinds)("Sui poster on %s", (kind) => {
  let world: World;
  const closers: (() => Promise<void> | void)[] = [];

  beforeEach(async () => {
    const database = await openTestDatabase(kind);
    const double = await startSuiDouble();
    const keypair = Ed25519Keypair.generate();
    const secret = keypair.getSecretKey();
    const signer = signerFromPrivateKey(secret, "test");
    double.fund(signer.address, 50_000_000_000n);
    const chain = createSuiChainClient({ connection: createSuiGrpcConnection({ url: double.url }), packageId: double.packageId });
    const { common, logs } = capture();
    closers.push(() => database.destroy(), () => double.close(), () => chain.close());
    await database.transaction((tx) =>
      insertSettings(tx, { tracking: { kind: "all" }, depth: vectors.depth, batchSize: vectors.batchSize, maxSpan: 10n, startCursor: vectors.startCursor }),
    );
    const unbound = (await readSettings(database))!;
    expect(Buffer.from(unbound.trackingJson).toString("hex")).toBe(Buffer.from(vectors.trackingConfig).toString("hex"));
    const init = await initRegistry(common, database, { chain, signer, settings: unbound, vk: vectors.vk, gasBudget: GAS_BUDGET });
    expect(init.outcome).toBe("created");
    const settings = (await readSettings(database))!;
    const batches = createBatchRepository(database);
    world = {
      database,
      double,
      chain,
      signer,
      secret,
      batches,
      settings,
      common,
      logs,
      async plan(i, change = {}) {
        const b = { ...V[i]!, ...change };
        await database.transaction((tx) =>
          batches.insertPlanned(tx, {
            batch: BigInt(i + 1),
            fromCursor: b.fromCursor,
            toCursor: b.toCursor,
            oldRoot: b.oldRoot,
            newRoot: b.newRoot,
            oldNextIndex: b.oldNextIndex,
            newNextIndex: b.newNextIndex,
            commitment: b.batchCommitment,
            changes: b.operations,
            distinctKeys: b.operations,
            inserts: 0,
            updates: b.operations,
            skipped: 0,
            circuitInput: "{}",
          }),
        );
      },
      async prove(i, proof) {
        await batches.markProved(BigInt(i + 1), { proof: proof ?? V[i]!.proof, publicInputs: V[i]!.publicInputs, provingMs: 1, prover: "vectors" });
      },
      poster(options = {}) {
        const poster = createSuiPoster(common, { database, batches, settings }, { chain, signer, gasBudget: GAS_BUDGET, backoff: { baseMs: 1, maxMs: 5 }, ...options });
        return poster;
      },
      async otherSettles(i) {
        const other = createSuiChainClient({ connection: createSuiGrpcConnection({ url: double.url }), packageId: double.packageId });
        try {
          const registry = await other.readRegistry(settings.registryId!);
          const cap = (await other.getObject(registry.settlerCapId))!.ref;
          const coin = double.fund(signer.address, 1_000_000_000n)[0]!;
          const b = V[i]!;
          const built = await buildSettleTransaction({
            packageId: double.packageId,
            registry: { objectId: registry.registryId, initialSharedVersion: registry.initialSharedVersion },
            settlerCap: cap,
            gas: { sender: signer.address, gasCoins: [coin], gasPrice: 1_000n, gasBudget: GAS_BUDGET },
            statement: { newRoot: b.newRoot, newNextIndex: b.newNextIndex, batchCommitment: b.batchCommitment, toCursor: b.toCursor, proof: b.proof },
          });
          const result = await other.execute(await signTransaction(signer, built));
          expect(result.success).toBe(true);
        } finally {
          other.close();
        }
      },
      settleDigests: () => double.executed().filter((e) => e.calls.includes("registry::settle") && e.success).map((e) => e.digest),
    };
  });

  afterEach(async () => {
    // The key never reached a log line, whatever the test did.
    expect(world.logs.join("")).not.toContain(world.secret);
    for (const close of closers.splice(0).reverse()) await close();
  });

  const states = async (): Promise<BatchState[]> => (await world.batches.list()).map((b) => b.state);

  it("settles proved batches in order; stores the signed bytes and digest it sent; each once on chain", async () => {
    for (let i = 0; i < 4; i++) {
      await world.plan(i);
      await world.prove(i);
    }
    const poster = world.poster();
    await poster.recover();
    const outcome = await poster.post();
    expect(outcome).toEqual({ confirmed: [1n, 2n, 3n, 4n], failed: [], inFlight: null });
    const rows = await world.batches.list();
    expect(rows.map((r) => [r.state, r.attempts])).toEqual(rows.map(() => ["confirmed", 1]));
    for (const row of rows) expect(row.txDigest).toBe(transactionDigest(row.txBytes!));
    expect(world.settleDigests()).toEqual(rows.map((r) => r.txDigest));
    const chain = await poster.readChainState();
    expect([chain.batchCount, chain.root, chain.nextCursor]).toEqual([4n, V[3].newRoot, V[3].toCursor]);
    // The last batch holds only no-ops: the root did not move, the cursor did.
    expect(V[3].newRoot).toBe(V[2].newRoot);
    expect(await poster.post()).toEqual({ confirmed: [], failed: [], inFlight: null });
  });

  it("stops at the first batch that is not proved; never posts out of order", async () => {
    for (let i = 0; i < 3; i++) await world.plan(i);
    await world.prove(0);
    await world.prove(2);
    const poster = world.poster();
    expect((await poster.post()).confirmed).toEqual([1n]);
    expect(await states()).toEqual(["confirmed", "planned", "proved"]);
    await world.prove(1);
    expect((await poster.post()).confirmed).toEqual([2n, 3n]);
    expect(world.settleDigests()).toHaveLength(3);
  });

  it("failed submissions are resent with the same bytes; after the last attempt a retryable error, nothing lost", async () => {
    await world.plan(0);
    await world.prove(0);
    world.double.faults.failSubmissions(2);
    expect((await world.poster().post()).confirmed).toEqual([1n]);
    const first = (await world.batches.get(1n))!;
    expect(first.attempts).toBe(3);

    await world.plan(1);
    await world.prove(1);
    world.double.faults.failSubmissions(10);
    const error = await world.poster({ attempts: 3 }).post().catch((e: unknown) => e);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toMatch(/no answer to the submission/);
    const stuck = (await world.batches.get(2n))!;
    expect([stuck.state, stuck.attempts]).toEqual(["posted", 3]);
    expect(stuck.error).toMatch(/UNAVAILABLE/);
    world.double.faults.clear();
    expect((await world.poster().post()).confirmed).toEqual([2n]);
    const done = (await world.batches.get(2n))!;
    expect(done.txDigest).toBe(stuck.txDigest);
    expect(world.settleDigests()).toEqual([first.txDigest, stuck.txDigest]);
  });

  it("a timed-out submission that landed is confirmed by resending the same bytes, not posted twice", async () => {
    await world.plan(0);
    await world.prove(0);
    world.double.faults.loseResponses(1);
    const before = world.double.submissions();
    expect((await world.poster().post()).confirmed).toEqual([1n]);
    const row = (await world.batches.get(1n))!;
    expect(row.attempts).toBe(2);
    expect(world.double.submissions() - before).toBe(2);
    expect(world.settleDigests()).toEqual([row.txDigest]);
  });

  it("a rejected proof fails the batch with the contract's error named; later batches wait", async () => {
    for (let i = 0; i < 3; i++) await world.plan(i);
    await world.prove(0);
    const bad = Uint8Array.from(V[1].proof);
    bad[40]! ^= 0x10;
    await world.prove(1, bad);
    await world.prove(2);
    const outcome = await world.poster().post();
    expect(outcome).toEqual({ confirmed: [1n], failed: [2n], inFlight: null });
    const failed = (await world.database.query<{ state: string; error: string }>(`SELECT state, error FROM settlement_batches WHERE batch = 2`))[0]!;
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/rejected on chain: registry::settle aborted with EInvalidProof/);
    expect(failed.error).toMatch(/The Groth16 proof does not verify/);
    expect((await world.batches.get(3n))!.state).toBe("proved");
    expect((await world.chain.readRegistry(world.settings.registryId!)).batchCount).toBe(1n);
    expect(world.logs.join("")).toMatch(/batch rejected by the registry/);
  });

  it("recovers from a crash after each transition: no batch lost, none posted twice", async () => {
    for (let i = 0; i < 4; i++) {
      await world.plan(i);
      await world.prove(i);
    }
    const crashes: [bigint, BatchState][] = [
      [1n, "signed"],
      [2n, "posted"],
      [3n, "confirmed"],
    ];
    for (const [batch, state] of crashes) {
      const poster = world.poster({
        afterTransition: (b, s) => {
          if (b === batch && s === state) throw new SimulatedCrash(`crash after ${s} ${b}`);
        },
      });
      await poster.recover();
      await expect(poster.post()).rejects.toBeInstanceOf(SimulatedCrash);
    }
    const poster = world.poster();
    await poster.recover();
    await poster.post();
    expect(await states()).toEqual(["confirmed", "confirmed", "confirmed", "confirmed"]);
    const rows = await world.batches.list();
    expect(world.settleDigests()).toEqual(rows.map((r) => r.txDigest));
  });

  it("a crash between submission and its record: recovery reads the registry and confirms", async () => {
    await world.plan(0);
    await world.prove(0);
    // The transaction executes, then the process dies before recording `confirmed`.
    const poster = world.poster({
      afterTransition: (_b, s) => {
        if (s === "confirmed") throw new SimulatedCrash("crash");
      },
    });
    await expect(poster.post()).rejects.toBeInstanceOf(SimulatedCrash);
    await world.database.query(`UPDATE settlement_batches SET state = 'posted' WHERE batch = 1`);
    const restarted = world.poster();
    await restarted.recover();
    expect((await world.batches.get(1n))!.state).toBe("confirmed");
    expect(world.settleDigests()).toHaveLength(1);
  });

  it("the registry moved with this batch's exact statement: recorded confirmed, and said so", async () => {
    await world.plan(0);
    await world.prove(0);
    // Signed, then a crash before submission; meanwhile another settler posts batch 1.
    const crashing = world.poster({
      afterTransition: (_b, s) => {
        if (s === "signed") throw new SimulatedCrash("crash");
      },
    });
    await expect(crashing.post()).rejects.toBeInstanceOf(SimulatedCrash);
    await world.otherSettles(0);
    const poster = world.poster();
    await poster.recover();
    expect((await world.batches.get(1n))!.state).toBe("confirmed");
    expect(world.logs.join("")).toMatch(/another transaction settled exactly this statement/);
    // A proved batch the other settler also posted.
    await world.plan(1);
    await world.prove(1);
    await world.otherSettles(1);
    expect((await poster.post()).confirmed).toEqual([2n]);
    expect(world.settleDigests()).toHaveLength(2);
    await world.plan(2);
    await world.prove(2);
    expect((await poster.post()).confirmed).toEqual([3n]);
  });

  it("the registry moved with another statement: RegistryMovedError, nothing posted over it", async () => {
    await world.plan(0);
    await world.prove(0);
    await world.poster().post();
    // Our batch 2 differs from what the other settler puts on chain as batch 2.
    await world.plan(1, { newRoot: V[1].newRoot + 1n });
    await world.prove(1);
    await world.otherSettles(1);
    const before = world.double.executed().length;
    const error = await world.poster().post().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryMovedError);
    expect((error as Error).message).toMatch(/another settler settled this batch number with a different statement/);
    expect(world.double.executed()).toHaveLength(before);
    expect((await world.batches.get(2n))!.state).toBe("proved");
  });

  it("stored bytes made dead by another use of the gas coin are rebuilt, and the log says so", async () => {
    await world.plan(0);
    await world.prove(0);
    const crashing = world.poster({
      afterTransition: (_b, s) => {
        if (s === "signed") throw new SimulatedCrash("crash");
      },
    });
    await expect(crashing.post()).rejects.toBeInstanceOf(SimulatedCrash);
    const stored = (await world.batches.get(1n))!;
    // Something else spends the same gas coin (here: creating an unrelated registry).
    const coin = (await world.chain.listGasCoins(world.signer.address))[0]!;
    const unrelated = await buildCreateRegistryTransaction({
      packageId: world.double.packageId,
      gas: { sender: world.signer.address, gasCoins: [coin.ref], gasPrice: 1_000n, gasBudget: GAS_BUDGET },
      args: { vk: vectors.vk, depth: 4, startCursor: 0n, maxSpan: 1n, trackingConfig: new Uint8Array() },
    });
    expect((await world.chain.execute(await signTransaction(world.signer, unrelated))).success).toBe(true);
    const poster = world.poster();
    await poster.recover();
    expect((await poster.post()).confirmed).toEqual([1n]);
    const row = (await world.batches.get(1n))!;
    expect(row.txDigest).not.toBe(stored.txDigest);
    expect(world.settleDigests()).toEqual([row.txDigest]);
    expect(world.logs.join("")).toMatch(/stored transaction is dead: rebuilt and re-signed/);
    expect(world.logs.join("")).toContain(stored.txDigest!);
  });

  it("a paused registry stops posting with the cause named; the batch waits", async () => {
    await world.plan(0);
    await world.prove(0);
    const init = await initRegistry(world.common, world.database, { chain: world.chain, signer: world.signer, settings: world.settings, vk: vectors.vk, gasBudget: GAS_BUDGET });
    expect(init.outcome).toBe("existing");
    const admin = async (fn: "pause" | "unpause") => {
      const tx = new Transaction();
      const coin = (await world.chain.listGasCoins(world.signer.address))[0]!.ref;
      tx.setSender(world.signer.address);
      tx.setGasPrice(1_000n);
      tx.setGasBudget(GAS_BUDGET);
      tx.setGasPayment([{ objectId: coin.objectId, version: coin.version.toString(), digest: coin.digest }]);
      const cap = (await world.chain.getObject(init.adminCapId!))!.ref;
      tx.moveCall({
        target: `${world.double.packageId}::registry::${fn}`,
        arguments: [
          tx.sharedObjectRef({ objectId: init.registryId, initialSharedVersion: init.initialSharedVersion.toString(), mutable: true }),
          tx.objectRef({ objectId: cap.objectId, version: cap.version.toString(), digest: cap.digest }),
        ],
      });
      const bytes = await tx.build();
      return world.chain.execute(await signTransaction(world.signer, { bytes, digest: transactionDigest(bytes) }));
    };
    expect((await admin("pause")).success).toBe(true);
    const error = await world.poster().post().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toMatch(/registry is paused/);
    expect((await world.batches.get(1n))!.state).toBe("proved");
    expect((await admin("unpause")).success).toBe(true);
    expect((await world.poster().post()).confirmed).toEqual([1n]);
  });
});
