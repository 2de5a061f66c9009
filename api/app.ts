/**
 * The HTTP API for dApps: a hono app with every route under /v1, the OpenAPI 3.1 document
 * at /openapi.json (generated from the same zod definitions that validate requests),
 * /health and /metrics.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import { Counter, Histogram, type Registry } from "prom-client";
import type { Common } from "../common/context.ts";
import type { ApiApp, ApiEnv, RouteContext } from "./context.ts";
import { createCursorCodec } from "./cursor.ts";
import { fromZodError, handleError, handleNotFound } from "./errors.ts";
import { registerBalanceChangeRoutes } from "./routes/balance-changes.ts";
import { registerCheckpointRoutes } from "./routes/checkpoints.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerObjectRoutes } from "./routes/objects.ts";
import { registerSettlementRoutes } from "./routes/settlements.ts";
import { registerStatusRoutes } from "./routes/status.ts";
import { registerTransactionRoutes } from "./routes/transactions.ts";
import type { ApiDatabase } from "./sql.ts";

export interface CreateApiOptions {
  database: ApiDatabase;
  common: Common;
  /**
   * Key of the cursors' HMAC (at least 16 bytes). Servers behind one load balancer, or a
   * server that restarts while clients page, must share it; default: random per app.
   */
  cursorSecret?: Uint8Array;
  /** The source's latest checkpoint, for lag in /v1/status, when the host process knows it. */
  sourceTip?: () => Promise<bigint | null>;
}

export const API_VERSION = "1.0.0";

/**
 * @example
 * const app = createApi({ database, common });
 * const res = await app.request("/v1/checkpoints/latest");
 */
export function createApi(options: CreateApiOptions): ApiApp {
  const { common } = options;
  const logger = common.logger.child({ component: "api" });
  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    // Throwing sends validation failures to onError, which answers 400 naming the parameter.
    defaultHook: (result) => {
      if (!result.success) throw fromZodError(result.error, result.target);
    },
  });
  const ctx: RouteContext = {
    database: options.database,
    cursors: createCursorCodec(options.cursorSecret),
    logger,
    sourceTip: options.sourceTip ?? null,
  };
  const http = httpMetrics(common.metrics);

  app.use(requestId());
  app.use(async (c, next) => {
    const end = http.duration.startTimer();
    await next();
    const labels = { method: c.req.method, route: c.res.status === 404 && !routeMatched(c) ? "unmatched" : routePath(c), status: String(c.res.status) };
    end(labels);
    http.requests.inc(labels);
  });
  app.onError(handleError(logger));
  app.notFound(handleNotFound);

  registerCheckpointRoutes(app, ctx);
  registerTransactionRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerObjectRoutes(app, ctx);
  registerBalanceChangeRoutes(app, ctx);
  registerSettlementRoutes(app, ctx);
  registerStatusRoutes(app, ctx, common.metrics);

  // The document is generated once, on first request, from the routes' own zod schemas
  // (doc31 would regenerate it on every request).
  let document: ReturnType<ApiApp["getOpenAPI31Document"]> | undefined;
  app.get("/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "sui-zk-indexer API",
        version: API_VERSION,
        description:
          "Indexed Sui state. u64 values are decimal strings, digests base58, addresses 0x + 64 hex, BCS base64. " +
          "Every response names the checkpoint its data is consistent with. Lists page with opaque cursors " +
          "pinned to the checkpoint of their first page.",
      },
    });
    return c.json(document);
  });
  return app;
}

function routeMatched(c: Parameters<typeof routePath>[0]): boolean {
  return routePath(c) !== "/*" && routePath(c) !== "*";
}

interface HttpMetrics {
  requests: Counter<"method" | "route" | "status">;
  duration: Histogram<"method" | "route" | "status">;
}

/** The API's metrics, registered once per registry (several apps may share one). */
function httpMetrics(registry: Registry): HttpMetrics {
  const requests =
    (registry.getSingleMetric("api_http_requests_total") as Counter<"method" | "route" | "status"> | undefined) ??
    new Counter({
      name: "api_http_requests_total",
      help: "HTTP requests answered by the API",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric("api_http_request_duration_seconds") as Histogram<"method" | "route" | "status"> | undefined) ??
    new Histogram({
      name: "api_http_request_duration_seconds",
      help: "API request latency",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
  return { requests, duration };
}
