/**
 * How far each pipeline this process owns stands behind the source's tip, for `/ready` and
 * for Prometheus (computed at scrape time from the watermarks table, so pipelines owned by
 * other processes could be read the same way): lag in checkpoints (tip - watermark) and in
 * seconds (now - the watermark checkpoint's timestamp).
 */
import { Gauge } from "prom-client";
import type { Common } from "../../common/context.ts";
import type { Database } from "../../schema/db.ts";
import { indexerMetrics } from "../../indexer/ingest/metrics.ts";
import type { PipelineName } from "../../indexer/pipelines/index.ts";

export interface PipelineLag {
  pipeline: PipelineName;
  /** Highest committed checkpoint; null before the first commit. */
  checkpoint: bigint | null;
  /** Checkpoints behind the target; null when either end is unknown. */
  lagCheckpoints: bigint | null;
  /** Now minus the committed checkpoint's timestamp, in seconds. */
  lagSeconds: number | null;
}

export interface LagSnapshot {
  /** The source's latest checkpoint, when it knows. */
  tip: bigint | null;
  /** What "caught up" means: the tip, or `--last-checkpoint` when that comes first. */
  target: bigint | null;
  pipelines: PipelineLag[];
  ready: boolean;
  /** True once this process holds its pipelines (it may serve others' data before). */
  owned: boolean;
}

export interface LagTrackerOptions {
  database: Pick<Database, "query">;
  pipelines: readonly PipelineName[];
  tip(): Promise<bigint | null>;
  lastCheckpoint?: bigint;
  /** Ready once every pipeline is at most this many checkpoints behind the target. */
  readyMaxLag: number;
  /** True once a bounded run (`--last-checkpoint`, a list) has indexed everything. */
  done(): boolean;
  /** True once this process holds the locks of its pipelines. */
  owned(): boolean;
}

export interface LagTracker {
  snapshot(): Promise<LagSnapshot>;
}

/**
 * @example
 * const lag = createLagTracker(common, { database, pipelines, tip: () => source.latest(), readyMaxLag: 20, done: () => false, owned: () => true });
 * const { ready } = await lag.snapshot();
 */
export function createLagTracker(common: Common, options: LagTrackerOptions): LagTracker {
  let cached: { at: number; value: Promise<LagSnapshot> } | null = null;

  const compute = async (): Promise<LagSnapshot> => {
    const [tip, rows] = await Promise.all([
      options.tip().catch(() => null),
      options.database.query<{ pipeline: PipelineName; checkpoint_hi_inclusive: bigint; timestamp_ms_hi: bigint }>(
        "SELECT pipeline, checkpoint_hi_inclusive, timestamp_ms_hi FROM watermarks WHERE pipeline = ANY($1::text[])",
        [[...options.pipelines]],
      ),
    ]);
    const last = options.lastCheckpoint ?? null;
    const target = tip === null ? last : last === null || tip < last ? tip : last;
    const now = Date.now();
    const byName = new Map(rows.map((r) => [r.pipeline, r]));
    const pipelines = options.pipelines.map((pipeline): PipelineLag => {
      const row = byName.get(pipeline);
      if (!row) return { pipeline, checkpoint: null, lagCheckpoints: null, lagSeconds: null };
      const checkpoint = BigInt(row.checkpoint_hi_inclusive);
      return {
        pipeline,
        checkpoint,
        lagCheckpoints: target === null ? null : target > checkpoint ? target - checkpoint : 0n,
        lagSeconds: Math.max(0, (now - Number(row.timestamp_ms_hi)) / 1000),
      };
    });
    const ready =
      options.done() ||
      pipelines.every((p) => p.checkpoint !== null && (target === null || (p.lagCheckpoints !== null && p.lagCheckpoints <= BigInt(options.readyMaxLag))));
    return { tip, target, pipelines, ready, owned: options.owned() };
  };

  const tracker: LagTracker = {
    snapshot() {
      // One computation serves every gauge of a scrape.
      if (!cached || Date.now() - cached.at > 250) cached = { at: Date.now(), value: compute() };
      return cached.value;
    },
  };
  registerLagMetrics(common, tracker);
  return tracker;
}

function registerLagMetrics(common: Common, tracker: LagTracker): void {
  const registers = [common.metrics];
  const ingest = indexerMetrics(common.metrics);
  const gauge = (name: string, help: string, labelNames: string[], collect: (this: Gauge<string>, s: LagSnapshot) => void) => {
    common.metrics.removeSingleMetric(name);
    return new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const snapshot = await tracker.snapshot().catch(() => null);
        this.reset();
        if (snapshot) collect.call(this, snapshot);
      },
    });
  };
  gauge("sui_zk_indexer_pipeline_lag_checkpoints", "Checkpoints between the source's tip (or --last-checkpoint) and each pipeline's watermark", ["pipeline"], function (s) {
    let max: bigint | null = null;
    for (const p of s.pipelines) {
      if (p.lagCheckpoints === null) continue;
      this.set({ pipeline: p.pipeline }, Number(p.lagCheckpoints));
      if (max === null || p.lagCheckpoints > max) max = p.lagCheckpoints;
    }
    if (max !== null) ingest.lagCheckpoints.set(Number(max));
  });
  gauge("sui_zk_indexer_pipeline_lag_seconds", "Seconds between now and the timestamp of each pipeline's watermark checkpoint", ["pipeline"], function (s) {
    for (const p of s.pipelines) {
      if (p.lagSeconds !== null) this.set({ pipeline: p.pipeline }, p.lagSeconds);
      if (p.checkpoint !== null) ingest.watermark.set({ pipeline: p.pipeline }, Number(p.checkpoint));
    }
  });
  gauge("sui_zk_indexer_source_tip_checkpoint", "The source's latest checkpoint, where it knows", [], function (s) {
    if (s.tip !== null) this.set(Number(s.tip));
  });
  gauge("sui_zk_indexer_ready", "1 once every owned pipeline is within the readiness lag of the tip", [], function (s) {
    this.set(s.ready ? 1 : 0);
  });
}
