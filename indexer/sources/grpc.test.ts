/**
 * The gRPC source against a real local gRPC server (grpc-test-server.ts: grpc-js, real
 * sui.rpc.v2 messages on the wire), indexing synthetic contiguous checkpoints and the real
 * fixtures into PGlite and Postgres. Under every fault the final tables must equal those of
 * a clean run from the same checkpoints as files: nothing lost, nothing duplicated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { GrpcTypes } from "@mysten/sui/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCommon, type Common } from "../../common/context.ts";
import { BaseError, NonRetryableError, RetryableError } from "../../common/errors.ts";
import { databaseKinds, openTestDatabase } from "../../schema/testing.ts";
import type { DatabaseKind } from "../../schema/db.ts";
import { sleep } from "../ingest/backoff.ts";
import { listPlan, type CheckpointPlan } from "../ingest/checkpoint-plan.ts";
import { createIndexer } from "../ingest/indexer.ts";
import { dumpTables, fixtureSets } from "../ingest/test-helpers.ts";
import { generateCheckpoints } from "../synthetic/generate.ts";
import { createArchiveFallbackSource } from "./archive-fallback.ts";
import { createSuiGrpcConnection } from "./grpc-client.ts";
import { createCheckpointSubscription } from "./grpc-subscription.ts";
import { checkpointMessages, folderCheckpoints, startTestFullNode, type TestFullNode } from "./grpc-test-server.ts";
import { CHECKPOINT_READ_MASK, createGrpcSource, PrunedCheckpointError, type GrpcSourceOptions } from "./grpc.ts";
import { localFolderSource, remoteStoreSource, type CheckpointSource } from "./index.ts";
import { meteredSource } from "./metered.ts";
import { startTestStoreServer } from "./store-test-server.ts";

const FIRST = 5_000n;
const COUNT = 30;
const LAST = FIRST + BigInt(COUNT) - 1n;
const QUICK = { baseMs: 2, maxMs: 30 };

let dir: string;
let synthetic: Map<bigint, GrpcTypes.Checkpoint>;
let fixtures: Map<bigint, GrpcTypes.Checkpoint>;
const sets = fixtureSets();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "szi-grpc-"));
  await generateCheckpoints({ dir, first: FIRST, count: COUNT, format: "binpb.zst", seed: 11, shape: { transactionsPerCheckpoint: 5, systemTransactionsPerCheckpoint: 2 } });
  synthetic = checkpointMessages(await folderCheckpoints(dir, Array.from({ length: COUNT }, (_, i) => FIRST + BigInt(i))));
  fixtures = checkpointMessages(await folderCheckpoints(sets.dir, sets.mainnet));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Counter values by label, from the registry's own JSON. */
async function counter(common: Common, name: string): Promise<Record<string, number>> {
  const metric = (await common.metrics.getMetricsAsJSON()).find((m) => m.name === name);
  const out: Record<string, number> = {};
  for (const value of (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>) {
    out[Object.values(value.labels).join(",")] = value.value;
  }
  return out;
}

interface Run {
  tables: Record<string, string[]>;
  common: Common;
}

/** Indexes [FIRST, LAST] (or `plan`) from `source` into a fresh database; returns the tables. */
async function indexInto(kind: DatabaseKind, makeSource: (common: Common) => CheckpointSource, options: { plan?: CheckpointPlan; last?: bigint; first?: bigint } = {}): Promise<Run> {
  const database = await openTestDatabase(kind);
  const common = createTestCommon();
  const source = meteredSource(common, makeSource(common));
  try {
    const result = await createIndexer(common, {
      database,
      source,
      plan: options.plan,
      firstCheckpoint: options.first ?? FIRST,
      lastCheckpoint: options.last ?? LAST,
      pollIntervalMs: 10,
      backoff: QUICK,
      batchMaxCheckpoints: 8,
    }).run();
    expect(result.stoppedBy).toBe("completed");
    return { tables: await dumpTables(database), common };
  } finally {
    await source.close?.();
    await common.shutdown.stop();
    await database.destroy();
  }
}

const grpcOptions = (node: TestFullNode, extra: Partial<GrpcSourceOptions> = {}): GrpcSourceOptions => ({
  endpoint: { url: node.url },
  tipWaitMs: 200,
  backoff: QUICK,
  serviceInfoMaxAgeMs: 50,
  ...extra,
});

/**
 * Moves the node's tip from where it is to LAST in small steps, waiting for a subscriber
 * before each step so that the stream does carry checkpoints. Pacing only: what is
 * asserted never depends on it.
 */
async function drive(node: TestFullNode, { step = 2n, skip = false, before }: { step?: bigint; skip?: boolean; before?: (tip: bigint) => Promise<void> | void } = {}): Promise<void> {
  while (node.tip < LAST) {
    await before?.(node.tip);
    await node.waitForSubscribers(1);
    node.advanceTip(node.tip + step > LAST ? LAST : node.tip + step, { skip });
    await sleep(5);
  }
}

interface Scenario {
  name: string;
  /** Tip when indexing starts (default FIRST + 5). */
  tip?: bigint;
  lowestAvailable?: bigint;
  subscriptions?: boolean;
  setup?(node: TestFullNode): void;
  drive?(node: TestFullNode): Promise<void>;
  /** Extra checks on the counters and the node's request log. */
  check?(run: Run, node: TestFullNode): Promise<void>;
  archive?: boolean;
}

const scenarios: Scenario[] = [
  {
    name: "clean: ledger to catch up, subscription at the tip",
    check: async (run, node) => {
      const origins = await counter(run.common, "sui_zk_indexer_source_checkpoints_total");
      expect(origins.subscription).toBeGreaterThan(0);
      expect(origins.ledger).toBeGreaterThan(0);
      expect(node.log.filter((e) => e.method === "GetCheckpoint" && e.outcome === "OK").length).toBe(origins.ledger);
    },
  },
  {
    name: "UNAVAILABLE for a while, on every service",
    setup: (node) => {
      node.faults.fail("GetCheckpoint", status.UNAVAILABLE, 12);
      node.faults.fail("SubscribeCheckpoints", status.UNAVAILABLE, 2);
      node.faults.fail("GetServiceInfo", status.UNAVAILABLE, 2);
    },
    check: async (run, node) => {
      const unavailable = (method: string) => node.log.filter((e) => e.method === method && e.outcome === "UNAVAILABLE").length;
      expect(unavailable("GetCheckpoint")).toBe(12);
      expect(unavailable("SubscribeCheckpoints")).toBe(2);
      expect((await counter(run.common, "sui_zk_indexer_source_retries_total")).unavailable).toBeGreaterThanOrEqual(12);
      expect((await counter(run.common, "sui_zk_indexer_subscription_reconnects_total")).unavailable).toBe(2);
    },
  },
  {
    name: "RESOURCE_EXHAUSTED (rate limited) for a while",
    setup: (node) => node.faults.fail("GetCheckpoint", status.RESOURCE_EXHAUSTED, 15),
    check: async (run) => {
      expect((await counter(run.common, "sui_zk_indexer_source_retries_total")).resource_exhausted).toBe(15);
    },
  },
  {
    name: "DEADLINE_EXCEEDED and slow, reordered answers",
    setup: (node) => {
      node.faults.fail("GetCheckpoint", status.DEADLINE_EXCEEDED, 4);
      // Later checkpoints answer sooner: completions arrive out of order.
      node.faults.delayMs = (seq) => Number((LAST - seq) % 7n) * 4;
    },
    check: async (run) => {
      expect((await counter(run.common, "sui_zk_indexer_source_retries_total")).deadline_exceeded).toBe(4);
    },
  },
  {
    name: "streams reset mid-way (RST_STREAM) on unary calls and the subscription",
    setup: (node) => {
      node.faults.resetCalls(6);
      node.faults.resetStreamAfterFrames = 3;
    },
    check: async (run, node) => {
      expect(node.log.filter((e) => e.outcome === "RST_STREAM").length).toBe(6);
      expect((await counter(run.common, "sui_zk_indexer_source_retries_total")).stream_reset).toBe(6);
      expect((await counter(run.common, "sui_zk_indexer_subscription_reconnects_total")).stream_reset).toBeGreaterThan(0);
      expect(node.log.filter((e) => e.method === "SubscribeCheckpoints").length).toBeGreaterThan(2);
    },
  },
  {
    name: "the node restarts, dropping every connection, and moves on while nobody listens",
    drive: async (node) => {
      let restarted = 0;
      await drive(node, {
        step: 3n,
        before: async (tip) => {
          if (restarted < 2 && tip >= FIRST + 12n + BigInt(restarted) * 12n) {
            restarted++;
            await node.restart();
            // Checkpoints made while no subscriber is connected: only the ledger has them.
            node.advanceTip(node.tip + 4n);
          }
        },
      });
    },
    check: async (run, node) => {
      expect(node.log.filter((e) => e.method === "SubscribeCheckpoints").length).toBeGreaterThanOrEqual(3);
    },
  },
  {
    name: "skip ahead: the subscription starts far past the watermark and skips at the tip",
    tip: FIRST + 18n,
    drive: (node) => drive(node, { step: 4n, skip: true }),
    check: async (run) => {
      const origins = await counter(run.common, "sui_zk_indexer_source_checkpoints_total");
      expect(origins.subscription).toBeGreaterThan(0);
      // The 19 before the stream started, and the 8 it skipped (19-21, 23-25, 27-28).
      expect(origins.ledger).toBeGreaterThanOrEqual(27);
    },
  },
  {
    name: "a node without the subscription service: the tip is polled",
    subscriptions: false,
    drive: async (node) => {
      while (node.tip < LAST) {
        node.advanceTip(node.tip + 3n > LAST ? LAST : node.tip + 3n);
        await sleep(5);
      }
    },
    check: async (run) => {
      expect((await counter(run.common, "sui_zk_indexer_source_checkpoints_total")).subscription).toBeUndefined();
    },
  },
  {
    name: "pruned history: below the node's lowest checkpoint, the remote store",
    lowestAvailable: FIRST + 15n,
    archive: true,
    check: async (run, node) => {
      expect(node.log.filter((e) => e.method === "GetCheckpoint" && e.sequenceNumber! < FIRST + 15n)).toEqual([]);
      expect((await counter(run.common, "sui_zk_indexer_source_checkpoints_total")).archive).toBe(15);
    },
  },
];

describe.each(databaseKinds)("gRPC source on %s: every fault ends with the tables of a clean run", (kind) => {
  let reference: Record<string, string[]>;
  beforeAll(async () => {
    reference = (await indexInto(kind, () => localFolderSource(dir))).tables;
    expect(reference.checkpoints).toHaveLength(COUNT);
    expect(reference.transactions!.length).toBeGreaterThan(COUNT);
  });

  it.each(scenarios)("$name", async (scenario) => {
    const node = await startTestFullNode({
      checkpoints: synthetic,
      tip: scenario.tip ?? FIRST + 5n,
      lowestAvailable: scenario.lowestAvailable ?? FIRST,
      subscriptions: scenario.subscriptions,
    });
    const store = scenario.archive ? await startTestStoreServer(dir) : null;
    try {
      scenario.setup?.(node);
      const driving = (scenario.drive ?? ((n: TestFullNode) => drive(n)))(node);
      const run = await indexInto(kind, (common) => {
        const grpc = createGrpcSource(common, grpcOptions(node));
        return store ? createArchiveFallbackSource(common, { node: grpc, archive: remoteStoreSource(store.url) }) : grpc;
      });
      await driving;
      expect(run.tables).toEqual(reference);
      // Each checkpoint was fetched exactly once, from one place or another.
      const origins = await counter(run.common, "sui_zk_indexer_source_checkpoints_total");
      expect(Object.values(origins).reduce((a, b) => a + b, 0)).toBe(COUNT);
      await scenario.check?.(run, node);
      if (store) expect(store.requests.length).toBe(15);
    } finally {
      await node.close();
      await store?.close();
    }
  });

  it("indexes the real fixture checkpoints over gRPC exactly as from their files", async () => {
    const plan = listPlan(sets.mainnet);
    const last = sets.mainnet.at(-1)!;
    const first = sets.mainnet[0]!;
    const fromFiles = await indexInto(kind, () => localFolderSource(sets.dir), { plan, first, last });
    const node = await startTestFullNode({ checkpoints: fixtures, tip: last });
    try {
      const overGrpc = await indexInto(kind, (common) => createGrpcSource(common, grpcOptions(node)), { plan, first, last });
      expect(overGrpc.tables).toEqual(fromFiles.tables);
      expect(overGrpc.tables.checkpoints).toHaveLength(sets.mainnet.length);
    } finally {
      await node.close();
    }
  });
});

describe("gRPC source behaviour", () => {
  let node: TestFullNode;
  let common: Common;
  beforeAll(async () => {
    node = await startTestFullNode({ checkpoints: synthetic, tip: FIRST + 9n, lowestAvailable: FIRST + 2n });
  });
  afterAll(() => node.close());

  const failure = async (promise: Promise<unknown>): Promise<BaseError> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof BaseError) return error;
      throw error;
    }
    throw new Error("expected a failure");
  };

  const withSource = async <T>(fn: (source: ReturnType<typeof createGrpcSource>) => Promise<T>, extra: Partial<GrpcSourceOptions> = {}): Promise<T> => {
    common = createTestCommon();
    const source = createGrpcSource(common, grpcOptions(node, { subscribe: false, ...extra }));
    try {
      return await fn(source);
    } finally {
      await source.close();
    }
  };

  it("asks for exactly the read mask the decoder needs, on the ledger and on the subscription", async () => {
    node.log.length = 0;
    await withSource(async (source) => {
      expect((await source.fetch(FIRST + 3n)).kind).toBe("found");
      await node.waitForSubscribers(1);
    }, { subscribe: true });
    const asked = node.log.filter((e) => e.method !== "GetServiceInfo");
    expect(asked.length).toBeGreaterThanOrEqual(1);
    for (const entry of asked) expect(entry.paths).toEqual([...CHECKPOINT_READ_MASK]);
    expect(asked.map((e) => e.method)).toContain("GetCheckpoint");
  });

  it("the server honours read masks: without the object set the checkpoint lacks its objects", async () => {
    const connection = createSuiGrpcConnection({ url: node.url });
    try {
      const paths = CHECKPOINT_READ_MASK.filter((p) => !p.startsWith("objects"));
      const { checkpoint } = await connection.client.ledgerService.getCheckpoint({ checkpointId: { oneofKind: "sequenceNumber", sequenceNumber: FIRST + 3n }, readMask: { paths } }).response;
      expect(checkpoint?.objects).toBeUndefined();
      expect(checkpoint?.summary?.bcs?.value?.length).toBeGreaterThan(0);
      expect(synthetic.get(FIRST + 3n)!.objects!.objects.length).toBeGreaterThan(0);
    } finally {
      connection.close();
    }
  });

  it("answers notFound past the tip, and finds the checkpoint once the tip passes it", async () => {
    await withSource(async (source) => {
      expect((await source.fetch(FIRST + 12n)).kind).toBe("notFound");
      node.advanceTip(FIRST + 12n);
      const result = await source.fetch(FIRST + 12n);
      expect(result.kind === "found" && result.checkpoint.sequenceNumber).toBe(FIRST + 12n);
    });
  });

  it("reports the chain id, the lowest available checkpoint and the tip; GetServiceInfo failures are retryable", async () => {
    await withSource(async (source) => {
      expect(await source.latest()).toBeNull();
      node.faults.fail("GetServiceInfo", status.UNAVAILABLE, 1);
      expect((await failure(source.serviceInfo())).details.reason).toBe("unavailable");
      const info = await source.serviceInfo();
      expect(info).toMatchObject({ chainId: "4btiuiMPvEENsttpZC7CZ53DruC3MAgfznDbASZ7DR6S", lowestAvailableCheckpoint: FIRST + 2n, checkpointHeight: node.tip });
      expect(await source.latest()).toBe(node.tip);
    });
  });

  it("maps statuses: transient ones are retryable with a reason, others name the checkpoint", async () => {
    await withSource(async (source) => {
      for (const [code, reason] of [
        [status.UNAVAILABLE, "unavailable"],
        [status.RESOURCE_EXHAUSTED, "resource_exhausted"],
        [status.DEADLINE_EXCEEDED, "deadline_exceeded"],
      ] as const) {
        node.faults.fail("GetCheckpoint", code, 1);
        const error = await failure(source.fetch(FIRST + 4n));
        expect(error).toBeInstanceOf(RetryableError);
        expect(error.details).toMatchObject({ reason, checkpoint: FIRST + 4n });
      }
      node.faults.resetCalls(1);
      expect((await failure(source.fetch(FIRST + 4n))).details.reason).toBe("stream_reset");
      for (const code of [status.PERMISSION_DENIED, status.INVALID_ARGUMENT, status.INTERNAL, status.DATA_LOSS]) {
        node.faults.fail("GetCheckpoint", code, 1);
        const error = await failure(source.fetch(FIRST + 4n));
        expect(error).toBeInstanceOf(NonRetryableError);
        expect(error.details).toMatchObject({ checkpoint: FIRST + 4n, code: status[code] });
      }
    });
  });

  it("a pruned checkpoint is an error naming the node's lowest one; with an archive it comes from there", async () => {
    await withSource(async (source) => {
      const error = await failure(source.fetch(FIRST));
      expect(error).toBeInstanceOf(PrunedCheckpointError);
      expect(error.details).toMatchObject({ checkpoint: FIRST, lowestAvailable: FIRST + 2n });
    });
    const store = await startTestStoreServer(dir);
    try {
      await withSource(async (source) => {
        const composite = createArchiveFallbackSource(common, { node: source, archive: remoteStoreSource(store.url) });
        // The cached lowest checkpoint goes stale as the node prunes further.
        expect(await source.lowestAvailable()).toBe(FIRST + 2n);
        node.lowestAvailable = FIRST + 5n;
        const result = await composite.fetch(FIRST + 3n);
        expect(result.kind === "found" && result.location).toBe(`${store.url}/${FIRST + 3n}.binpb.zst`);
        expect(store.requests).toEqual([`${FIRST + 3n}.binpb.zst`]);
        const fromNode = await composite.fetch(FIRST + 6n);
        expect(fromNode.kind === "found" && fromNode.location).toMatch(/^grpc:\/\//);
      }, { serviceInfoMaxAgeMs: 60_000 });
    } finally {
      node.lowestAvailable = FIRST + 2n;
      await store.close();
    }
  });

  it("sends basic-auth and header credentials as metadata", async () => {
    const guarded = await startTestFullNode({
      checkpoints: synthetic,
      tip: FIRST + 3n,
      requiredMetadata: { authorization: `Basic ${Buffer.from("alice:s3cret").toString("base64")}`, "x-api-key": "k-123" },
    });
    try {
      const ok = createGrpcSource(createTestCommon(), { endpoint: { url: guarded.url.replace("//", "//alice:s3cret@"), headers: { "x-api-key": "k-123" } }, subscribe: false });
      expect((await ok.fetch(FIRST + 1n)).kind).toBe("found");
      await ok.close();
      const anonymous = createGrpcSource(createTestCommon(), { endpoint: { url: guarded.url }, subscribe: false });
      const error = await failure(anonymous.fetch(FIRST + 1n));
      expect(error).toBeInstanceOf(NonRetryableError);
      expect(error.details.code).toBe("UNAUTHENTICATED");
      await anonymous.close();
    } finally {
      await guarded.close();
    }
  });

  it("commits everything up to the tip while the next checkpoint is long in coming", async () => {
    const database = await openTestDatabase("postgres");
    const quiet = await startTestFullNode({ checkpoints: synthetic, tip: FIRST + 6n });
    const run = createTestCommon();
    const source = createGrpcSource(run, grpcOptions(quiet));
    let reached: () => void = () => {};
    const atTip = new Promise<void>((resolve) => (reached = resolve));
    const indexing = createIndexer(run, {
      database,
      source,
      firstCheckpoint: FIRST,
      pollIntervalMs: 10,
      backoff: QUICK,
      onCommit: (p) => {
        if (p.stats.watermark.checkpointHiInclusive === FIRST + 6n) reached();
      },
    }).run();
    try {
      // The tip does not move: without committing the waiting batch, this never resolves.
      await atTip;
      await run.shutdown.stop();
      expect((await indexing).lastCommitted).toBe(FIRST + 6n);
    } finally {
      await run.shutdown.stop();
      await indexing.catch(() => {});
      await source.close();
      await quiet.close();
      await database.destroy();
    }
  });

  it("keeps the subscription cache bounded however far the stream runs ahead", async () => {
    const live = await startTestFullNode({ checkpoints: synthetic, tip: FIRST });
    const connection = createSuiGrpcConnection({ url: live.url });
    const streamed: bigint[] = [];
    let reached: () => void = () => {};
    const done = new Promise<void>((resolve) => (reached = resolve));
    const subscription = createCheckpointSubscription({
      connection,
      readMask: CHECKPOINT_READ_MASK,
      logger: createTestCommon().logger,
      maxCheckpoints: 4,
      onStreamed: (seq) => {
        streamed.push(seq);
        if (seq === LAST) reached();
      },
    });
    try {
      subscription.start();
      await live.waitForSubscribers(1);
      live.advanceTip(LAST);
      await done;
      expect(streamed).toHaveLength(COUNT - 1);
      expect(subscription.tip).toBe(LAST);
      const kept = streamed.filter((seq) => subscription.take(seq) !== undefined);
      expect(kept).toEqual([LAST - 3n, LAST - 2n, LAST - 1n, LAST]);
    } finally {
      await subscription.close();
      connection.close();
      await live.close();
    }
  });
});
