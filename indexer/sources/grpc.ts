/**
 * Checkpoints from a Sui full node over gRPC (`sui.rpc.v2`):
 * - `LedgerService.GetCheckpoint`, called concurrently by the ingest loop, to catch up and
 *   to fill every gap the subscription leaves;
 * - `SubscriptionService.SubscribeCheckpoints` at the tip, feeding a small bounded cache
 *   (grpc-subscription.ts): a fetch past the tip waits briefly for the stream instead of
 *   polling, and a fetch of a streamed checkpoint is served from the cache;
 * - `LedgerService.GetServiceInfo` for the chain id and the lowest checkpoint the node
 *   still holds (full nodes prune): a checkpoint below it fails with
 *   `PrunedCheckpointError`, which archive-fallback.ts turns into a remote-store fetch.
 *
 * Status mapping: NOT_FOUND past the tip -> `notFound` (polled); UNAVAILABLE,
 * RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED, stream resets -> RetryableError with a
 * `reason`; anything else -> NonRetryableError naming the checkpoint.
 */
import type { GrpcTypes } from "@mysten/sui/grpc";
import type { Common } from "../../common/context.ts";
import { NonRetryableError, RetryableError } from "../../common/errors.ts";
import { decodeCheckpointMessage } from "../decode/binpb.ts";
import type { BackoffOptions } from "../ingest/backoff.ts";
import { createSuiGrpcConnection, type GrpcEndpointOptions, type SuiGrpcConnection } from "./grpc-client.ts";
import { grpcFailure, isGrpcNotFound } from "./grpc-errors.ts";
import { checkpointMessageBytes, createCheckpointSubscription, type CheckpointSubscription } from "./grpc-subscription.ts";
import { sourceMetrics } from "./metrics.ts";
import type { CheckpointSource, FetchResult } from "./types.ts";

/**
 * Exactly the fields decode/binpb.ts reads, and nothing more: the summary and contents BCS
 * (user signatures come from the contents), the quorum signature, each transaction's
 * `TransactionData`, effects and events BCS, and the checkpoint's object set.
 */
export const CHECKPOINT_READ_MASK: readonly string[] = [
  "sequence_number",
  "summary.bcs.value",
  "signature",
  "contents.bcs.value",
  "transactions.transaction.bcs.value",
  "transactions.effects.bcs.value",
  "transactions.events.bcs.value",
  "objects.objects.bcs.value",
];

export interface ServiceInfo {
  /** Base58 digest of the genesis checkpoint: identifies the network. */
  chainId: string;
  /** Human-readable chain name, when the node says (e.g. "mainnet"). */
  chain: string | null;
  /** Highest checkpoint the node has executed. */
  checkpointHeight: bigint | null;
  /** Lowest checkpoint the node still serves (0 for an unpruned node). */
  lowestAvailableCheckpoint: bigint;
  /** Timestamp of `checkpointHeight`, ms. */
  timestampMs: bigint | null;
}

export interface GrpcSourceOptions {
  /** The endpoint to connect to, or an open connection (closed with the source). */
  endpoint: GrpcEndpointOptions | SuiGrpcConnection;
  /** Follow the tip with a subscription (default true); without one, the tip is polled. */
  subscribe?: boolean;
  /** Subscription cache bounds (default 256 checkpoints / 256 MiB). */
  cacheCheckpoints?: number;
  cacheBytes?: number;
  /** How long a fetch past the tip waits for the stream before answering notFound (default 2 s). */
  tipWaitMs?: number;
  /** Deadline of each unary call (default 60 s). */
  requestTimeoutMs?: number;
  /** How old the cached service info (lowest available checkpoint, height) may get (default 30 s). */
  serviceInfoMaxAgeMs?: number;
  /** Reconnect backoff of the subscription. */
  backoff?: BackoffOptions;
}

/** A checkpoint the node pruned: fetch it elsewhere (archive-fallback.ts). */
export class PrunedCheckpointError extends NonRetryableError {
  override name = "PrunedCheckpointError";
}

export interface GrpcSource extends CheckpointSource {
  readonly connection: SuiGrpcConnection;
  /** The node's chain id, height and lowest available checkpoint (cached up to `maxAgeMs`). */
  serviceInfo(options?: { maxAgeMs?: number; signal?: AbortSignal }): Promise<ServiceInfo>;
  /** The lowest checkpoint the node serves, from the cached service info. */
  lowestAvailable(signal?: AbortSignal): Promise<bigint>;
  /** The highest checkpoint known without asking (stream or last service info); null before either. */
  knownTip(): bigint | null;
  /** The known tip, without a call (see `knownTip`). */
  latest(signal?: AbortSignal): Promise<bigint | null>;
  /** Ends the subscription and closes the connection. */
  close(): Promise<void>;
}

/**
 * @example
 * const source = createGrpcSource(common, { endpoint: { url: SUI_GRPC_ENDPOINTS.mainnet } });
 * const { chainId } = await source.serviceInfo();
 * const result = await source.fetch(100_000_000n);
 */
export function createGrpcSource(common: Common, options: GrpcSourceOptions): GrpcSource {
  const connection = "client" in options.endpoint ? options.endpoint : createSuiGrpcConnection(options.endpoint);
  const logger = common.logger.child({ component: "grpc-source", node: connection.target });
  const metrics = sourceMetrics(common.metrics);
  const tipWaitMs = options.tipWaitMs ?? 2_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const serviceInfoMaxAgeMs = options.serviceInfoMaxAgeMs ?? 30_000;
  const paths = [...CHECKPOINT_READ_MASK];
  const scheme = connection.tls ? "grpcs" : "grpc";
  let info: { value: ServiceInfo; at: number } | null = null;
  let infoRequest: Promise<ServiceInfo> | null = null;

  const subscription: CheckpointSubscription | null =
    options.subscribe === false
      ? null
      : createCheckpointSubscription({
          connection,
          readMask: paths,
          logger,
          maxCheckpoints: options.cacheCheckpoints,
          maxBytes: options.cacheBytes,
          backoff: options.backoff,
          onRetry: (reason) => metrics.reconnects.inc({ reason }),
        });
  common.shutdown.signal.addEventListener("abort", () => void subscription?.close(), { once: true });

  const found = (message: GrpcTypes.Checkpoint, location: string, origin: string): FetchResult => {
    const checkpoint = decodeCheckpointMessage(message, location);
    metrics.fetched.inc({ origin });
    return { kind: "found", checkpoint, bytes: checkpointMessageBytes(message), location };
  };

  const fetchServiceInfo = async (signal?: AbortSignal): Promise<ServiceInfo> => {
    const call = linked(signal);
    try {
      const response = await connection.client.ledgerService.getServiceInfo({}, { abort: call.signal, timeout: requestTimeoutMs }).response;
      if (!response.chainId) throw new NonRetryableError("full node did not say its chain id", { details: { node: connection.target } });
      const value: ServiceInfo = {
        chainId: response.chainId,
        chain: response.chain ?? null,
        checkpointHeight: response.checkpointHeight ?? null,
        lowestAvailableCheckpoint: response.lowestAvailableCheckpoint ?? 0n,
        timestampMs: response.timestamp ? response.timestamp.seconds * 1000n + BigInt(Math.floor(response.timestamp.nanos / 1e6)) : null,
      };
      info = { value, at: Date.now() };
      return value;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof NonRetryableError) throw error;
      throw grpcFailure(error, { method: "GetServiceInfo", target: connection.target });
    } finally {
      call.dispose();
    }
  };

  const source: GrpcSource = {
    name: `grpc:${connection.target}`,
    connection,

    async serviceInfo({ maxAgeMs = serviceInfoMaxAgeMs, signal } = {}) {
      if (info && Date.now() - info.at <= maxAgeMs) return info.value;
      // One request at a time however many fetches ask.
      infoRequest ??= fetchServiceInfo(signal).finally(() => {
        infoRequest = null;
      });
      return infoRequest;
    },

    async lowestAvailable(signal) {
      return (await source.serviceInfo({ signal })).lowestAvailableCheckpoint;
    },

    knownTip() {
      const streamed = subscription?.tip ?? null;
      const height = info?.value.checkpointHeight ?? null;
      if (streamed === null) return height;
      return height === null || streamed > height ? streamed : height;
    },

    async latest() {
      // Only what is known without a call: the ingest loop asks this right after a
      // notFound, and an answer fresher than the one that decided it would look like a hole.
      return source.knownTip();
    },

    async fetch(sequenceNumber, signal) {
      signal?.throwIfAborted();
      if (subscription?.available) subscription.start();
      const streamed = subscription?.take(sequenceNumber);
      if (streamed) return found(streamed.message, `${scheme}://${connection.target}/subscription/${sequenceNumber}`, "subscription");
      const pastStreamedTip = subscription?.connected === true && subscription.tip !== null && sequenceNumber > subscription.tip;
      if (!pastStreamedTip) {
        const result = await fromLedger(sequenceNumber, signal);
        if (result.kind === "found" || !subscription?.connected) return result;
      }
      // Past the tip with a live stream: it brings the checkpoint sooner than polling would.
      const waited = await subscription!.waitFor(sequenceNumber, tipWaitMs, signal);
      signal?.throwIfAborted();
      if (waited) return found(waited.message, `${scheme}://${connection.target}/subscription/${sequenceNumber}`, "subscription");
      // Not streamed in time: skipped, lost in a reconnect, or the stream stalls. Ask the ledger.
      return fromLedger(sequenceNumber, signal);
    },

    async close() {
      await subscription?.close();
      connection.close();
    },
  };

  const fromLedger = async (sequenceNumber: bigint, signal?: AbortSignal): Promise<FetchResult> => {
    const location = `${scheme}://${connection.target}/checkpoints/${sequenceNumber}`;
    const call = linked(signal);
    try {
      const response = await connection.client.ledgerService.getCheckpoint(
        { checkpointId: { oneofKind: "sequenceNumber", sequenceNumber }, readMask: { paths } },
        { abort: call.signal, timeout: requestTimeoutMs },
      ).response;
      if (!response.checkpoint) {
        throw new NonRetryableError("full node answered without a checkpoint", { details: { node: connection.target, checkpoint: sequenceNumber } });
      }
      return found(response.checkpoint, location, "ledger");
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof NonRetryableError || error instanceof RetryableError) throw error;
      if (!isGrpcNotFound(error)) throw grpcFailure(error, { method: "GetCheckpoint", target: connection.target, checkpoint: sequenceNumber });
      return notFound(sequenceNumber, location, signal);
    } finally {
      call.dispose();
    }
  };

  /** NOT_FOUND: past the tip (poll), pruned (fetch elsewhere), or not readable yet (retry). */
  const notFound = async (sequenceNumber: bigint, location: string, signal?: AbortSignal): Promise<FetchResult> => {
    const tip = source.knownTip();
    if (tip !== null && sequenceNumber > tip) return { kind: "notFound", location };
    // Pruning moves the lowest checkpoint up: ask afresh before calling it pruned.
    const fresh = await source.serviceInfo({ maxAgeMs: 0, signal });
    if (sequenceNumber < fresh.lowestAvailableCheckpoint) {
      throw new PrunedCheckpointError("Checkpoint is pruned on the full node: index it from a checkpoint store (--remote-store)", {
        details: { node: connection.target, checkpoint: sequenceNumber, lowestAvailable: fresh.lowestAvailableCheckpoint },
      });
    }
    const height = source.knownTip();
    if (height !== null && sequenceNumber <= height) {
      // Executed but not served yet: the node's ledger lags its own height for a moment.
      throw new RetryableError("full node has not made the checkpoint readable yet", {
        details: { node: connection.target, checkpoint: sequenceNumber, height, reason: "not_found_below_tip" },
      });
    }
    return { kind: "notFound", location };
  };

  return source;
}

/**
 * A per-call signal tied to the caller's: the transport never removes its abort listener,
 * so handing it a long-lived signal would leak one listener per call.
 */
function linked(signal: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (!signal) return { signal: controller.signal, dispose: () => {} };
  const abort = () => controller.abort(signal.reason);
  if (signal.aborted) abort();
  else signal.addEventListener("abort", abort, { once: true });
  return { signal: controller.signal, dispose: () => signal.removeEventListener("abort", abort) };
}
