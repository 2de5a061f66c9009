import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The indexer's Prometheus metrics, registered once per registry. */
export interface IndexerMetrics {
  watermark: Gauge<"pipeline">;
  checkpoints: Counter;
  transactions: Counter;
  rows: Counter<"table">;
  commitSeconds: Histogram;
  fetchRetries: Counter;
  lagCheckpoints: Gauge;
  fetchConcurrency: Gauge;
}

/**
 * @example
 * const metrics = indexerMetrics(common.metrics);
 * metrics.checkpoints.inc(10);
 */
export function indexerMetrics(registry: Registry): IndexerMetrics {
  const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  const registers = [registry];
  return {
    watermark: get("sui_zk_indexer_watermark_checkpoint", () => new Gauge({ name: "sui_zk_indexer_watermark_checkpoint", help: "Highest committed checkpoint per pipeline", labelNames: ["pipeline"], registers })),
    checkpoints: get("sui_zk_indexer_checkpoints_total", () => new Counter({ name: "sui_zk_indexer_checkpoints_total", help: "Checkpoints committed", registers })),
    transactions: get("sui_zk_indexer_transactions_total", () => new Counter({ name: "sui_zk_indexer_transactions_total", help: "Transactions in committed checkpoints", registers })),
    rows: get("sui_zk_indexer_rows_total", () => new Counter({ name: "sui_zk_indexer_rows_total", help: "Rows written per table", labelNames: ["table"], registers })),
    commitSeconds: get("sui_zk_indexer_commit_seconds", () => new Histogram({ name: "sui_zk_indexer_commit_seconds", help: "Batch commit latency", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers })),
    fetchRetries: get("sui_zk_indexer_fetch_retries_total", () => new Counter({ name: "sui_zk_indexer_fetch_retries_total", help: "Transient source failures retried", registers })),
    lagCheckpoints: get("sui_zk_indexer_lag_checkpoints", () => new Gauge({ name: "sui_zk_indexer_lag_checkpoints", help: "Checkpoints between the source's latest and the watermark", registers })),
    fetchConcurrency: get("sui_zk_indexer_fetch_concurrency", () => new Gauge({ name: "sui_zk_indexer_fetch_concurrency", help: "Checkpoint fetches allowed at once (adapts to the database when a minimum is set)", registers })),
  };
}
