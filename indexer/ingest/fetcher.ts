/**
 * Ordered fetch-ahead: fetches the planned checkpoints with bounded concurrency, keeps at
 * most `maxAhead` checkpoints (and about `maxBytesAhead` bytes) fetched but not yet taken,
 * and hands them out strictly in plan order. The consumer taking them is the only thing
 * that lets fetching continue, so a slow database holds the source back (backpressure)
 * and memory stays bounded whatever the range.
 */
import { setMaxListeners } from "node:events";
import PQueue from "p-queue";
import { BaseError, NonRetryableError, isRetryable } from "../../common/errors.ts";
import type { CheckpointModel } from "../model.ts";
import type { CheckpointSource } from "../sources/index.ts";
import { backoffDelay, sleep, type BackoffOptions } from "./backoff.ts";

export interface FetchedCheckpoint {
  checkpoint: CheckpointModel;
  /** Encoded size as fetched. */
  bytes: number;
  /** File path or URL: named in errors. */
  location: string;
  /** Time spent reading and decoding it (ms). */
  fetchMs: number;
}

export interface FetchRetry {
  sequenceNumber: bigint;
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface CheckpointFetcherOptions {
  source: CheckpointSource;
  /** Sequence numbers in the order they must be handed out. */
  sequence: Iterable<bigint>;
  /** Fetches running at once (default 8); with `minConcurrency`, the most at once. */
  concurrency?: number;
  /**
   * Adapt the number of fetches at once between this and `concurrency`: one more each time
   * the consumer has to wait for the source, one fewer each time every slot ahead is
   * fetched and waiting for the consumer (the database is the slower side).
   */
  minConcurrency?: number;
  /** Called when the adaptive concurrency changes. */
  onConcurrency?(concurrency: number): void;
  /** Checkpoints fetched or in flight but not yet taken (default 64). */
  maxAhead?: number;
  /** Stop scheduling fetches while this many fetched bytes wait to be taken (default 64 MiB). */
  maxBytesAhead?: number;
  /** Delay between polls of a checkpoint that does not exist yet (default 1 s). */
  pollIntervalMs?: number;
  backoff?: BackoffOptions;
  /** Retries of one checkpoint's transient failures before giving up (default: unlimited). */
  maxRetries?: number;
  signal?: AbortSignal;
  onRetry?(retry: FetchRetry): void;
  onPoll?(sequenceNumber: bigint, location: string): void;
}

export interface CheckpointFetcher {
  /** The next checkpoint in plan order; null when the plan is exhausted or fetching stopped. */
  next(): Promise<FetchedCheckpoint | null>;
  /** Fetches allowed at once now. */
  readonly concurrency: number;
  /** True when the next checkpoint is already fetched (taking it will not wait). */
  nextIsReady(): boolean;
  /** Stops scheduling fetches and cancels those in flight. */
  close(): void;
}

interface Slot {
  sequenceNumber: bigint;
  promise: Promise<FetchedCheckpoint>;
  settled: boolean;
  bytes: number;
}

/**
 * @example
 * const fetcher = createCheckpointFetcher({ source, sequence: [1n, 2n, 3n], concurrency: 8 });
 * for (let f = await fetcher.next(); f; f = await fetcher.next()) handle(f.checkpoint);
 */
export function createCheckpointFetcher(options: CheckpointFetcherOptions): CheckpointFetcher {
  const { source } = options;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const minConcurrency = Math.min(concurrency, Math.max(1, options.minConcurrency ?? concurrency));
  const maxAhead = Math.max(concurrency, options.maxAhead ?? 64);
  const maxBytesAhead = options.maxBytesAhead ?? 64 * 1024 * 1024;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const maxRetries = options.maxRetries ?? Number.POSITIVE_INFINITY;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  // Every queued fetch and every sleep listens to it: up to maxAhead listeners by design.
  setMaxListeners(0, signal);
  const queue = new PQueue({ concurrency });
  const iterator = options.sequence[Symbol.iterator]();
  const slots: Slot[] = [];
  let exhausted = false;
  let bytesAhead = 0;

  const fetchOne = async (sequenceNumber: bigint): Promise<FetchedCheckpoint> => {
    for (let attempt = 0; ; ) {
      signal.throwIfAborted();
      const started = performance.now();
      try {
        const result = await source.fetch(sequenceNumber, signal);
        if (result.kind === "found") {
          if (result.checkpoint.sequenceNumber !== sequenceNumber) {
            throw new NonRetryableError("Checkpoint sequence number disagrees with the one requested", {
              details: { file: result.location, checkpoint: sequenceNumber, found: result.checkpoint.sequenceNumber },
            });
          }
          return { ...result, fetchMs: performance.now() - started };
        }
        await missingIsAGap(sequenceNumber, result.location);
        options.onPoll?.(sequenceNumber, result.location);
        attempt = 0;
        await sleep(pollIntervalMs, signal);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (!isRetryable(error) || attempt >= maxRetries) throw locate(error, sequenceNumber);
        const delayMs = backoffDelay(attempt, options.backoff);
        options.onRetry?.({ sequenceNumber, attempt, delayMs, error });
        attempt++;
        await sleep(delayMs, signal);
      }
    }
  };

  /**
   * A checkpoint that is not there while later ones are is a hole, not the tip: polling
   * would wait forever, so it is an error naming the missing checkpoint. Sources that know
   * their highest checkpoint (a local folder) say so through `latest()`.
   */
  const missingIsAGap = async (sequenceNumber: bigint, location: string) => {
    if (!source.latest) return;
    const latest = await source.latest(signal);
    if (latest !== null && latest > sequenceNumber) {
      throw new NonRetryableError("Checkpoint is missing while later checkpoints exist", {
        details: { file: location, checkpoint: sequenceNumber, latest },
      });
    }
  };

  const fill = () => {
    while (!exhausted && !signal.aborted && slots.length < maxAhead && bytesAhead < maxBytesAhead) {
      const step = iterator.next();
      if (step.done) {
        exhausted = true;
        break;
      }
      const slot: Slot = { sequenceNumber: step.value, settled: false, bytes: 0, promise: undefined as never };
      slot.promise = queue.add(() => fetchOne(slot.sequenceNumber), { signal }) as Promise<FetchedCheckpoint>;
      slot.promise.then(
        (fetched) => {
          slot.settled = true;
          slot.bytes = fetched.bytes;
          bytesAhead += fetched.bytes;
        },
        () => {
          slot.settled = true; // handled by whoever takes the slot; never an unhandled rejection
        },
      );
      slots.push(slot);
    }
  };

  const adapt = (sourceWasSlower: boolean) => {
    const current = queue.concurrency;
    const next = sourceWasSlower
      ? Math.min(concurrency, current + 1)
      : slots.length >= maxAhead - 1 && slots.every((s) => s.settled)
        ? Math.max(minConcurrency, current - 1)
        : current;
    if (next !== current) {
      queue.concurrency = next;
      options.onConcurrency?.(next);
    }
  };

  return {
    get concurrency() {
      return queue.concurrency;
    },
    async next() {
      fill();
      const slot = slots.shift();
      if (!slot) return null;
      if (minConcurrency < concurrency) adapt(!slot.settled);
      try {
        const fetched = await slot.promise;
        bytesAhead -= slot.bytes;
        return fetched;
      } catch (error) {
        if (signal.aborted) return null;
        throw error;
      } finally {
        fill();
      }
    },
    nextIsReady() {
      return slots[0]?.settled ?? false;
    },
    close() {
      controller.abort(new Error("fetcher closed"));
      queue.clear();
    },
  };
}

/** Makes sure an error names the checkpoint it is about. */
function locate(error: unknown, sequenceNumber: bigint): unknown {
  if (error instanceof BaseError) {
    if (error.details.checkpoint !== undefined && error.details.checkpoint !== null && !error.retryable) return error;
    return new NonRetryableError(error.shortMessage, {
      cause: error,
      details: { ...error.details, checkpoint: sequenceNumber },
    });
  }
  return new NonRetryableError("Cannot fetch checkpoint", {
    cause: error,
    details: { checkpoint: sequenceNumber, reason: error instanceof Error ? error.message : String(error) },
  });
}
