/**
 * `start` as operators run it: the package bin in child processes, on the embedded
 * database and on PostgreSQL, from checkpoint files and from a real local gRPC full node:
 * the API, /ready and /metrics from the same process, the chain check, pipelines split
 * across processes, and a clean stop on SIGTERM / SIGINT.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/fixtures.ts";
import { openDatabase, type Database } from "../../schema/db.ts";
import { dropSchema, freshSchemaName, testPostgresUrl } from "../../schema/testing.ts";
import type { CheckpointModel } from "../../indexer/model.ts";
import { checkpointMessages, folderCheckpoints, sequenceRange, startTestFullNode } from "../../indexer/sources/grpc-test-server.ts";
import { generateCheckpoints } from "../../indexer/synthetic/generate.ts";

const FIRST = 300n;
const COUNT = 12;
const LAST = FIRST + BigInt(COUNT) - 1n;
let dir: string;
let models: CheckpointModel[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "szi-start-"));
  await generateCheckpoints({ dir, first: FIRST, count: COUNT, format: "chk", seed: 9, shape: { transactionsPerCheckpoint: 3, systemTransactionsPerCheckpoint: 1 } });
  models = await folderCheckpoints(dir, sequenceRange(FIRST, LAST));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  exit: Promise<number | null>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the JSON log line whose `msg` is `msg`. */
  logged(msg: string): Promise<Record<string, unknown>>;
}

function startCli(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [join(projectRoot, "bin/sui-zk-indexer.js"), "start", "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: "info", DATABASE_URL: "", DATABASE_SCHEMA: "", PORT: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  exit.then(() => {
    for (const wake of waiters.splice(0)) wake();
  });
  const lines = () =>
    output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    exit,
    output: () => output,
    kill: (signal) => child.kill(signal),
    logged: (msg) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = lines().find((l) => l.msg === msg);
          if (line) return resolve(line);
          if (child.exitCode !== null) return reject(new Error(`exited (${child.exitCode}) before logging "${msg}":\n${output}`));
          waiters.push(check);
        };
        check();
      }),
  };
}

/** Polls an HTTP probe until it answers as wanted (the process works at its own pace). */
async function until(what: string, probe: () => Promise<boolean>, child: Child): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await probe().catch(() => false)) return;
    if (child.output().includes('"level":50')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}; output:\n${child.output()}`);
}

const get = (port: number, path: string) => fetch(`http://127.0.0.1:${port}${path}`);
const portOf = async (child: Child) => Number((await child.logged("serving the API, /ready and /metrics")).port);

describe("sui-zk-indexer start (child processes)", () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const postgres = async (): Promise<{ env: Record<string, string>; database: Database }> => {
    const schema = freshSchemaName("start");
    const database = await openDatabase({ url: testPostgresUrl(), schema });
    cleanups.push(() => dropSchema(schema), () => database.close());
    return { env: { DATABASE_URL: testPostgresUrl(), DATABASE_SCHEMA: schema }, database };
  };
  const spawnTracked = (args: string[], env: Record<string, string>): Child => {
    const child = startCli(args, env);
    cleanups.push(async () => {
      child.kill("SIGKILL");
      await child.exit;
    });
    return child;
  };

  it("indexes files into the embedded database and serves the API, /ready and /metrics; SIGTERM exits 0", { timeout: 300_000 }, async () => {
    const data = mkdtempSync(join(tmpdir(), "szi-start-data-"));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const run = spawnTracked(["--from-dir", dir, "--first-checkpoint", String(FIRST)], { SUI_ZK_INDEXER_DATA_DIR: data });
    const port = await portOf(run);
    expect((await get(port, "/health")).status).toBe(200);
    await until("ready", async () => (await get(port, "/ready")).status === 200, run);
    const ready = (await (await get(port, "/ready")).json()) as { tip: string; pipelines: Array<{ checkpoint: string; lag_checkpoints: string }> };
    expect(ready.tip).toBe(String(LAST));
    expect(ready.pipelines.every((p) => p.lag_checkpoints === "0" && p.checkpoint === String(LAST))).toBe(true);

    const latest = (await (await get(port, "/v1/checkpoints/latest")).json()) as { sequence_number?: string };
    expect(JSON.stringify(latest)).toContain(String(LAST));
    const metrics = await (await get(port, "/metrics")).text();
    for (const line of [
      `sui_zk_indexer_watermark_checkpoint{pipeline="events"} ${LAST}`,
      `sui_zk_indexer_pipeline_lag_checkpoints{pipeline="events"} 0`,
      `sui_zk_indexer_source_tip_checkpoint ${LAST}`,
      `sui_zk_indexer_checkpoints_total ${COUNT}`,
      "sui_zk_indexer_ready 1",
    ]) {
      expect(metrics).toContain(line);
    }
    expect(metrics).toMatch(/^sui_zk_indexer_commit_seconds_count \d+/m);
    expect(metrics).toMatch(/^sui_zk_indexer_rows_total\{table="transactions"\} \d+/m);
    expect(metrics).toMatch(/^sui_zk_indexer_pipeline_lag_seconds\{pipeline="events"\} \d+/m);

    run.kill("SIGTERM");
    expect(await run.exit, run.output()).toBe(0);
    expect(run.output()).toContain('"signal":"SIGTERM"');
  });

  it("follows a full node over gRPC into Postgres, records its chain, stops cleanly on SIGINT, and refuses another network", { timeout: 400_000 }, async () => {
    const { env, database } = await postgres();
    const node = await startTestFullNode({ checkpoints: checkpointMessages(models), tip: FIRST + 4n, chain: "testnet" });
    cleanups.push(() => node.close());
    const run = spawnTracked(["--grpc", node.url, "--first-checkpoint", String(FIRST), "--ready-max-lag", "0"], env);
    const port = await portOf(run);
    await until("the tip", async () => ((await get(port, "/ready")).status === 200 ? true : false), run);
    node.advanceTip(LAST);
    await until("the new tip", async () => {
      const body = (await (await get(port, "/ready")).json()) as { ready: boolean; pipelines: Array<{ checkpoint: string }> };
      return body.ready && body.pipelines.every((p) => p.checkpoint === String(LAST));
    }, run);
    expect(await database.query("SELECT chain_id, chain FROM chain_identity")).toEqual([{ chain_id: "4btiuiMPvEENsttpZC7CZ53DruC3MAgfznDbASZ7DR6S", chain: "testnet" }]);
    expect(node.log.some((e) => e.method === "SubscribeCheckpoints")).toBe(true);

    run.kill("SIGINT");
    expect(await run.exit, run.output()).toBe(0);
    const marks = await database.query<{ c: bigint }>("SELECT DISTINCT checkpoint_hi_inclusive AS c FROM watermarks");
    expect(marks.map((m) => m.c)).toEqual([LAST]);
    const [count] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM checkpoints");
    expect(count?.n).toBe(COUNT);

    const other = await startTestFullNode({ checkpoints: checkpointMessages(models), tip: LAST, chainId: "69WiPg3DAQiwdxfncX6wYQ2siKwAe6L9BZthQea3JNMD" });
    cleanups.push(() => other.close());
    const refused = spawnTracked(["--grpc", other.url], env);
    expect(await refused.exit).toBe(1);
    expect(refused.output()).toContain("indexed from another network");
    expect(other.log.filter((e) => e.method === "GetCheckpoint")).toEqual([]);
  });

  it("splits pipelines across processes: a taken pipeline waits or exits, naming its owner", { timeout: 400_000 }, async () => {
    const { env, database } = await postgres();
    const args = ["--from-dir", dir, "--first-checkpoint", String(FIRST), "--last-checkpoint", String(LAST)];
    const a = spawnTracked([...args, "--pipelines", "checkpoints,transactions"], env);
    await a.logged("pipelines owned by this process");

    const refused = spawnTracked([...args, "--pipelines", "transactions,events", "--on-locked", "exit"], env);
    expect(await refused.exit).toBe(1);
    expect(refused.output()).toContain("Pipelines are owned by another indexer process");
    expect(refused.output()).toMatch(/transactions: pid \d+/);

    const waiting = spawnTracked([...args, "--pipelines", "checkpoints", "--on-locked", "wait"], env);
    await waiting.logged("pipelines are owned by another indexer process: waiting for them");
    // It serves the API meanwhile, and says it owns nothing yet.
    expect(((await (await get(await portOf(waiting), "/ready")).json()) as { owned: boolean }).owned).toBe(false);
    const b = spawnTracked([...args, "--pipelines", "events"], env);

    await a.logged("indexing complete: serving until stopped");
    await b.logged("indexing complete: serving until stopped");
    const marks = await database.query<{ pipeline: string; c: bigint }>("SELECT pipeline, checkpoint_hi_inclusive AS c FROM watermarks ORDER BY pipeline");
    expect(marks).toEqual([
      { pipeline: "checkpoints", c: LAST },
      { pipeline: "events", c: LAST },
      { pipeline: "transactions", c: LAST },
    ]);

    // A waiting process stops cleanly too; the others after it.
    waiting.kill("SIGTERM");
    expect(await waiting.exit, waiting.output()).toBe(0);
    expect(waiting.output()).not.toContain('"msg":"indexing"');
    for (const child of [a, b]) {
      child.kill("SIGTERM");
      expect(await child.exit, child.output()).toBe(0);
    }
  });
});
