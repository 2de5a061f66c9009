import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The settler's Prometheus metrics, registered once per registry. */
export interface SettlerMetrics {
  /** Live batches per state (planned, proved, signed, posted). */
  batchesPending: Gauge<"state">;
  /** Witness + Groth16 prove time per batch, as the prover measured it. */
  provingSeconds: Histogram;
  /** From proved to confirmed on chain. */
  postingLatencySeconds: Histogram;
  batches: Counter<"event">;
  /** Stream rows covered by planned batches, and their operations. */
  changes: Counter;
  operations: Counter;
  /** The checkpoint the next batch starts in (a whole cursor exceeds a float's precision). */
  cursorCheckpoint: Gauge;
}

/**
 * @example
 * const metrics = settlerMetrics(common.metrics);
 * metrics.provingSeconds.observe(12.5);
 */
export function settlerMetrics(registry: Registry): SettlerMetrics {
  const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  const registers = [registry];
  return {
    batchesPending: get("sui_settler_batches_pending", () => new Gauge({ name: "sui_settler_batches_pending", help: "Batches not yet confirmed, per state", labelNames: ["state"], registers })),
    provingSeconds: get("sui_settler_proving_seconds", () => new Histogram({ name: "sui_settler_proving_seconds", help: "Time to prove one batch (witness and Groth16)", buckets: [0.5, 1, 2, 5, 10, 20, 40, 80, 160, 320, 640], registers })),
    postingLatencySeconds: get("sui_settler_posting_latency_seconds", () => new Histogram({ name: "sui_settler_posting_latency_seconds", help: "Time from a batch's proof to its confirmation on chain", buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900], registers })),
    batches: get("sui_settler_batches_total", () => new Counter({ name: "sui_settler_batches_total", help: "Batch events: planned, proved, confirmed, failed, rolled_back", labelNames: ["event"], registers })),
    changes: get("sui_settler_changes_total", () => new Counter({ name: "sui_settler_changes_total", help: "Change-stream rows covered by planned batches", registers })),
    operations: get("sui_settler_operations_total", () => new Counter({ name: "sui_settler_operations_total", help: "Tree operations (inserts and updates) in planned batches", registers })),
    cursorCheckpoint: get("sui_settler_next_checkpoint", () => new Gauge({ name: "sui_settler_next_checkpoint", help: "Checkpoint of the cursor where the next batch starts", registers })),
  };
}
