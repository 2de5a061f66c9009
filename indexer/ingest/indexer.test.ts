/**
 * The ingest loop end to end on real checkpoint files, through the real local-folder and
 * remote-store sources, into both databases: resume, first/last checkpoint rules, bad
 * input, missing checkpoints, package filter, retries, polling and shutdown.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCommon } from "../../common/context.ts";
import { BaseError } from "../../common/errors.ts";
import { openDatabase } from "../../schema/db.ts";
import { databaseKinds, openTestDatabase, testPostgresUrl, type TestDatabase } from "../../schema/testing.ts";
import { readWatermarks } from "../commit/watermarks.ts";
import { decodeCheckpointFile } from "../decode/file.ts";
import { pipelineNames } from "../pipelines/index.ts";
import { RemoteStoreSource } from "../sources/index.ts";
import { listPlan } from "./checkpoint-plan.ts";
import { createIndexer } from "./indexer.ts";
import { dumpTables, fixtureSets, runIndexer } from "./test-helpers.ts";

const sets = fixtureSets();
const mainnet = sets.mainnet;
const [A, B, C] = mainnet as [bigint, bigint, bigint];
const DEEPBOOK = "0x2c8d603bc51326b8c13cef9dd07031a408a48dddb541963357661df5d3204809";
const DEEPBOOK_UPGRADE = "0xcaf6ba059d539a97646d47f0b9ddf843e138d215e2a12ca1f4585d386f7aec3a";

const fixtureBytes = (seq: bigint) => readFileSync(join(sets.dir, `${seq}.chk`));

/** A temporary folder holding copies of some fixture files. */
function folderWith(...seqs: bigint[]): string {
  const dir = mkdtempSync(join(tmpdir(), "szi-ingest-"));
  for (const seq of seqs) copyFileSync(join(sets.dir, `${seq}.chk`), join(dir, `${seq}.chk`));
  return dir;
}

/** The first byte of B whose corruption the decoder detects (searching keeps the test honest about which byte). */
function corruptedCopy(bytes: Buffer, name: string): Buffer {
  for (let offset = 25; offset < bytes.length; offset++) {
    const bad = Buffer.from(bytes);
    bad[offset] = bad[offset]! ^ 0xff;
    try {
      const checkpoint = decodeCheckpointFile(bad, name);
      for (const tx of checkpoint.transactions) void [tx.inputObjects, tx.outputObjects];
    } catch {
      return bad;
    }
  }
  throw new Error("no detectable corruption found");
}

describe.each(databaseKinds)("indexer on %s", (kind) => {
  let database: TestDatabase;
  const dirs: string[] = [];
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await database.destroy();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempFolder = (...seqs: bigint[]) => {
    const dir = folderWith(...seqs);
    dirs.push(dir);
    return dir;
  };
  const checkpointsIn = async () =>
    (await database.query<{ sequence_number: bigint }>("SELECT sequence_number FROM checkpoints ORDER BY 1")).map((r) => r.sequence_number);

  describe("resume and the first/last checkpoint rules", () => {
    it("stops after --last-checkpoint, resumes at watermark + 1, and ends with what one clean run writes", async () => {
      const plan = listPlan(mainnet);
      const first = await runIndexer(database, sets.dir, { plan, lastCheckpoint: C });
      expect(first).toMatchObject({ stoppedBy: "completed", lastCommitted: C, checkpoints: 3 });
      expect(await checkpointsIn()).toEqual([A, B, C]);
      const marks = await readWatermarks(database, pipelineNames);
      expect([...marks.values()].map((w) => w.checkpointHiInclusive)).toEqual(pipelineNames.map(() => C));

      // --first-checkpoint is ignored once a watermark exists (and it is not beyond it).
      const second = await runIndexer(database, sets.dir, { plan, firstCheckpoint: A });
      expect(second.startCheckpoint).toBe(mainnet[3]);
      expect(second.checkpoints).toBe(mainnet.length - 3);
      const resumed = await dumpTables(database);

      const clean = await openTestDatabase(kind);
      try {
        await runIndexer(clean, sets.dir, { plan });
        expect(resumed).toEqual(await dumpTables(clean));
      } finally {
        await clean.destroy();
      }
      // Nothing left: a third run commits nothing.
      expect(await runIndexer(database, sets.dir, { plan })).toMatchObject({ checkpoints: 0, lastCommitted: null });
    });

    it("starts a pipeline without a watermark at --first-checkpoint", async () => {
      const result = await runIndexer(database, sets.dir, { plan: listPlan(mainnet), firstCheckpoint: B, lastCheckpoint: C });
      expect(result).toMatchObject({ startCheckpoint: B, lastCommitted: C });
      expect(await checkpointsIn()).toEqual([B, C]);
    });

    it("refuses a --first-checkpoint beyond watermark + 1 (a gap), writing nothing", async () => {
      await runIndexer(database, sets.dir, { plan: listPlan(mainnet), lastCheckpoint: A });
      const before = await dumpTables(database);
      await expect(runIndexer(database, sets.dir, { plan: listPlan(mainnet), firstCheckpoint: C })).rejects.toThrow(
        /First checkpoint is beyond the watermark.*firstCheckpoint: 100005828.*watermark: 100000017/,
      );
      expect(await dumpTables(database)).toEqual(before);
    });

    it("catches up a pipeline that is behind the others, without rewriting the others", async () => {
      await runIndexer(database, sets.dir, { plan: listPlan(mainnet), lastCheckpoint: A, pipelines: ["events"] });
      await runIndexer(database, sets.dir, { plan: listPlan(mainnet), lastCheckpoint: C });
      const marks = await readWatermarks(database, pipelineNames);
      expect(new Set([...marks.values()].map((w) => w.checkpointHiInclusive))).toEqual(new Set([C]));
      const clean = await openTestDatabase(kind);
      try {
        await runIndexer(clean, sets.dir, { plan: listPlan(mainnet), lastCheckpoint: C });
        expect(await dumpTables(database)).toEqual(await dumpTables(clean));
      } finally {
        await clean.destroy();
      }
    });
  });

  describe("bad input: the error names the file, the checkpoint and the problem; nothing of it is written", () => {
    const expectStoppedAtA = async () => {
      expect(await checkpointsIn()).toEqual([A]);
      const txCheckpoints = await database.query<{ checkpoint: bigint }>("SELECT DISTINCT checkpoint FROM transactions");
      expect(txCheckpoints.map((r) => r.checkpoint)).toEqual([A]);
      const marks = await readWatermarks(database, pipelineNames);
      expect([...marks.values()].map((w) => w.checkpointHiInclusive)).toEqual(pipelineNames.map(() => A));
    };
    const failure = async (dir: string, options: Parameters<typeof runIndexer>[2]): Promise<BaseError> => {
      const error = await runIndexer(database, dir, options).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BaseError);
      return error as BaseError;
    };

    it("a truncated file", async () => {
      const dir = tempFolder(A, C);
      writeFileSync(join(dir, `${B}.chk`), fixtureBytes(B).subarray(0, 50_000));
      const error = await failure(dir, { plan: listPlan([A, B, C]) });
      expect(error.message).toContain(join(dir, `${B}.chk`));
      expect(error.message).toContain(`checkpoint: ${B}`);
      expect(error.message).toMatch(/truncated/);
      expect(error.message).toMatch(/field: /);
      await expectStoppedAtA();
    });

    it("a corrupted byte", async () => {
      const dir = tempFolder(A, C);
      writeFileSync(join(dir, `${B}.chk`), corruptedCopy(fixtureBytes(B), `${B}.chk`));
      const error = await failure(dir, { plan: listPlan([A, B, C]) });
      expect(error.message).toContain(join(dir, `${B}.chk`));
      expect(error.message).toContain(`checkpoint: ${B}`);
      expect(error.message).toMatch(/field: \S+/);
      await expectStoppedAtA();
    });

    it("a file whose sequence number disagrees with its name", async () => {
      const dir = tempFolder(A, C);
      writeFileSync(join(dir, `${B}.chk`), fixtureBytes(C));
      const error = await failure(dir, { plan: listPlan([A, B, C]) });
      expect(error.message).toMatch(/sequence number disagrees with its file name/);
      expect(error.message).toContain(join(dir, `${B}.chk`));
      expect(error.message).toContain(`checkpoint: ${C}`); // what the file holds …
      expect(error.message).toContain(`expected: ${B}`); // … and what its name says
      await expectStoppedAtA();
    });

    it("a missing checkpoint in the middle of a range", async () => {
      // A and B are far apart: A + 1 is missing while B exists.
      const dir = tempFolder(A, B);
      const error = await failure(dir, { firstCheckpoint: A, lastCheckpoint: B });
      expect(error.message).toMatch(/Checkpoint is missing while later checkpoints exist/);
      expect(error.message).toContain(`checkpoint: ${A + 1n}`);
      expect(error.message).toContain(join(dir, `${A + 1n}.chk`));
      await expectStoppedAtA();
    });
  });

  describe("package filter", () => {
    it("indexes only transactions touching DeepBook, matching upgraded versions by original id", async () => {
      await runIndexer(database, sets.dir, { plan: listPlan(mainnet), packages: [DEEPBOOK] });
      const all = await openTestDatabase(kind);
      try {
        await runIndexer(all, sets.dir, { plan: listPlan(mainnet) });
        const filtered = await dumpTables(database);
        const everything = await dumpTables(all);
        // Checkpoints and packages are complete; the rest is a strict subset, row for row.
        expect(filtered.checkpoints).toEqual(everything.checkpoints);
        for (const table of ["transactions", "tx_calls", "events", "object_versions", "balance_changes"]) {
          expect(filtered[table]!.length, table).toBeLessThan(everything[table]!.length);
          expect(everything[table], table).toEqual(expect.arrayContaining(filtered[table]!));
        }
        const selected = new Set((await database.query<{ t: bigint }>("SELECT tx_sequence_number AS t FROM transactions")).map((r) => r.t));
        // Which transactions mention DeepBook (any version) in calls, events or objects, per the unfiltered tables.
        const touching = await all.query<{ t: bigint; direct: boolean }>(
          `SELECT t, bool_or(direct) AS direct FROM (
             SELECT tx_sequence_number AS t, package = $1 AS direct FROM tx_calls WHERE package IN ($1, $2)
             UNION ALL SELECT tx_sequence_number, true FROM events WHERE type LIKE $3 OR package = $1
             UNION ALL SELECT tx_sequence_number, true FROM object_versions WHERE type LIKE $3
           ) s GROUP BY t`,
          [DEEPBOOK, DEEPBOOK_UPGRADE, `%${DEEPBOOK}::%`],
        );
        const touchingSet = new Set(touching.map((r) => r.t));
        expect([...selected].sort()).toEqual([...touchingSet].filter((t) => touching.find((r) => r.t === t)!.direct).sort());
        // Some selected transactions called only an upgraded version (not the original id).
        const upgradeOnly = await database.query(
          `SELECT tx_sequence_number FROM tx_calls WHERE package = $1
           EXCEPT SELECT tx_sequence_number FROM tx_calls WHERE package = $2`,
          [DEEPBOOK_UPGRADE, DEEPBOOK],
        );
        expect(upgradeOnly.length).toBeGreaterThan(0);
      } finally {
        await all.destroy();
      }
    });

    it("maps upgraded storage ids to their original id from the packages table on restart", async () => {
      // As if the upgrade had been indexed earlier: 0xcaf6… is a version of a (made-up) original.
      const original = "0x" + "fe".repeat(32);
      await database.query(
        "INSERT INTO packages (storage_id, version, original_id, checkpoint, tx_sequence_number) VALUES ($1, 2, $2, 0, 0)",
        [DEEPBOOK_UPGRADE, original],
      );
      await runIndexer(database, sets.dir, { plan: listPlan(mainnet), packages: [original] });
      const selected = await database.query<{ t: bigint }>("SELECT tx_sequence_number AS t FROM transactions ORDER BY 1");
      const all = await openTestDatabase(kind);
      try {
        await runIndexer(all, sets.dir, { plan: listPlan(mainnet) });
        // Calls to the upgrade, events it emitted or whose types it defines, objects of its types.
        const expected = await all.query<{ t: bigint }>(
          `SELECT tx_sequence_number AS t FROM tx_calls WHERE package = $1
           UNION SELECT tx_sequence_number FROM events WHERE package = $1 OR type LIKE $2
           UNION SELECT tx_sequence_number FROM object_versions WHERE type LIKE $2
           ORDER BY 1`,
          [DEEPBOOK_UPGRADE, `%${DEEPBOOK_UPGRADE}::%`],
        );
        expect(expected.length).toBeGreaterThan(0);
        expect(selected).toEqual(expected);
      } finally {
        await all.destroy();
      }
    });
  });

  // One process per PGlite folder: there is nothing to lock against there.
  it.skipIf(kind === "pglite")("refuses to run a pipeline another process is running (advisory lock), then runs once it is free", async () => {
    const dir = tempFolder(A);
    const { localFolderSource } = await import("../sources/index.ts");
    const holderCommon = createTestCommon();
    const holder = createIndexer(holderCommon, {
      database,
      source: localFolderSource(dir),
      firstCheckpoint: A,
      pollIntervalMs: 20,
      onCommit: () => void second(),
    });
    let secondRun: Promise<unknown> | null = null;
    const second = () => {
      secondRun ??= (async () => {
        const other = await openDatabase({ url: testPostgresUrl(), schema: database.schema! });
        try {
          await expect(
            createIndexer(createTestCommon(), { database: other, source: localFolderSource(dir), firstCheckpoint: A, lockWaitMs: 100 }).run(),
          ).rejects.toThrow(/Another process is indexing these pipelines/);
        } finally {
          await other.close();
          await holderCommon.shutdown.stop("test");
        }
      })();
    };
    expect(await holder.run()).toMatchObject({ stoppedBy: "shutdown", lastCommitted: A });
    await secondRun;
    // Released: the next run finds nothing new but runs.
    expect(await runIndexer(database, dir, { plan: listPlan([A]) })).toMatchObject({ stoppedBy: "completed", checkpoints: 0 });
  });

  it("stops cleanly on shutdown while polling the tip, with the open batch committed", async () => {
    const dir = tempFolder(A);
    const common = createTestCommon();
    const indexer = createIndexer(common, {
      database,
      source: (await import("../sources/index.ts")).localFolderSource(dir),
      firstCheckpoint: A,
      pollIntervalMs: 20,
      onCommit: () => void common.shutdown.stop("test"),
    });
    const result = await indexer.run();
    expect(result).toMatchObject({ stoppedBy: "shutdown", lastCommitted: A, checkpoints: 1 });
    expect(await checkpointsIn()).toEqual([A]);
  });
});

describe("indexer against a flaky remote store", () => {
  let server: Server;
  let baseUrl: string;
  const plans = new Map<string, number[]>(); // path -> statuses to answer before serving
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? "/";
      seen.push(path);
      const status = plans.get(path)?.shift();
      if (status) return void res.writeHead(status).end();
      const match = /^\/(\d+)\.chk$/.exec(path);
      if (!match || !mainnet.includes(BigInt(match[1]!))) return void res.writeHead(404).end();
      res.writeHead(200).end(fixtureBytes(BigInt(match[1]!)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("retries 5xx/429 with backoff and polls a checkpoint that is not there yet", async () => {
    const database = await openTestDatabase("pglite");
    try {
      plans.set(`/${B}.chk`, [503, 429, 500]);
      plans.set(`/${C}.chk`, [404, 404]); // not published yet, then there
      const common = createTestCommon();
      const result = await createIndexer(common, {
        database,
        source: new RemoteStoreSource(baseUrl, { format: "chk" }),
        plan: listPlan([A, B, C]),
        pollIntervalMs: 10,
        backoff: { baseMs: 1, maxMs: 5 },
      }).run();
      expect(result).toMatchObject({ stoppedBy: "completed", lastCommitted: C, checkpoints: 3 });
      expect(seen.filter((p) => p === `/${B}.chk`)).toHaveLength(4);
      expect(seen.filter((p) => p === `/${C}.chk`)).toHaveLength(3);
      const retries = await common.metrics.getSingleMetric("sui_zk_indexer_fetch_retries_total")!.get();
      expect(retries.values[0]?.value).toBe(3);
    } finally {
      await database.destroy();
    }
  });

  it("fetches no further ahead than maxAhead while nothing is taken (backpressure)", async () => {
    const { createCheckpointFetcher } = await import("./fetcher.ts");
    seen.length = 0;
    const fetcher = createCheckpointFetcher({
      source: new RemoteStoreSource(baseUrl, { format: "chk" }),
      sequence: mainnet, // 13 checkpoints
      concurrency: 2,
      maxAhead: 4,
    });
    try {
      const first = await fetcher.next(); // takes one: at most 4 fetched or in flight beyond it
      expect(first?.checkpoint.sequenceNumber).toBe(A);
      for (let i = 0; i < 50 && !fetcher.nextIsReady(); i++) await new Promise((r) => setTimeout(r, 20));
      // Let every fetch that could start do so: none beyond the window may.
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.length).toBeLessThanOrEqual(5);
      const taken = [first!.checkpoint.sequenceNumber];
      for (let f = await fetcher.next(); f; f = await fetcher.next()) taken.push(f.checkpoint.sequenceNumber);
      expect(taken).toEqual(mainnet); // strictly in order
      expect(seen).toHaveLength(mainnet.length);
    } finally {
      fetcher.close();
    }
  });

  it("gives up on a checkpoint after maxRetries transient failures, naming it", async () => {
    const database = await openTestDatabase("pglite");
    try {
      plans.set(`/${B}.chk`, [503, 503, 503]);
      const run = createIndexer(createTestCommon(), {
        database,
        source: new RemoteStoreSource(baseUrl, { format: "chk" }),
        plan: listPlan([A, B]),
        maxRetries: 2,
        backoff: { baseMs: 1, maxMs: 2 },
      }).run();
      await expect(run).rejects.toThrow(new RegExp(`answered 503.*checkpoint: ${B}`));
      expect((await database.query("SELECT sequence_number FROM checkpoints")).length).toBe(1);
    } finally {
      plans.clear();
      await database.destroy();
    }
  });
});
