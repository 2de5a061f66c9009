/**
 * `npm run bench:settle`: settlement throughput end to end from an indexed database: the
 * settler reads the change stream (object_versions), cuts batches, applies them to the
 * Postgres-backed tree and proves them (witness + Groth16) on worker threads, each proof
 * verified with the TypeScript verifier before it is recorded. Posting is not part of it
 * (it is sequential and bounded by Sui's latency, not by this machine).
 *
 * 1. Synthetic checkpoints are indexed into a fresh schema by the real pipelines and
 *    committer (untimed): each transaction writes objects from a small pool with hot
 *    spots, so batches coalesce (distinct keys updated < changes).
 * 2. `settle once --no-post` equivalent with 1 and then 2 prover threads, each in its own
 *    child process and schema, so peak RSS is that run's own: changes settled per second,
 *    distinct keys (tree operations) per second, proofs per second.
 * 3. Baseline: plain snarkjs (`groth16.fullProve`, its default multi-threaded curve) on
 *    the same zkey and the same circuit inputs, one after the other.
 *
 * The circuit is a dev setup of BatchUpdate(depth, B) (default depth 4, B 2: the cached
 * one); a slot costs 3,236 + 966·depth constraints, so the rate at depth 40 is estimated
 * by that ratio (Groth16 proving time is close to linear in the constraints).
 *
 * Environment: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else the local test server),
 * BENCH_SETTLE_CHECKPOINTS (default 12), BENCH_SETTLE_DEPTH (4), BENCH_SETTLE_B (2),
 * BENCH_KEEP=1 keeps the schemas.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import * as snarkjs from "snarkjs";
import { createTestCommon } from "../common/context.ts";
import type { CheckpointModel } from "../indexer/model.ts";
import { projectRoot } from "../common/fixtures.ts";
import { openDatabase, quoteIdent, type Database } from "../schema/db.ts";
import { freshSchemaName, testPostgresUrl } from "../schema/testing.ts";
import { configureSettlement } from "../settler/pipeline/configure.ts";
import { ensureDevSetup } from "../settler/prover/dev-setup.ts";
import { createThreadProver } from "../settler/prover/thread-prover.ts";
import { createSettler } from "../settler/settler.ts";
import { ChainBuilder, indexStream, type Write } from "../settler/testing/chain-builder.ts";
import { encodeCursor } from "../settler/tree/cursor.ts";

const URL = process.env.BENCH_DATABASE_URL ?? testPostgresUrl();
const CHECKPOINTS = Number(process.env.BENCH_SETTLE_CHECKPOINTS ?? 12);
const DEPTH = Number(process.env.BENCH_SETTLE_DEPTH ?? 4);
const B = Number(process.env.BENCH_SETTLE_B ?? 2);
const KEEP = process.env.BENCH_KEEP === "1";
const FIRST = 9_000_000n;

interface RunResult {
  threads: number;
  schema: string;
  wallMs: number;
  batches: number;
  changes: number;
  operations: number;
  provingMs: number;
  maxRssMiB: number;
}

interface BaselineResult {
  proofs: number;
  operations: number;
  wallMs: number;
  maxRssMiB: number;
}

/** A deterministic workload: objects from a pool no larger than the tree, with hot spots. */
function workload(): CheckpointModel[] {
  const capacity = 2 ** DEPTH - 1;
  const pool = Math.max(2, Math.min(capacity, 12));
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const chain = new ChainBuilder(FIRST);
  const out: CheckpointModel[] = [];
  for (let c = 0; c < CHECKPOINTS; c++) {
    const txs: Write[][] = [];
    for (let t = 0; t < 3; t++) {
      const objects = new Set<number>();
      // Half the writes go to three hot objects: what coalescing saves.
      while (objects.size < 2) objects.add(1 + (random() < 0.5 ? Math.floor(random() * 3) : Math.floor(random() * pool)));
      txs.push([...objects].map((object) => ({ object })));
    }
    out.push(chain.checkpoint(txs));
  }
  return out;
}

async function prepareSchema(schema: string): Promise<Database> {
  const database = await openDatabase({ url: URL, schema });
  await indexStream(database, workload());
  await configureSettlement(database, {
    tracking: { kind: "all" },
    depth: DEPTH,
    batchSize: B,
    maxSpan: 1_000n,
    startCursor: encodeCursor(FIRST, 0n),
  });
  return database;
}

/** One settlement run (in a child process). */
async function childRun(threads: number, schema: string): Promise<RunResult> {
  const artifacts = await ensureDevSetup({ depth: DEPTH, batchSize: B });
  const database = await prepareSchema(schema);
  const prover = createThreadProver({ artifacts, threads });
  try {
    const settler = await createSettler(createTestCommon(), { database, prover, vk: artifacts.vk, poster: null, pollIntervalMs: 20 });
    const started = performance.now();
    const summary = await settler.runOnce();
    const wallMs = performance.now() - started;
    await settler.close();
    const [row] = await database.query<{ ms: bigint | null }>(`SELECT sum(proving_ms) AS ms FROM settlement_batches`);
    return {
      threads,
      schema,
      wallMs,
      batches: summary.proved,
      changes: summary.changes,
      operations: summary.operations,
      provingMs: Number(row?.ms ?? 0),
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await prover.close();
    await database.close();
  }
}

/** Plain snarkjs on the circuit inputs the 1-thread run recorded (in a child process). */
async function childBaseline(schema: string): Promise<BaselineResult> {
  const artifacts = await ensureDevSetup({ depth: DEPTH, batchSize: B });
  const database = await openDatabase({ url: URL, schema, migrate: false });
  try {
    const rows = await database.query<{ circuit_input: string; ops: number }>(
      `SELECT circuit_input, inserts + updates AS ops FROM settlement_batches WHERE state <> 'failed' ORDER BY batch`,
    );
    const started = performance.now();
    for (const row of rows) {
      await snarkjs.groth16.fullProve(JSON.parse(row.circuit_input) as snarkjs.CircuitSignals, artifacts.wasm, artifacts.zkey);
    }
    const wallMs = performance.now() - started;
    const curve = (globalThis as { curve_bn128?: snarkjs.SnarkjsCurve | null }).curve_bn128;
    await curve?.terminate();
    return {
      proofs: rows.length,
      operations: rows.reduce((n, r) => n + Number(r.ops), 0),
      wallMs,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await database.close();
  }
}

function child<T>(args: string[]): T {
  const result = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...args], {
    cwd: projectRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 << 20,
  });
  if (result.status !== 0) throw new Error(`bench child ${args.join(" ")} failed with status ${result.status}`);
  const line = result.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as T;
}

async function dropSchema(schema: string): Promise<void> {
  const database = await openDatabase({ url: URL, migrate: false });
  try {
    await database.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await database.close();
  }
}

const rate = (n: number, ms: number) => (ms > 0 ? (n * 1000) / ms : 0);
const fixed = (x: number, digits = 2) => x.toFixed(digits);

async function main(): Promise<void> {
  const [mode, arg1, arg2] = process.argv.slice(2);
  if (mode === "--child-run") {
    process.stdout.write(`${JSON.stringify(await childRun(Number(arg1), arg2!))}\n`);
    return;
  }
  if (mode === "--child-baseline") {
    process.stdout.write(`${JSON.stringify(await childBaseline(arg1!))}\n`);
    return;
  }

  // The dev setup is made once, before anything is timed.
  const artifacts = await ensureDevSetup({ depth: DEPTH, batchSize: B });
  const cores = availableParallelism();
  const perSlot = (depth: number) => 3236 + 966 * depth;
  console.log(`settle bench: BatchUpdate(depth ${DEPTH}, B ${B}), ${artifacts.constraints} constraints; ${CHECKPOINTS} checkpoints; ${cores} cores; ${URL.replace(/:[^:@/]*@/, ":***@")}`);

  const schemas: string[] = [];
  const runs: RunResult[] = [];
  try {
    for (const threads of [1, 2]) {
      const schema = freshSchemaName("bench_settle");
      schemas.push(schema);
      runs.push(child<RunResult>(["--child-run", String(threads), schema]));
    }
    const baseline = child<BaselineResult>(["--child-baseline", runs[0]!.schema]);

    const rows: string[][] = [
      ["run", "batches", "changes", "keys updated", "wall s", "changes/s", "keys/s", "proofs/s", "prove s/batch", "peak RSS MiB"],
      ...runs.map((r) => [
        `settler, ${r.threads} thread${r.threads > 1 ? "s" : ""}`,
        String(r.batches),
        String(r.changes),
        String(r.operations),
        fixed(r.wallMs / 1000, 1),
        fixed(rate(r.changes, r.wallMs)),
        fixed(rate(r.operations, r.wallMs)),
        fixed(rate(r.batches, r.wallMs)),
        fixed(r.provingMs / 1000 / Math.max(1, r.batches), 2),
        fixed(r.maxRssMiB, 0),
      ]),
      [
        "plain snarkjs fullProve",
        String(baseline.proofs),
        "-",
        String(baseline.operations),
        fixed(baseline.wallMs / 1000, 1),
        "-",
        fixed(rate(baseline.operations, baseline.wallMs)),
        fixed(rate(baseline.proofs, baseline.wallMs)),
        fixed(baseline.wallMs / 1000 / Math.max(1, baseline.proofs), 2),
        fixed(baseline.maxRssMiB, 0),
      ],
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log(rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n"));

    const one = runs[0]!;
    const two = runs[1]!;
    const perCoreKeys = rate(two.operations, two.wallMs) / Math.min(2, cores);
    const depth40 = perSlot(DEPTH) / perSlot(40);
    console.log("");
    console.log(`scaling 1 -> 2 threads: x${fixed(rate(two.batches, two.wallMs) / Math.max(1e-9, rate(one.batches, one.wallMs)))} (the machine is shared: other processes take cores too)`);
    console.log(`vs plain snarkjs (all cores on one proof at a time): x${fixed(rate(two.batches, two.wallMs) / Math.max(1e-9, rate(baseline.proofs, baseline.wallMs)))} proofs/s`);
    console.log(
      `sustainable rate implied: ${fixed(perCoreKeys)} keys updated/s per core at depth ${DEPTH}, ` +
        `${fixed(perCoreKeys * cores)} on this ${cores}-core machine; ` +
        `at depth 40 (x${fixed(depth40, 3)} per slot): ${fixed(perCoreKeys * depth40, 3)} keys/s per core, ` +
        `${fixed(perCoreKeys * depth40 * 3600, 0)} per core-hour`,
    );
    console.log(
      `changes per key updated: ${fixed(one.changes / Math.max(1, one.operations))} (coalescing within a batch); ` +
        `the tree lives in Postgres behind a bounded cache, so RSS does not grow with the tracked set`,
    );
  } finally {
    if (!KEEP) for (const schema of schemas) await dropSchema(schema);
  }
}

await main();
