/**
 * What proves a batch: the circuit input in, a Groth16 proof out. Implemented by a pool
 * of worker threads (thread-prover.ts) and by BullMQ jobs spread over processes and
 * machines (queue-prover.ts); the settler verifies every result itself before recording it.
 */
import type { Groth16Proof, PublicSignals } from "snarkjs";

/** The circuit files a prover needs (the same setup everywhere: same zkey, same vk). */
export interface ProvingArtifacts {
  /** The witness calculator (circuit.wasm). */
  wasm: string;
  /** The final proving key. */
  zkey: string;
}

export interface ProveJob {
  batch: bigint;
  /** The circuit input as JSON text (toCircuitInputJson). */
  circuitInput: string;
}

export interface ProveOutput {
  proof: Groth16Proof;
  publicSignals: PublicSignals;
  witnessMs: number;
  proveMs: number;
  /** Which prover made it, e.g. "thread-1" or "queue:host-1234". */
  prover: string;
}

export interface BatchProver {
  /** Proofs it runs at the same time. */
  readonly concurrency: number;
  /**
   * Proves one batch; queues when all slots are busy.
   * @throws NonRetryableError when the input breaks a constraint; RetryableError when a
   * worker died or the queue is unreachable.
   */
  prove(job: ProveJob): Promise<ProveOutput>;
  close(): Promise<void>;
}
