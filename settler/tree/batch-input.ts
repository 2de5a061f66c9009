/**
 * The input object of the circuit BatchUpdate(depth, B) (circuits/batch_update.circom):
 * one field per circuit input signal, same names, and its JSON form (decimal strings) for
 * the witness calculator and for handing a batch to a prover in another process.
 */
import { NonRetryableError } from "../../common/errors.ts";
import { assertCanonical } from "./field.ts";

/** The public inputs, in the circuit's order. */
export const PUBLIC_INPUT_NAMES = [
  "oldRoot",
  "newRoot",
  "oldNextIndex",
  "newNextIndex",
  "batchCommitment",
  "fromCursor",
  "toCursor",
] as const;

export type PublicInputName = (typeof PUBLIC_INPUT_NAMES)[number];
export type BatchPublicInputs = Record<PublicInputName, bigint>;

/** Per-slot private inputs: one entry per slot (B). */
export const SLOT_INPUT_NAMES = [
  "isInsert",
  "isUpdate",
  "key",
  "value",
  "leafIndex",
  "leafKey",
  "leafValue",
  "leafNextKey",
  "leafNextIndex",
] as const;

/** Per-slot sibling paths: B arrays of depth siblings, leaf level first. */
export const PATH_INPUT_NAMES = ["leafSiblings", "appendSiblings"] as const;

export type BatchUpdateInput = BatchPublicInputs &
  Record<(typeof SLOT_INPUT_NAMES)[number], bigint[]> &
  Record<(typeof PATH_INPUT_NAMES)[number], bigint[][]>;

export type CircuitInputJson = Record<string, string | string[] | string[][]>;

/** The seven public signals in order, as the verifier and Move take them. */
export function publicSignals(input: BatchPublicInputs): bigint[] {
  return PUBLIC_INPUT_NAMES.map((name) => input[name]);
}

/**
 * Throws unless the input has exactly the circuit's shape for (depth, batch) and every
 * value is a canonical field element: the witness calculator would reduce a value >= r
 * silently and prove something else than what was meant.
 *
 * @example
 * assertBatchInput(batch.input, { depth: 3, batch: 2 });
 */
export function assertBatchInput(input: BatchUpdateInput, shape: { depth: number; batch: number }): void {
  for (const name of PUBLIC_INPUT_NAMES) assertCanonical(input[name], name);
  for (const name of SLOT_INPUT_NAMES) {
    const values = input[name];
    assertLength(values, shape.batch, name);
    values.forEach((v, i) => assertCanonical(v, `${name}[${i}]`));
  }
  for (const name of PATH_INPUT_NAMES) {
    const paths = input[name];
    assertLength(paths, shape.batch, name);
    paths.forEach((path, i) => {
      assertLength(path, shape.depth, `${name}[${i}]`);
      path.forEach((v, j) => assertCanonical(v, `${name}[${i}][${j}]`));
    });
  }
}

/**
 * Decimal-string form for the witness calculator (and JSON transport).
 *
 * @example
 * await snarkjs.wtns.calculate(toCircuitInputJson(batch.input), wasm, wtnsFile);
 */
export function toCircuitInputJson(input: BatchUpdateInput): CircuitInputJson {
  const json: CircuitInputJson = {};
  for (const name of PUBLIC_INPUT_NAMES) json[name] = input[name].toString();
  for (const name of SLOT_INPUT_NAMES) json[name] = input[name].map(String);
  for (const name of PATH_INPUT_NAMES) json[name] = input[name].map((path) => path.map(String));
  return json;
}

/**
 * The inverse of toCircuitInputJson.
 *
 * @example
 * const input = fromCircuitInputJson(JSON.parse(text));
 */
export function fromCircuitInputJson(json: CircuitInputJson): BatchUpdateInput {
  const scalar = (name: string): bigint => {
    const v = json[name];
    if (typeof v !== "string") throw new NonRetryableError(`circuit input ${name} must be a decimal string`);
    return parseDecimal(v, name);
  };
  const vector = (name: string): bigint[] => {
    const v = json[name];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      throw new NonRetryableError(`circuit input ${name} must be an array of decimal strings`);
    }
    return (v as string[]).map((x, i) => parseDecimal(x, `${name}[${i}]`));
  };
  const matrix = (name: string): bigint[][] => {
    const v = json[name];
    if (!Array.isArray(v) || v.some((row) => !Array.isArray(row))) {
      throw new NonRetryableError(`circuit input ${name} must be an array of arrays of decimal strings`);
    }
    return (v as string[][]).map((row, i) => row.map((x, j) => parseDecimal(x, `${name}[${i}][${j}]`)));
  };
  const input = {} as Record<string, bigint | bigint[] | bigint[][]>;
  for (const name of PUBLIC_INPUT_NAMES) input[name] = scalar(name);
  for (const name of SLOT_INPUT_NAMES) input[name] = vector(name);
  for (const name of PATH_INPUT_NAMES) input[name] = matrix(name);
  return input as BatchUpdateInput;
}

function parseDecimal(text: string, what: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new NonRetryableError(`circuit input ${what} is not a decimal integer`, { details: { what, text } });
  }
  return BigInt(text);
}

function assertLength(values: readonly unknown[], expected: number, what: string): void {
  if (!Array.isArray(values) || values.length !== expected) {
    throw new NonRetryableError(`circuit input ${what} has the wrong length`, {
      details: { what, expected, actual: Array.isArray(values) ? values.length : "not an array" },
    });
  }
}
