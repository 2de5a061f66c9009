/**
 * `npm run bench:prove`: the cost of proving BatchUpdate(depth, B) with Groth16 here.
 *
 * For each (depth, B) setting, on an INSECURE dev setup (made once and cached, untimed):
 *  - constraints, from the compiled r1cs; constraints per operation: a slot is the same
 *    circuit for an insert and an update (a selector picks the path), so both cost
 *    (constraints - fixed part) / B, shown with the closed form 3,236 + 966·depth;
 *  - witness time (circom's WebAssembly through snarkjs `wtns.calculate`), median;
 *  - proving time as the settler proves: `groth16.prove` on a single-threaded curve in a
 *    prover thread (settler/prover/prove-input.ts), median;
 *  - the baseline in the same run: plain `snarkjs groth16 prove <zkey> <wtns>` (the npm
 *    CLI, its default multi-threaded curve, one process per proof as an operator would
 *    run it) on the same zkey and the same witness files, median wall time;
 *  - operations proven per second with 1 and with 2 proofs in parallel (the thread
 *    prover with 1 and 2 threads; witness + proof, end to end).
 * Every proof is checked with the TypeScript verifier over Sui's bytes (untimed).
 *
 * The batches are random mixes of inserts and updates on a tree already holding keys,
 * built by the off-chain tree (settler/tree), as the settler builds them.
 *
 * Environment: BENCH_PROVE_SETTINGS (default "4x1,4x2,8x2": depth x B),
 * BENCH_PROVE_PROOFS (proofs per measurement, default 4).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import * as snarkjs from "snarkjs";
import { checkGroth16 } from "../settler/groth16/verifier.ts";
import { snarkjsProofToSui, snarkjsPublicSignalsToSui } from "../settler/groth16/snarkjs.ts";
import { ensureDevSetup } from "../settler/prover/dev-setup.ts";
import type { SetupArtifacts } from "../settler/prover/setup-artifacts.ts";
import { createThreadProver } from "../settler/prover/thread-prover.ts";
import type { ProveOutput } from "../settler/prover/types.ts";
import { toCircuitInputJson } from "../settler/tree/batch-input.ts";
import { buildBatch } from "../settler/tree/batch.ts";
import { encodeCursor } from "../settler/tree/cursor.ts";
import { createIndexedMerkleTree } from "../settler/tree/indexed-merkle-tree.ts";

// The package's bin (its exports map does not expose build/cli.cjs).
const SNARKJS_CLI = join(dirname(createRequire(import.meta.url).resolve("snarkjs")), "cli.cjs");
const PROOFS = Number(process.env.BENCH_PROVE_PROOFS ?? 4);
const SETTINGS = (process.env.BENCH_PROVE_SETTINGS ?? "4x1,4x2,8x2").split(",").map((s) => {
  const [depth, batch] = s.trim().split("x").map(Number);
  if (!Number.isInteger(depth) || !Number.isInteger(batch) || depth! < 2 || batch! < 1) {
    throw new Error(`BENCH_PROVE_SETTINGS: "${s}" is not depthxB (e.g. 4x2)`);
  }
  return { depth: depth!, batch: batch! };
});

interface Row {
  setting: string;
  constraints: number;
  perOp: number;
  formula: number;
  witnessMs: number;
  proveMs: number;
  cliMs: number;
  opsPerSecond1: number;
  opsPerSecond2: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** `count` consecutive batches of B operations each, about half inserts and half updates. */
async function randomBatches(depth: number, batch: number, count: number): Promise<string[]> {
  const tree = await createIndexedMerkleTree({ depth });
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const randomKey = () => BigInt(1 + random(2 ** 30)) * 2n ** 200n + BigInt(random(2 ** 30));
  const present: bigint[] = [];
  const isPresent = new Set<bigint>();
  // Leave room for every insert to come: the tree holds 2^depth - 1 keys besides the sentinel.
  const capacity = 2 ** depth - 1;
  const inserts = Math.ceil((batch * count) / 2);
  const prefill = Math.min(capacity - inserts, 2 * batch);
  if (prefill < 1) throw new Error(`depth ${depth} cannot hold ${inserts} inserts; use a deeper tree`);
  for (let i = 0; i < prefill; i++) {
    const key = randomKey();
    tree.insert(key, BigInt(1 + random(1000)));
    present.push(key);
    isPresent.add(key);
  }
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const changes: { key: bigint; value: bigint }[] = [];
    const used = new Set<bigint>();
    for (let i = 0; i < batch; i++) {
      const insert = (n * batch + i) % 2 === 0;
      let key: bigint;
      do key = insert ? randomKey() : present[random(present.length)]!;
      while (used.has(key));
      used.add(key);
      changes.push({ key, value: BigInt(1 + random(1_000_000)) });
    }
    const built = buildBatch(tree, changes, {
      batchSize: batch,
      fromCursor: encodeCursor(100n + BigInt(n), 0n),
      toCursor: encodeCursor(101n + BigInt(n), 0n),
    });
    for (const { key } of changes) {
      if (!isPresent.has(key)) present.push(key);
      isPresent.add(key);
    }
    out.push(JSON.stringify(toCircuitInputJson(built.input)));
  }
  return out;
}

function assertValid(artifacts: SetupArtifacts, proof: snarkjs.Groth16Proof, signals: snarkjs.PublicSignals, what: string): void {
  const verdict = checkGroth16({ vk: artifacts.vk, publicInputs: snarkjsPublicSignalsToSui(signals), proof: snarkjsProofToSui(proof) });
  if (!verdict.valid) throw new Error(`${what}: the proof does not verify (${verdict.reason})`);
}

/** Proves every input with `threads` prover threads; returns wall time and the outputs. */
async function proveAll(artifacts: SetupArtifacts, inputs: string[], threads: number): Promise<{ wallMs: number; outputs: ProveOutput[] }> {
  const prover = createThreadProver({ artifacts, threads });
  try {
    // Warm-up (thread start, wasm and zkey load) is not what a long-running settler pays per proof.
    await Promise.all(Array.from({ length: threads }, (_, i) => prover.prove({ batch: BigInt(i), circuitInput: inputs[i % inputs.length]! })));
    const started = performance.now();
    const outputs = await Promise.all(inputs.map((circuitInput, i) => prover.prove({ batch: BigInt(i + 1), circuitInput })));
    return { wallMs: performance.now() - started, outputs };
  } finally {
    await prover.close();
  }
}

async function measure(depth: number, batch: number, work: string): Promise<Row> {
  const setupStarted = performance.now();
  const artifacts = await ensureDevSetup({ depth, batchSize: batch });
  const setupS = (performance.now() - setupStarted) / 1000;
  const setting = `d${depth} B${batch}`;
  process.stderr.write(`${setting}: ${artifacts.constraints} constraints, setup ready in ${setupS.toFixed(1)} s (cached after the first run)\n`);

  const inputs = await randomBatches(depth, batch, PROOFS);

  // Witness files, timed one by one in this process.
  const witnessMs: number[] = [];
  const wtnsFiles: string[] = [];
  for (const [i, input] of inputs.entries()) {
    const file = join(work, `${artifacts.circuitName}-${i}.wtns`);
    const started = performance.now();
    await snarkjs.wtns.calculate(JSON.parse(input) as snarkjs.CircuitSignals, artifacts.wasm, file);
    witnessMs.push(performance.now() - started);
    wtnsFiles.push(file);
  }

  // Baseline: the snarkjs CLI on the same zkey and witness, one process per proof.
  const cliMs: number[] = [];
  for (const [i, wtns] of wtnsFiles.entries()) {
    const proofFile = join(work, `cli-proof-${i}.json`);
    const publicFile = join(work, `cli-public-${i}.json`);
    const started = performance.now();
    const result = spawnSync(process.execPath, [SNARKJS_CLI, "groth16", "prove", artifacts.zkey, wtns, proofFile, publicFile], { encoding: "utf8" });
    cliMs.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`snarkjs groth16 prove failed (status ${result.status}): ${result.stderr || result.stdout}`);
    assertValid(
      artifacts,
      JSON.parse(await readFile(proofFile, "utf8")) as snarkjs.Groth16Proof,
      JSON.parse(await readFile(publicFile, "utf8")) as snarkjs.PublicSignals,
      `${setting} snarkjs CLI proof ${i}`,
    );
  }

  // The settler's prover: 1 thread, then 2 in parallel (twice the proofs).
  const one = await proveAll(artifacts, inputs, 1);
  const two = await proveAll(artifacts, [...inputs, ...inputs], 2);
  for (const [i, o] of [...one.outputs, ...two.outputs].entries()) assertValid(artifacts, o.proof, o.publicSignals, `${setting} thread proof ${i}`);

  const fixedPart = 189 + (batch - 1);
  return {
    setting,
    constraints: artifacts.constraints,
    perOp: Math.round((artifacts.constraints - fixedPart) / batch),
    formula: 3236 + 966 * depth,
    witnessMs: median(witnessMs),
    proveMs: median(one.outputs.map((o) => o.proveMs)),
    cliMs: median(cliMs),
    opsPerSecond1: (inputs.length * batch * 1000) / one.wallMs,
    opsPerSecond2: (2 * inputs.length * batch * 1000) / two.wallMs,
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "bench-prove-"));
  const rows: Row[] = [];
  try {
    for (const { depth, batch } of SETTINGS) rows.push(await measure(depth, batch, work));
  } finally {
    await rm(work, { recursive: true, force: true });
    const curve = (globalThis as { curve_bn128?: snarkjs.SnarkjsCurve | null }).curve_bn128;
    await curve?.terminate();
  }
  console.log(`\nbench:prove: Groth16 on BatchUpdate(depth, B), dev setups; ${PROOFS} proofs per figure; ${availableParallelism()} cores\n`);
  console.log(
    table(
      ["setting", "constraints", "per op", "3236+966d", "witness ms", "prove ms (ours)", "snarkjs CLI ms", "CLI / ours", "ops/s 1", "ops/s 2 par", "2 par / 1"],
      rows.map((r) => [
        r.setting,
        String(r.constraints),
        String(r.perOp),
        String(r.formula),
        r.witnessMs.toFixed(0),
        r.proveMs.toFixed(0),
        r.cliMs.toFixed(0),
        (r.cliMs / r.proveMs).toFixed(2),
        r.opsPerSecond1.toFixed(2),
        r.opsPerSecond2.toFixed(2),
        (r.opsPerSecond2 / r.opsPerSecond1).toFixed(2),
      ]),
    ),
  );
  const rate = Math.max(...rows.map((r) => (r.constraints * 1000) / r.proveMs));
  const d40 = 189 + 8 * (3236 + 966 * 40) + 7;
  console.log(
    `\nproving rate: up to ${Math.round(rate)} constraints/s per thread; production BatchUpdate(40, 8) has ${d40} constraints, ` +
      `about ${(d40 / rate).toFixed(0)} s per proof (${((8 * rate) / d40).toFixed(2)} ops/s per thread) by that rate.`,
  );
  console.log("prove ms (ours): groth16.prove in a prover thread, single-threaded curve; snarkjs CLI: a process per proof, multi-threaded curve, start-up included.");
}

await main();
