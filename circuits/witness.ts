/**
 * Computes the witness of BatchUpdate with the compiled WebAssembly (snarkjs
 * `wtns.calculate`), after checking that every input is a canonical field element: the
 * witness calculator reduces inputs modulo r silently, which would prove a different
 * statement from the one intended.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { assertBatchInput, toCircuitInputJson, type BatchUpdateInput } from "../settler/tree/batch-input.ts";
import type { CircuitParams } from "./build.ts";

/**
 * Writes the witness file for `input` to `wtnsFile`. Rejects (with circom's "Assert
 * Failed ... line: N") when the input breaks a constraint of the circuit.
 *
 * @example
 * await writeWitness(built.wasm, batch.input, { depth: 3, batch: 2 }, "/tmp/w.wtns");
 */
export async function writeWitness(
  wasmFile: string,
  input: BatchUpdateInput,
  params: CircuitParams,
  wtnsFile: string,
): Promise<void> {
  assertBatchInput(input, params);
  await snarkjs.wtns.calculate(toCircuitInputJson(input), wasmFile, wtnsFile);
}

/**
 * The witness for `input` as field elements (index = wire id; 0 is the constant 1, then
 * the public inputs).
 *
 * @example
 * const witness = await calculateWitness(built.wasm, batch.input, { depth: 3, batch: 2 });
 */
export async function calculateWitness(
  wasmFile: string,
  input: BatchUpdateInput,
  params: CircuitParams,
): Promise<bigint[]> {
  const dir = await mkdtemp(join(tmpdir(), "batch-witness-"));
  try {
    const wtnsFile = join(dir, "witness.wtns");
    await writeWitness(wasmFile, input, params, wtnsFile);
    return await snarkjs.wtns.exportJson(wtnsFile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
