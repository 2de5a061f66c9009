/**
 * Groth16 proving with snarkjs for a setup's zkey and the circuit's witness generator, with
 * the proof and public inputs also in the bytes `sui::groth16` takes.
 */
import * as snarkjs from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import { snarkjsProofToSui, snarkjsPublicSignalsToSui } from "../../settler/groth16/snarkjs.ts";
import { assertArtifactIntact } from "./ceremony.ts";
import { findArtifact, readManifest, zkeyChain, type SetupManifest } from "./manifest.ts";

export interface ProveBatchOptions {
  zkeyPath: string;
  wasmPath: string;
  /** Circuit inputs by signal name; numbers as bigint or decimal strings. */
  input: snarkjs.CircuitSignals;
  /**
   * Prove without snarkjs's worker threads (which it otherwise starts, one per core, and
   * shares per process): set it when proofs already run in parallel, one per worker thread.
   */
  singleThread?: boolean;
}

export interface ProveBatchResult {
  proof: snarkjs.Groth16Proof;
  /** Decimal strings, in the circuit's public input order. */
  publicSignals: snarkjs.PublicSignals;
  /** A || B || C, 128 bytes. */
  suiProofBytes: Uint8Array;
  /** 32-byte little-endian scalars, concatenated. */
  suiPublicInputsBytes: Uint8Array;
}

/**
 * Computes the witness and a Groth16 proof. A witness that breaks a constraint fails here
 * with snarkjs's message (the circuit's assert), as a NonRetryableError.
 *
 * @example
 * const { suiProofBytes, suiPublicInputsBytes } = await proveBatch({ zkeyPath, wasmPath, input });
 */
export async function proveBatch({ zkeyPath, wasmPath, input, singleThread }: ProveBatchOptions): Promise<ProveBatchResult> {
  let result: { proof: snarkjs.Groth16Proof; publicSignals: snarkjs.PublicSignals };
  try {
    result = singleThread
      ? await snarkjs.groth16.fullProve(input, wasmPath, zkeyPath, undefined, undefined, { singleThread: true })
      : await snarkjs.groth16.fullProve(input, wasmPath, zkeyPath);
  } catch (error) {
    throw new NonRetryableError(`proving failed: ${(error as Error).message}`, { cause: error, details: { zkeyPath, wasmPath } });
  }
  return {
    ...result,
    suiProofBytes: snarkjsProofToSui(result.proof),
    suiPublicInputsBytes: snarkjsPublicSignalsToSui(result.publicSignals),
  };
}

export interface ProvingSetup {
  manifest: SetupManifest;
  zkeyPath: string;
  wasmPath: string;
}

/**
 * The final zkey and the witness generator of a setup folder, checked against the manifest.
 * Prints the insecure-setup warning when the folder is a --dev setup.
 *
 * @example
 * const setup = await loadProvingSetup("circuits/build/batch_update_d3_b2/setup");
 * await proveBatch({ zkeyPath: setup.zkeyPath, wasmPath: setup.wasmPath, input });
 */
export async function loadProvingSetup(dir: string): Promise<ProvingSetup> {
  const manifest = await readManifest(dir, "loading it for proving");
  const final = zkeyChain(manifest).at(-1);
  const wasm = findArtifact(manifest, "circuit-wasm");
  if (!final) throw new NonRetryableError("the setup has no zkey", { details: { dir } });
  if (!wasm) throw new NonRetryableError("the setup has no circuit wasm: give --wasm when setting up", { details: { dir } });
  return { manifest, zkeyPath: await assertArtifactIntact(dir, final), wasmPath: await assertArtifactIntact(dir, wasm) };
}
