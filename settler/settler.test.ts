import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestCommon } from "../common/context.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../schema/testing.ts";
import { createApi } from "../api/app.ts";
import { getJson } from "../api/testing.ts";
import type { ObjectProof, Settlement } from "../api/routes/settlements.ts";
import { checkGroth16 } from "./groth16/verifier.ts";
import { createBatchRepository, type BatchRecord } from "./pipeline/batches.ts";
import { configureSettlement } from "./pipeline/configure.ts";
import { createPlanner } from "./pipeline/planner.ts";
import { batchStatement } from "./pipeline/record-proof.ts";
import { readSettings } from "./pipeline/settings.ts";
import { confirmElsewhere } from "./poster/transitions.ts";
import { ensureDevSetup } from "./prover/dev-setup.ts";
import { createQueueProver, startQueueWorker, type QueueWorker } from "./prover/queue-prover.ts";
import type { SetupArtifacts } from "./prover/setup-artifacts.ts";
import { createThreadProver } from "./prover/thread-prover.ts";
import type { BatchProver } from "./prover/types.ts";
import { createSettler } from "./settler.ts";
import { openPgTreeStore } from "./store/pg-tree-store.ts";
import { ChainBuilder, indexStream, addr } from "./testing/chain-builder.ts";
import { encodeCursor } from "./tree/cursor.ts";
import { encodePublicInputs } from "./groth16/sui-format.ts";
import { toHex } from "./groth16/bytes.ts";
import { fromBase58 } from "@mysten/sui/utils";
import { createIndexedMerkleTree, IndexedMerkleTree } from "./tree/indexed-merkle-tree.ts";
import { objectKey, objectValue } from "./tree/object-encoding.ts";
import { loadPoseidon, type Poseidon } from "./tree/poseidon.ts";
import { verifyAbsenceProof, verifyPresenceProof } from "./tree/proof.ts";

// The smallest circuit that fits: depth 2 (three objects besides the sentinel), B = 1.
const DEPTH = 2;
const B = 1;
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let artifacts: SetupArtifacts;
let poseidon: Poseidon;
beforeAll(async () => {
  poseidon = await loadPoseidon();
  artifacts = await ensureDevSetup({ depth: DEPTH, batchSize: B });
}, 900_000);

/**
 * Four checkpoints, one batch each (maxSpan 1): obj1 and obj2 created, obj1 changed, obj2
 * deleted; with the (object, value) each batch sets.
 */
function fourBatches(chain: ChainBuilder, poseidon: Poseidon) {
  const cps: ReturnType<ChainBuilder["checkpoint"]>[] = [];
  const ops: [number, bigint][] = [];
  const step = (n: number, kind?: "deleted") => {
    cps.push(chain.checkpoint([[{ object: n, ...(kind ? { kind } : {}) }]]));
    const state = chain.stateOf(n);
    ops.push([n, state ? objectValue(poseidon, state) : 0n]);
  };
  step(1);
  step(2);
  step(1);
  step(2, "deleted");
  return { cps, ops };
}

async function configure(database: TestDatabase, start: bigint): Promise<void> {
  await configureSettlement(database, { tracking: { kind: "all" }, depth: DEPTH, batchSize: B, maxSpan: 1n, startCursor: encodeCursor(start, 0n) });
}

function expectVerifies(batch: BatchRecord): void {
  expect(batch.state).toBe("proved");
  expect(toHex(batch.publicInputs!)).toBe(toHex(encodePublicInputs(batchStatement(batch))));
  expect(checkGroth16({ vk: artifacts.vk, publicInputs: batch.publicInputs!, proof: batch.proof! })).toEqual({ valid: true });
}

describe.each(databaseKinds)("settler on %s", (kind) => {
  let database: TestDatabase;
  let prover: BatchProver | undefined;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await prover?.close();
    prover = undefined;
    await database.destroy();
  });

  it("proves batches in parallel on two worker threads, resumes planned batches after a restart, and serves proofs against the settled root", async () => {
    const chain = new ChainBuilder(700n);
    const { cps, ops } = fourBatches(chain, poseidon);
    await indexStream(database, cps);
    await configure(database, 700n);

    // A settler that planned two batches and died before proving them.
    const settings = (await readSettings(database))!;
    const store = await openPgTreeStore(database, { depth: DEPTH });
    const planner = createPlanner({ database, settings, store, tree: new IndexedMerkleTree(DEPTH, store, poseidon), batches: createBatchRepository(database) });
    expect((await planner.planNext()).kind).toBe("planned");
    expect((await planner.planNext()).kind).toBe("planned");

    prover = createThreadProver({ artifacts, threads: 2 });
    const common = createTestCommon();
    const settler = await createSettler(common, { database, prover, vk: artifacts.vk, poster: null, pollIntervalMs: 50 });
    const summary = await settler.runOnce().finally(() => settler.close());
    expect(summary).toMatchObject({ planned: 2, proved: 4, headBatch: 4n, nextCursor: encodeCursor(704n, 0n) });

    const batches = await createBatchRepository(database).list();
    expect(batches.map((b) => b.batch)).toEqual([1n, 2n, 3n, 4n]);
    batches.forEach(expectVerifies);
    // Batch k+1 starts where batch k ended: same root, same next index, same cursor.
    for (let i = 1; i < batches.length; i++) {
      expect([batches[i]!.oldRoot, batches[i]!.oldNextIndex, batches[i]!.fromCursor]).toEqual([
        batches[i - 1]!.newRoot,
        batches[i - 1]!.newNextIndex,
        batches[i - 1]!.toCursor,
      ]);
    }
    expect(new Set(batches.map((b) => b.prover))).toEqual(new Set(["thread-1", "thread-2"]));
    const metrics = await common.metrics.getSingleMetricAsString("sui_settler_proving_seconds");
    expect(metrics).toMatch(/sui_settler_proving_seconds_count 4/);

    // The API answers against the last CONFIRMED batch, not the proved head.
    const app = createApi({ database, common });
    expect((await getJson(app, `/v1/objects/${addr(1)}/proof`)).status).toBe(404);
    await confirmElsewhere(database, 1n, "test: the registry holds batch 1");
    await confirmElsewhere(database, 2n, "test: the registry holds batch 2");
    await confirmElsewhere(database, 3n, "test: the registry holds batch 3");

    const proofOf = async (n: number) => {
      const response = await getJson<{ checkpoint: string; data: ObjectProof }>(app, `/v1/objects/${addr(n)}/proof`);
      expect(response.status).toBe(200);
      return response.body;
    };
    const one = await proofOf(1);
    expect(one.data).toMatchObject({ present: true, kind: "presence", batch: "3", root: batches[2]!.newRoot.toString() });
    expect(one.data).toMatchObject({ cursor: encodeCursor(703n, 0n).toString(), cursor_checkpoint: "703", cursor_offset: "0" });
    expect(one.checkpoint).toBe("702");
    expect(BigInt(one.data.leaf.value)).toBe(ops[2]![1]);
    // The state the leaf commits to is served with it, and hashes to the leaf's value.
    const state = one.data.object!;
    expect(state).toMatchObject({ version: expect.any(String), owner: { kind: "address" }, type: expect.stringMatching(/::thing::Thing$/) });
    expect(
      objectValue(poseidon, { version: BigInt(state.version), digest: fromBase58(state.digest), owner: { kind: "address", address: state.owner.address! }, type: state.type }),
    ).toBe(ops[2]![1]);
    expect(one.data.registry_id).toBeNull();
    // obj2 is still present at batch 3 (its deletion is batch 4, proved but not confirmed).
    expect((await proofOf(2)).data).toMatchObject({ present: true, kind: "presence" });

    await confirmElsewhere(database, 4n, "test: the registry holds batch 4");
    const two = await proofOf(2);
    const three = await proofOf(3);
    expect(two.data).toMatchObject({ present: false, kind: "zero_value", batch: "4" });
    expect(two.data.object).toBeUndefined();
    expect(three.data).toMatchObject({ present: false, kind: "low_leaf", batch: "4" });

    // Verified as Move will: the library's checks, and an independent recomputation.
    for (const [n, body] of [[1, await proofOf(1)], [2, two], [3, three]] as const) {
      const d = body.data;
      const key = objectKey(poseidon, addr(n));
      expect(BigInt(d.key)).toBe(key);
      const proof = {
        index: BigInt(d.leaf.index),
        leaf: { key: BigInt(d.leaf.key), value: BigInt(d.leaf.value), nextKey: BigInt(d.leaf.next_key), nextIndex: BigInt(d.leaf.next_index) },
        siblings: d.siblings.map(BigInt),
      };
      const check = { root: BigInt(d.root), depth: d.depth, key };
      if (d.kind === "presence") expect(verifyPresenceProof(poseidon, { ...check, proof })).toBe(true);
      else expect(verifyAbsenceProof(poseidon, { ...check, proof: { ...proof, kind: d.kind === "zero_value" ? "zeroValue" : "lowLeaf" } })).toBe(true);
      expect(recomputeRoot(poseidon, proof)).toBe(BigInt(d.root));
      if (d.kind === "low_leaf") expect(proof.leaf.key < key && (proof.leaf.nextKey === 0n || key < proof.leaf.nextKey)).toBe(true);
    }
    // Every root is that of an independent in-memory tree fed the same states, op by op.
    const reference = await createIndexedMerkleTree({ depth: DEPTH, poseidon });
    const roots = ops.map(([n, value]) => {
      reference.apply(objectKey(poseidon, addr(n)), value);
      return reference.root;
    });
    expect(batches.map((b) => b.newRoot)).toEqual(roots);

    const list = await getJson<{ data: Settlement[]; next_cursor: string | null }>(app, "/v1/settlements?limit=3");
    expect(list.body.data.map((s) => [s.batch, s.state])).toEqual([
      ["4", "confirmed"],
      ["3", "confirmed"],
      ["2", "confirmed"],
    ]);
    const next = await getJson<{ data: Settlement[]; next_cursor: string | null }>(app, `/v1/settlements?limit=3&cursor=${list.body.next_cursor}`);
    expect(next.body.data.map((s) => s.batch)).toEqual(["1"]);
    expect(next.body.next_cursor).toBeNull();
  });
});

describe("settler with BullMQ provers", () => {
  let database: TestDatabase;
  const workers: QueueWorker[] = [];
  let prover: BatchProver | undefined;
  const queueName = `settle-test-${randomBytes(6).toString("hex")}`;
  beforeEach(async () => {
    database = await openTestDatabase("postgres");
  });
  afterEach(async () => {
    await prover?.close();
    await Promise.all(workers.splice(0).map((w) => w.close()));
    const queue = new Queue(queueName, { connection: { url: REDIS_URL } });
    await queue.obliterate({ force: true });
    await queue.close();
    await database.destroy();
  });

  it("spreads proofs over two queue workers and records every proof after verifying it", async () => {
    const chain = new ChainBuilder(800n);
    await indexStream(database, fourBatches(chain, poseidon).cps.slice(0, 2));
    await configure(database, 800n);
    const common = createTestCommon();
    const circuit = { depth: DEPTH, batchSize: B };
    workers.push(startQueueWorker(common, { redisUrl: REDIS_URL, queueName, artifacts, circuit, name: "w1" }));
    workers.push(startQueueWorker(common, { redisUrl: REDIS_URL, queueName, artifacts, circuit, name: "w2" }));
    prover = createQueueProver({ redisUrl: REDIS_URL, queueName, circuit, concurrency: 2 });
    const settler = await createSettler(common, { database, prover, vk: artifacts.vk, poster: null, pollIntervalMs: 50 });
    const summary = await settler.runOnce().finally(() => settler.close());
    expect(summary).toMatchObject({ planned: 2, proved: 2 });
    const batches = await createBatchRepository(database).list();
    batches.forEach(expectVerifies);
    expect(new Set(batches.map((b) => b.prover?.split(":")[1]))).toEqual(new Set(["w1", "w2"]));
  });

  it("fails a job for another circuit without retrying it", async () => {
    const common = createTestCommon();
    workers.push(startQueueWorker(common, { redisUrl: REDIS_URL, queueName, artifacts, circuit: { depth: DEPTH, batchSize: B }, name: "w1" }));
    prover = createQueueProver({ redisUrl: REDIS_URL, queueName, circuit: { depth: 3, batchSize: 2 } });
    await expect(prover.prove({ batch: 1n, circuitInput: "{}" })).rejects.toMatchObject({
      retryable: false,
      details: expect.objectContaining({ reason: expect.stringMatching(/this worker proves depth 2 B 1, the job is depth 3 B 2/) }),
    });
  });
});

/** The root from a leaf proof, written out without the library: Poseidon up the path. */
function recomputeRoot(p: Poseidon, proof: { index: bigint; leaf: { key: bigint; value: bigint; nextKey: bigint; nextIndex: bigint }; siblings: bigint[] }): bigint {
  let node = p.hash([proof.leaf.key, proof.leaf.value, proof.leaf.nextKey, proof.leaf.nextIndex]);
  let index = proof.index;
  for (const sibling of proof.siblings) {
    node = index % 2n === 0n ? p.hash([node, sibling]) : p.hash([sibling, node]);
    index /= 2n;
  }
  return node;
}

