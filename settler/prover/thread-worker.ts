/**
 * The body of a prover thread (started by thread-prover.ts): proves one circuit input per
 * message with a single-threaded snarkjs and answers with the proof or the error.
 */
import { parentPort, workerData } from "node:worker_threads";
import { BaseError, isRetryable } from "../../common/errors.ts";
import { proveCircuitInput, useSingleThreadedSnarkjs } from "./prove-input.ts";
import type { ProvingArtifacts } from "./types.ts";

/** parent -> thread */
export interface ThreadRequest {
  id: number;
  circuitInput: string;
}

/** thread -> parent */
export type ThreadResponse =
  | { id: number; ok: true; proof: unknown; publicSignals: string[]; witnessMs: number; proveMs: number }
  | { id: number; ok: false; message: string; retryable: boolean; details: Record<string, string> };

export interface ThreadWorkerData {
  artifacts: ProvingArtifacts;
}

const port = parentPort;
if (port) {
  const { artifacts } = workerData as ThreadWorkerData;
  const ready = useSingleThreadedSnarkjs();
  port.on("message", (request: ThreadRequest) => {
    void (async (): Promise<ThreadResponse> => {
      try {
        await ready;
        const result = await proveCircuitInput(artifacts, request.circuitInput);
        return { id: request.id, ok: true, ...result };
      } catch (error) {
        const details: Record<string, string> = {};
        if (error instanceof BaseError) for (const [k, v] of Object.entries(error.details)) details[k] = String(v);
        return {
          id: request.id,
          ok: false,
          message: error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error),
          retryable: isRetryable(error),
          details,
        };
      }
    })().then((response) => port.postMessage(response));
  });
}
