/**
 * Follows the tip of the chain with `SubscriptionService.SubscribeCheckpoints` and keeps a
 * small bounded cache of the checkpoints it streamed, plus the highest one seen.
 *
 * A subscription cannot resume: it starts at the node's tip, and after a reconnect it
 * starts at the new tip. Whatever it did not deliver (before it started, while it was
 * down, or skipped) is not its business: the source fetches it from the ledger service.
 * So the cache is only a shortcut, and evicting from it never loses anything.
 */
import { setMaxListeners } from "node:events";
import type { GrpcTypes } from "@mysten/sui/grpc";
import type { Logger } from "../../common/logger.ts";
import { RetryableError } from "../../common/errors.ts";
import { backoffDelay, sleep, type BackoffOptions } from "../ingest/backoff.ts";
import { grpcFailure } from "./grpc-errors.ts";
import type { SuiGrpcConnection } from "./grpc-client.ts";

type ProtoCheckpoint = GrpcTypes.Checkpoint;

export interface StreamedCheckpoint {
  message: ProtoCheckpoint;
  /** Approximate encoded size (its BCS payloads). */
  bytes: number;
}

export interface CheckpointSubscriptionOptions {
  connection: SuiGrpcConnection;
  readMask: readonly string[];
  logger: Logger;
  /** Cache bounds (default 256 checkpoints, 256 MiB); the oldest entries go first. */
  maxCheckpoints?: number;
  maxBytes?: number;
  backoff?: BackoffOptions;
  /** Reconnect when an open stream brings nothing for this long (default 60 s): it may have stalled. */
  idleTimeoutMs?: number;
  /** Called before each reconnect after a transient failure. */
  onRetry?(reason: string, error: unknown): void;
  /** Called when a checkpoint arrives on the stream. */
  onStreamed?(sequenceNumber: bigint): void;
}

export interface CheckpointSubscription {
  /** Highest checkpoint streamed so far; null before the first. */
  readonly tip: bigint | null;
  /** True while a stream is open and has answered. */
  readonly connected: boolean;
  /** False once the node said it offers no subscription (the source then polls). */
  readonly available: boolean;
  /** Removes and returns a cached checkpoint. */
  take(sequenceNumber: bigint): StreamedCheckpoint | undefined;
  /** Waits up to `timeoutMs` for the stream to deliver `sequenceNumber`; null when it did not. */
  waitFor(sequenceNumber: bigint, timeoutMs: number, signal?: AbortSignal): Promise<StreamedCheckpoint | null>;
  /** Opens the stream (idempotent); it reconnects by itself until `close()`. */
  start(): void;
  close(): Promise<void>;
}

/**
 * @example
 * const subscription = createCheckpointSubscription({ connection, readMask: CHECKPOINT_READ_MASK, logger });
 * subscription.start();
 * const next = await subscription.waitFor(subscription.tip! + 1n, 5_000);
 */
export function createCheckpointSubscription(options: CheckpointSubscriptionOptions): CheckpointSubscription {
  const { connection, logger } = options;
  const maxCheckpoints = Math.max(1, options.maxCheckpoints ?? 256);
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const cache = new Map<bigint, StreamedCheckpoint>();
  const waiters = new Map<bigint, Set<() => void>>();
  let cachedBytes = 0;
  let tip: bigint | null = null;
  let connected = false;
  let available = true;
  let running: Promise<void> | null = null;

  const put = (sequenceNumber: bigint, message: ProtoCheckpoint) => {
    if (!cache.has(sequenceNumber)) {
      const entry = { message, bytes: checkpointMessageBytes(message) };
      cache.set(sequenceNumber, entry);
      cachedBytes += entry.bytes;
    }
    // Bounded whatever the lag: drop the oldest (the ledger serves them just as well).
    while (cache.size > maxCheckpoints || (cachedBytes > maxBytes && cache.size > 1)) {
      let oldest: bigint | null = null;
      for (const key of cache.keys()) if (oldest === null || key < oldest) oldest = key;
      cachedBytes -= cache.get(oldest!)!.bytes;
      cache.delete(oldest!);
    }
    for (const wake of waiters.get(sequenceNumber) ?? []) wake();
  };

  const follow = async () => {
    const paths = [...options.readMask];
    for (let attempt = 0; !controller.signal.aborted; ) {
      const stream = new AbortController();
      const abortStream = () => stream.abort(controller.signal.reason);
      controller.signal.addEventListener("abort", abortStream, { once: true });
      let idle = false;
      let idleTimer: NodeJS.Timeout | undefined;
      const armIdleTimer = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
          idle = true;
          stream.abort(new Error("subscription idle"));
        }, idleTimeoutMs);
      };
      try {
        armIdleTimer();
        const call = connection.client.subscriptionService.subscribeCheckpoints({ readMask: { paths } }, { abort: stream.signal });
        // Open once the node answers its headers, before the first checkpoint comes.
        call.headers.then(
          () => {
            connected = true;
          },
          () => {},
        );
        for await (const frame of call.responses) {
          connected = true;
          attempt = 0;
          armIdleTimer();
          const sequenceNumber = frame.checkpoint?.sequenceNumber ?? frame.cursor;
          if (sequenceNumber === undefined) continue;
          if (frame.checkpoint) put(sequenceNumber, frame.checkpoint);
          if (tip === null || sequenceNumber > tip) tip = sequenceNumber;
          options.onStreamed?.(sequenceNumber);
        }
        throw new RetryableError("checkpoint subscription ended", { details: { node: connection.target, reason: "stream_end" } });
      } catch (error) {
        connected = false;
        if (controller.signal.aborted) return;
        const failure =
          error instanceof RetryableError
            ? error
            : idle
              ? new RetryableError("checkpoint subscription idle", { cause: error, details: { node: connection.target, idleTimeoutMs, reason: "idle" } })
              : grpcFailure(error, { method: "SubscribeCheckpoints", target: connection.target });
        if (!failure.retryable && failure.details.code === "UNIMPLEMENTED") {
          available = false;
          logger.warn({ node: connection.target }, "full node offers no checkpoint subscription: polling the ledger service at the tip");
          return;
        }
        const reason = String(failure.details.reason ?? String(failure.details.code).toLowerCase());
        options.onRetry?.(reason, failure);
        // A persistent failure (e.g. PERMISSION_DENIED on subscriptions only) keeps retrying slowly: the ledger still serves.
        const delayMs = backoffDelay(failure.retryable ? attempt : 30, options.backoff);
        attempt++;
        logger.warn({ err: failure, node: connection.target, attempt, delayMs }, "checkpoint subscription failed: reconnecting");
        await sleep(delayMs, controller.signal).catch(() => {});
      } finally {
        clearTimeout(idleTimer);
        controller.signal.removeEventListener("abort", abortStream);
      }
    }
  };

  return {
    get tip() {
      return tip;
    },
    get connected() {
      return connected;
    },
    get available() {
      return available;
    },
    take(sequenceNumber) {
      const entry = cache.get(sequenceNumber);
      if (entry) {
        cache.delete(sequenceNumber);
        cachedBytes -= entry.bytes;
      }
      return entry;
    },
    async waitFor(sequenceNumber, timeoutMs, signal) {
      if (cache.has(sequenceNumber)) return this.take(sequenceNumber) ?? null;
      await new Promise<void>((resolve) => {
        const set = waiters.get(sequenceNumber) ?? new Set();
        waiters.set(sequenceNumber, set);
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          controller.signal.removeEventListener("abort", done);
          set.delete(done);
          if (set.size === 0) waiters.delete(sequenceNumber);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        set.add(done);
        signal?.addEventListener("abort", done, { once: true });
        controller.signal.addEventListener("abort", done, { once: true });
      });
      return this.take(sequenceNumber) ?? null;
    },
    start() {
      running ??= follow();
    },
    async close() {
      controller.abort(new Error("subscription closed"));
      await running;
      cache.clear();
      cachedBytes = 0;
    },
  };
}

/**
 * The approximate encoded size of a checkpoint message: its BCS payloads, which are nearly
 * all of it. Cheaper than re-encoding it to measure.
 *
 * @example
 * bytesAhead += checkpointMessageBytes(response.checkpoint!);
 */
export function checkpointMessageBytes(message: ProtoCheckpoint): number {
  let bytes = (message.summary?.bcs?.value?.length ?? 0) + (message.contents?.bcs?.value?.length ?? 0) + 160;
  for (const tx of message.transactions) {
    bytes += (tx.transaction?.bcs?.value?.length ?? 0) + (tx.effects?.bcs?.value?.length ?? 0) + (tx.events?.bcs?.value?.length ?? 0);
    for (const object of tx.objects?.objects ?? []) bytes += object.bcs?.value?.length ?? 0;
  }
  for (const object of message.objects?.objects ?? []) bytes += object.bcs?.value?.length ?? 0;
  return bytes;
}
