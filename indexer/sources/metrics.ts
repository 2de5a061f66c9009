/**
 * Source-side Prometheus metrics: where checkpoints came from, transient failures by
 * reason (each one is retried by the ingest loop), and subscription reconnects.
 */
import { Counter, type Registry } from "prom-client";
import { BaseError } from "../../common/errors.ts";

export interface SourceMetrics {
  /** Checkpoints fetched, by origin: subscription, ledger, archive, folder, remote. */
  fetched: Counter<"origin">;
  /** Transient fetch failures (retried), by reason: unavailable, resource_exhausted, http_503, … */
  retries: Counter<"reason">;
  /** Subscription reconnects after a failure, by reason. */
  reconnects: Counter<"reason">;
}

/**
 * Registered once per registry, so every source of a process shares them.
 *
 * @example
 * sourceMetrics(common.metrics).fetched.inc({ origin: "ledger" });
 */
export function sourceMetrics(registry: Registry): SourceMetrics {
  const counter = <L extends string>(name: string, help: string, label: L): Counter<L> =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames: [label], registers: [registry] });
  return {
    fetched: counter("sui_zk_indexer_source_checkpoints_total", "Checkpoints fetched, by origin (subscription, ledger, archive, …)", "origin"),
    retries: counter("sui_zk_indexer_source_retries_total", "Transient source failures, each retried with backoff, by reason", "reason"),
    reconnects: counter("sui_zk_indexer_subscription_reconnects_total", "Checkpoint subscription reconnects after a failure, by reason", "reason"),
  };
}

/**
 * A short, bounded label for a transient failure: the gRPC reason the source set, else the
 * HTTP status, a timeout, or the system error code.
 *
 * @example
 * retryReason(new RetryableError("x", { details: { status: 503 } })); // "http_503"
 */
export function retryReason(error: unknown): string {
  if (!(error instanceof BaseError)) return "other";
  const { reason, status, timeoutMs, code } = error.details;
  if (typeof reason === "string" && /^[a-z_]{1,40}$/.test(reason)) return reason;
  if (typeof status === "number") return `http_${status}`;
  if (timeoutMs !== undefined) return "timeout";
  if (typeof code === "string" && /^[A-Z_]{1,20}$/.test(code)) return code.toLowerCase();
  return "network";
}
