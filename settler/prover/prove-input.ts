/**
 * One proof, in the current thread: the witness from the circuit's WebAssembly, then
 * snarkjs's Groth16 prover with the zkey.
 *
 * snarkjs's curve spawns one thread per core by default; with several proofs running in
 * parallel (worker threads, queue workers) that oversubscribes the machine, so a prover
 * thread installs a single-threaded curve first: every later snarkjs call reuses the
 * cached `globalThis.curve_bn128`.
 */
import { performance } from "node:perf_hooks";
import * as snarkjs from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import type { ProvingArtifacts } from "./types.ts";

let singleThreaded: Promise<void> | undefined;

/**
 * Makes this thread's snarkjs use one thread (idempotent).
 *
 * @example
 * await useSingleThreadedSnarkjs();
 */
export function useSingleThreadedSnarkjs(): Promise<void> {
  singleThreaded ??= (async () => {
    const cache = globalThis as { curve_bn128?: snarkjs.SnarkjsCurve | null };
    if (cache.curve_bn128) await cache.curve_bn128.terminate();
    cache.curve_bn128 = await snarkjs.curves.getCurveFromName("bn128", { singleThread: true });
  })();
  return singleThreaded;
}

export interface ProvedInput {
  proof: snarkjs.Groth16Proof;
  publicSignals: snarkjs.PublicSignals;
  witnessMs: number;
  proveMs: number;
}

/**
 * @example
 * const { proof, publicSignals } = await proveCircuitInput(artifacts, batchRow.circuitInput);
 */
export async function proveCircuitInput(artifacts: ProvingArtifacts, circuitInput: string): Promise<ProvedInput> {
  const started = performance.now();
  const wtns: { type: "mem"; data?: Uint8Array } = { type: "mem" };
  try {
    await snarkjs.wtns.calculate(JSON.parse(circuitInput) as snarkjs.CircuitSignals, artifacts.wasm, wtns);
  } catch (error) {
    // circom's "Assert Failed" names the template and line: the input is wrong, not the machine.
    throw new NonRetryableError("witness calculation failed: the batch input breaks a constraint", {
      cause: error,
      details: { reason: error instanceof Error ? error.message.split("\n")[0] : String(error) },
    });
  }
  const witnessDone = performance.now();
  const { proof, publicSignals } = await snarkjs.groth16.prove(artifacts.zkey, wtns);
  return { proof, publicSignals, witnessMs: witnessDone - started, proveMs: performance.now() - witnessDone };
}
