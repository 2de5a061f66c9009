/**
 * Proves batches in parallel on worker threads (node:worker_threads), one proof per
 * thread at a time, each thread's snarkjs single-threaded: N threads use N cores.
 *
 * Threads run TypeScript through tsx's CommonJS hooks, installed by a small eval'd
 * bootstrap (Node 20 cannot register ESM loader hooks inside a worker). snarkjs loads
 * the `web-worker` package, which in any non-main thread assumes it was spawned by
 * itself and evaluates `workerData.mod`: we hand it an empty data: URL.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Groth16Proof } from "snarkjs";
import { NonRetryableError, RetryableError } from "../../common/errors.ts";
import type { ThreadRequest, ThreadResponse, ThreadWorkerData } from "./thread-worker.ts";
import type { BatchProver, ProveJob, ProveOutput, ProvingArtifacts } from "./types.ts";

export interface ThreadProverOptions {
  artifacts: ProvingArtifacts;
  /** Threads (default: available cores). */
  threads?: number;
}

interface Pending {
  job: ProveJob;
  resolve(output: ProveOutput): void;
  reject(error: Error): void;
}

interface Slot {
  name: string;
  worker: Worker;
  busy: { id: number; pending: Pending } | null;
}

const WORKER_FILE = fileURLToPath(new URL("./thread-worker.ts", import.meta.url));
const TSX_CJS_API = createRequire(import.meta.url).resolve("tsx/cjs/api");
const BOOTSTRAP = `require(${JSON.stringify(TSX_CJS_API)}).register(); require(${JSON.stringify(WORKER_FILE)});`;

/**
 * @example
 * const prover = createThreadProver({ artifacts: { wasm, zkey }, threads: 2 });
 * const { proof, publicSignals } = await prover.prove({ batch: 1n, circuitInput });
 * await prover.close();
 */
export function createThreadProver(options: ThreadProverOptions): BatchProver {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new NonRetryableError("prover threads must be a positive integer", { details: { threads } });
  }
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (index: number): Slot => {
    const data: ThreadWorkerData & { mod: string } = { artifacts: options.artifacts, mod: "data:," };
    const slot: Slot = { name: `thread-${index + 1}`, worker: new Worker(BOOTSTRAP, { eval: true, workerData: data }), busy: null };
    slot.worker.on("message", (response: ThreadResponse) => {
      const busy = slot.busy;
      if (!busy || busy.id !== response.id) return;
      slot.busy = null;
      if (response.ok) {
        busy.pending.resolve({
          proof: response.proof as Groth16Proof,
          publicSignals: response.publicSignals,
          witnessMs: response.witnessMs,
          proveMs: response.proveMs,
          prover: slot.name,
        });
      } else {
        const ErrorClass = response.retryable ? RetryableError : NonRetryableError;
        busy.pending.reject(new ErrorClass(response.message, { details: { ...response.details, batch: busy.pending.job.batch } }));
      }
      dispatch();
    });
    const died = (error: Error | number) => {
      const busy = slot.busy;
      slot.busy = null;
      if (busy) {
        busy.pending.reject(
          new RetryableError("prover thread died", {
            details: { batch: busy.pending.job.batch, thread: slot.name, reason: error instanceof Error ? error.message : `exit ${error}` },
          }),
        );
      }
      if (!closed) {
        slots[index] = spawn(index);
        dispatch();
      }
    };
    slot.worker.on("error", died);
    slot.worker.on("exit", (code) => {
      if (!closed) died(code);
    });
    return slot;
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const pending = queue.shift()!;
      const id = nextId++;
      slot.busy = { id, pending };
      const request: ThreadRequest = { id, circuitInput: pending.job.circuitInput };
      slot.worker.postMessage(request);
    }
  };

  for (let i = 0; i < threads; i++) slots.push(spawn(i));

  return {
    concurrency: threads,
    prove(job) {
      if (closed) return Promise.reject(new NonRetryableError("the thread prover is closed"));
      return new Promise<ProveOutput>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new RetryableError("the thread prover closed", { details: { batch: pending.job.batch } }));
      for (const slot of slots) {
        slot.busy?.pending.reject(new RetryableError("the thread prover closed", { details: { batch: slot.busy.pending.job.batch } }));
        slot.busy = null;
      }
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
