/**
 * Checks a prover's result before it is recorded: its public signals must be exactly the
 * batch's statement, and the proof must verify under the settlement's verifying key with
 * the TypeScript verifier over Sui's byte formats, i.e. as `sui::groth16` will check it.
 * Only then does the batch move to `proved`.
 */
import { NonRetryableError } from "../../common/errors.ts";
import { snarkjsProofToSui, snarkjsPublicSignalsToSui } from "../groth16/snarkjs.ts";
import { checkGroth16Prepared, prepareVerifyingKey } from "../groth16/verifier.ts";
import type { ProveOutput } from "../prover/types.ts";
import type { BatchRecord, BatchRepository } from "./batches.ts";

export interface ProofRecorder {
  /**
   * @throws NonRetryableError when the statement differs or the proof does not verify;
   * the batch then stays `planned`.
   */
  record(batch: BatchRecord, output: ProveOutput): Promise<BatchRecord>;
}

/**
 * The seven public inputs of a batch, in the circuit's order.
 *
 * @example
 * encodePublicInputs(batchStatement(batch)); // the 224 bytes Sui's verifier takes
 */
export function batchStatement(batch: BatchRecord): bigint[] {
  return [batch.oldRoot, batch.newRoot, batch.oldNextIndex, batch.newNextIndex, batch.commitment, batch.fromCursor, batch.toCursor];
}

/**
 * @example
 * const recorder = createProofRecorder(batches, artifacts.vk);
 * await recorder.record(batchRow, await prover.prove(job));
 */
export function createProofRecorder(batches: BatchRepository, vk: Uint8Array): ProofRecorder {
  const pvk = prepareVerifyingKey(vk);
  return {
    async record(batch, output) {
      const expected = batchStatement(batch);
      const actual = output.publicSignals.map((s) => BigInt(s));
      if (actual.length !== expected.length || actual.some((v, i) => v !== expected[i])) {
        throw new NonRetryableError("the proof's public signals are not the batch's statement", {
          details: { batch: batch.batch, expected: expected.join(","), actual: actual.join(",") },
        });
      }
      const proof = snarkjsProofToSui(output.proof);
      const publicInputs = snarkjsPublicSignalsToSui(output.publicSignals);
      const verdict = checkGroth16Prepared({ pvk, publicInputs, proof });
      if (!verdict.valid) {
        throw new NonRetryableError("the proof does not verify under the settlement's verifying key", {
          details: { batch: batch.batch, prover: output.prover, reason: verdict.reason },
        });
      }
      return batches.markProved(batch.batch, {
        proof,
        publicInputs,
        provingMs: Math.round(output.witnessMs + output.proveMs),
        prover: output.prover,
      });
    },
  };
}
