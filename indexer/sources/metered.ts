/**
 * Wraps any source to count its transient failures by reason. The ingest loop retries each
 * one with capped exponential backoff, so this counts retries, whatever the source.
 */
import type { Common } from "../../common/context.ts";
import { isRetryable } from "../../common/errors.ts";
import { retryReason, sourceMetrics } from "./metrics.ts";
import type { CheckpointSource } from "./types.ts";

/**
 * @example
 * const source = meteredSource(common, remoteStoreSource(url));
 * // sui_zk_indexer_source_retries_total{reason="http_429"} counts its 429s
 */
export function meteredSource(common: Common, source: CheckpointSource): CheckpointSource {
  const { retries } = sourceMetrics(common.metrics);
  return {
    name: source.name,
    async fetch(sequenceNumber, signal) {
      try {
        return await source.fetch(sequenceNumber, signal);
      } catch (error) {
        if (!signal?.aborted && isRetryable(error)) retries.inc({ reason: retryReason(error) });
        throw error;
      }
    },
    ...(source.latest ? { latest: (signal?: AbortSignal) => source.latest!(signal) } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}
