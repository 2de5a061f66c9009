/**
 * Computes the witness of BatchUpdate with the compiled WebAssembly (snarkjs
 * `wtns.calculate`, in memory), after checking that every input is a canonical field
 * element: the witness calculator reduces inputs modulo r silently, which would prove a
 * different statement from the one intended.
 */
import * as snarkjs from "snarkjs";
import { NonRetryableError } from "../common/errors.ts";
import { assertBatchInput, toCircuitInputJson, type BatchUpdateInput } from "../settler/tree/batch-input.ts";
import type { CircuitParams } from "./build.ts";

/**
 * The .wtns bytes for `input`. Rejects (with circom's "Assert Failed. Error in template
 * T line: N") when the input breaks a constraint of the circuit.
 *
 * @example
 * const wtns = await calculateWitnessFile(built.wasm, batch.input, { depth: 3, batch: 2 });
 */
export async function calculateWitnessFile(
  wasmFile: string,
  input: BatchUpdateInput,
  params: CircuitParams,
): Promise<Uint8Array> {
  assertBatchInput(input, params);
  const out: { type: "mem"; data?: Uint8Array } = { type: "mem" };
  await snarkjs.wtns.calculate(toCircuitInputJson(input), wasmFile, out);
  if (!out.data) throw new NonRetryableError("snarkjs produced no witness data");
  return out.data;
}

/**
 * The witness for `input` as field elements (index = wire id; 0 is the constant 1, then
 * the seven public inputs).
 *
 * @example
 * const witness = await calculateWitness(built.wasm, batch.input, { depth: 3, batch: 2 });
 */
export async function calculateWitness(
  wasmFile: string,
  input: BatchUpdateInput,
  params: CircuitParams,
): Promise<bigint[]> {
  return parseWitness(await calculateWitnessFile(wasmFile, input, params));
}

/**
 * Parses .wtns bytes (iden3 format: "wtns", version, sections; 1 = header with field size,
 * prime and count, 2 = the values, little-endian).
 *
 * @example
 * const witness = parseWitness(await readFile("witness.wtns"));
 */
export function parseWitness(bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new NonRetryableError(`not a readable wtns file: ${why}`);
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== "wtns") fail("bad magic");
  const sections = new Map<number, number>();
  let offset = 12;
  for (let i = 0, n = view.getUint32(8, true); i < n; i++) {
    if (offset + 12 > bytes.length) fail("truncated section table");
    sections.set(view.getUint32(offset, true), offset + 12);
    offset += 12 + Number(view.getBigUint64(offset + 4, true));
  }
  const header = sections.get(1) ?? fail("no header section");
  const n8 = view.getUint32(header, true);
  const count = view.getUint32(header + 4 + n8, true);
  const values = sections.get(2) ?? fail("no witness section");
  if (values + count * n8 > bytes.length) fail("truncated witness section");
  const witness: bigint[] = [];
  for (let i = 0; i < count; i++) {
    let value = 0n;
    for (let b = n8 - 1; b >= 0; b--) value = (value << 8n) | BigInt(bytes[values + i * n8 + b] as number);
    witness.push(value);
  }
  return witness;
}
