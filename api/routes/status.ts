/**
 * Indexer status (per-pipeline watermark and lag), liveness/readiness, and metrics.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, RouteContext } from "../context.ts";
import { errorResponses } from "../errors.ts";
import { U64 } from "../json.ts";
import { decimal } from "../sql.ts";
import type { Registry } from "prom-client";

export const PipelineStatus = z
  .object({
    pipeline: z.string(),
    checkpoint: U64.openapi({ description: "Highest checkpoint committed (inclusive)" }),
    epoch: U64,
    tx_hi: U64.openapi({ description: "Transactions committed, exclusive bound of the global sequence" }),
    timestamp_ms: U64.openapi({ description: "Timestamp of that checkpoint" }),
    updated_at: z.string().openapi({ description: "When the watermark last moved (ISO 8601)" }),
    lag_checkpoints: U64.openapi({
      description: "Checkpoints behind the source tip when known, else behind the most advanced pipeline",
    }),
    lag_ms: z.number().int().openapi({ description: "Now minus the checkpoint's timestamp" }),
  })
  .openapi("PipelineStatus");

const StatusResponse = z
  .object({
    checkpoint: U64.nullable().openapi({ description: "Lowest watermark: everything is indexed up to here" }),
    source_tip: U64.nullable().openapi({ description: "The source's latest checkpoint, when known" }),
    pipelines: z.array(PipelineStatus),
  })
  .openapi("Status");

const statusRoute = createRoute({
  method: "get",
  path: "/v1/status",
  tags: ["status"],
  summary: "Indexer status: per-pipeline watermark and lag",
  request: { query: z.object({}).strict() },
  responses: {
    200: { description: "Watermarks", content: { "application/json": { schema: StatusResponse } } },
    ...errorResponses,
  },
});

const Health = z.object({ status: z.enum(["ok", "unavailable"]) }).openapi("Health");

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["status"],
  summary: "Liveness and readiness: the database answers",
  responses: {
    200: { description: "Serving", content: { "application/json": { schema: Health } } },
    503: { description: "The database does not answer", content: { "application/json": { schema: Health } } },
  },
});

interface WatermarkRow extends Record<string, unknown> {
  pipeline: string;
  epoch_hi: bigint;
  checkpoint_hi_inclusive: bigint;
  tx_hi: bigint;
  timestamp_ms_hi: bigint;
  updated_at: unknown;
}

function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const date = new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/**
 * @example
 * registerStatusRoutes(app, ctx, common.metrics); // GET /v1/status, /health, /metrics
 */
export function registerStatusRoutes(app: ApiApp, ctx: RouteContext, metrics: Registry): void {
  app.openapi(statusRoute, async (c) => {
    const rows = await ctx.database.query<WatermarkRow>(
      `SELECT pipeline, epoch_hi, checkpoint_hi_inclusive, tx_hi, timestamp_ms_hi, updated_at FROM watermarks ORDER BY pipeline`,
    );
    const tip = ctx.sourceTip ? await ctx.sourceTip().catch(() => null) : null;
    let max = 0n;
    let min: bigint | null = null;
    for (const row of rows) {
      const cp = BigInt(row.checkpoint_hi_inclusive);
      if (cp > max) max = cp;
      if (min === null || cp < min) min = cp;
    }
    const reference = tip !== null && tip > max ? tip : max;
    const now = Date.now();
    return c.json(
      {
        checkpoint: min === null ? null : min.toString(),
        source_tip: tip === null ? null : tip.toString(),
        pipelines: rows.map((row) => ({
          pipeline: row.pipeline,
          checkpoint: decimal(row.checkpoint_hi_inclusive),
          epoch: decimal(row.epoch_hi),
          tx_hi: decimal(row.tx_hi),
          timestamp_ms: decimal(row.timestamp_ms_hi),
          updated_at: iso(row.updated_at),
          lag_checkpoints: (reference - BigInt(row.checkpoint_hi_inclusive)).toString(),
          lag_ms: Math.max(0, now - Number(row.timestamp_ms_hi)),
        })),
      },
      200,
    );
  });

  app.openapi(healthRoute, async (c) => {
    try {
      await ctx.database.query("SELECT 1");
      return c.json({ status: "ok" as const }, 200);
    } catch (error) {
      ctx.logger.warn({ err: error }, "health check: database does not answer");
      return c.json({ status: "unavailable" as const }, 503);
    }
  });

  // Prometheus text, outside the OpenAPI document (it is not JSON).
  app.get("/metrics", async (c) => {
    c.header("Content-Type", metrics.contentType);
    return c.body(await metrics.metrics());
  });
}
