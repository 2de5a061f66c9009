/**
 * Proving spread over processes and machines as BullMQ jobs on Redis. The settler adds
 * one job per batch (job id = batch + a hash of its input, so a restarted settler
 * re-attaches to the job it already queued) and waits for its result; any number of
 * `settle worker` processes take jobs and prove them on their own worker threads.
 *
 * A job carries the circuit's depth and B: a worker holding another circuit refuses it
 * (unrecoverable), and the settler verifies every result against its own verifying key
 * anyway.
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Groth16Proof, PublicSignals } from "snarkjs";
import type { Common } from "../../common/context.ts";
import { BaseError, NonRetryableError, RetryableError, isRetryable } from "../../common/errors.ts";
import { createThreadProver } from "./thread-prover.ts";
import type { BatchProver, ProveJob, ProveOutput, ProvingArtifacts } from "./types.ts";

export interface CircuitShape {
  depth: number;
  batchSize: number;
}

export interface QueueConnection {
  /** redis://[user:password@]host:port[/db] */
  redisUrl: string;
  /** One queue per settlement (default "sui-zk-settle"). */
  queueName?: string;
}

export interface QueueProverOptions extends QueueConnection {
  circuit: CircuitShape;
  /** Jobs kept in flight (default 8): more than the workers take at once keeps them busy. */
  concurrency?: number;
  /** Give up waiting for one job after this long (default 1 hour). */
  timeoutMs?: number;
  /** Tries per job when a worker fails transiently (default 3). */
  attempts?: number;
}

export const DEFAULT_QUEUE_NAME = "sui-zk-settle";

interface JobData {
  batch: string;
  circuitInput: string;
  circuit: CircuitShape;
}

interface JobResult {
  proof: Groth16Proof;
  publicSignals: PublicSignals;
  witnessMs: number;
  proveMs: number;
  prover: string;
}

/**
 * @example
 * const prover = createQueueProver({ redisUrl: "redis://127.0.0.1:6379", circuit: { depth: 40, batchSize: 8 } });
 * const output = await prover.prove({ batch: 7n, circuitInput });
 */
export function createQueueProver(options: QueueProverOptions): BatchProver {
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const connection = { url: options.redisUrl };
  const queue = new Queue<JobData, JobResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  const timeoutMs = options.timeoutMs ?? 3_600_000;
  let closed = false;

  return {
    concurrency: options.concurrency ?? 8,
    async prove(job: ProveJob): Promise<ProveOutput> {
      if (closed) throw new NonRetryableError("the queue prover is closed");
      const digest = createHash("sha256").update(job.circuitInput).digest("hex").slice(0, 16);
      let added: Job<JobData, JobResult>;
      try {
        await events.waitUntilReady();
        added = await queue.add(
          "prove",
          { batch: job.batch.toString(), circuitInput: job.circuitInput, circuit: options.circuit },
          {
            jobId: `batch-${job.batch}-${digest}`,
            attempts: options.attempts ?? 3,
            backoff: { type: "exponential", delay: 1000 },
            removeOnComplete: { age: 3600 },
            removeOnFail: { age: 24 * 3600 },
          },
        );
      } catch (error) {
        throw new RetryableError("could not queue the proving job", { cause: error, details: { batch: job.batch, queue: name } });
      }
      try {
        const result = await added.waitUntilFinished(events, timeoutMs);
        return result;
      } catch (error) {
        // BullMQ reports a failed job with the worker's message; a refusal is unrecoverable there.
        const message = error instanceof Error ? error.message : String(error);
        const unrecoverable = /^not retryable: /.test(message);
        const ErrorClass = unrecoverable ? NonRetryableError : RetryableError;
        throw new ErrorClass("the proving job failed", {
          cause: error,
          details: { batch: job.batch, queue: name, job: added.id ?? null, reason: message },
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await events.close();
      await queue.close();
    },
  };
}

export interface QueueWorkerOptions extends QueueConnection {
  artifacts: ProvingArtifacts;
  circuit: CircuitShape;
  /** Proofs this process runs at once, one worker thread each (default 1). */
  threads?: number;
  /** Names the worker in results and logs (default host-pid). */
  name?: string;
}

export interface QueueWorker {
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Takes proving jobs from the queue until closed.
 *
 * @example
 * const worker = startQueueWorker(common, { redisUrl, artifacts, circuit: { depth: 40, batchSize: 8 }, threads: 4 });
 * common.shutdown.onStop(() => worker.close());
 */
export function startQueueWorker(common: Common, options: QueueWorkerOptions): QueueWorker {
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const threads = options.threads ?? 1;
  const logger = common.logger.child({ component: "prove-worker", worker: name });
  const prover = createThreadProver({ artifacts: options.artifacts, threads });
  const worker = new Worker<JobData, JobResult>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    async (job) => {
      const { circuit } = job.data;
      if (circuit.depth !== options.circuit.depth || circuit.batchSize !== options.circuit.batchSize) {
        throw new UnrecoverableError(
          `not retryable: this worker proves depth ${options.circuit.depth} B ${options.circuit.batchSize}, the job is depth ${circuit.depth} B ${circuit.batchSize}`,
        );
      }
      const batch = BigInt(job.data.batch);
      try {
        const output = await prover.prove({ batch, circuitInput: job.data.circuitInput });
        logger.info({ batch: job.data.batch, proveMs: Math.round(output.proveMs) }, "proved");
        return { ...output, prover: `queue:${name}:${output.prover}` };
      } catch (error) {
        const message = error instanceof BaseError ? error.message : String(error);
        logger.warn({ batch: job.data.batch, err: error }, "proving failed");
        if (!isRetryable(error)) throw new UnrecoverableError(`not retryable: ${message}`);
        throw error;
      }
    },
    { connection: { url: options.redisUrl }, concurrency: threads },
  );
  worker.on("error", (error) => logger.error({ err: error }, "queue worker error"));
  return {
    name,
    async close() {
      await worker.close();
      await prover.close();
    },
  };
}
