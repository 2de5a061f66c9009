/**
 * The service's HTTP app: `/ready` (200 once every pipeline of this process is within the
 * readiness lag of the tip, 503 before, with the lag per pipeline and whether this process
 * owns them yet: a process waiting for another's pipelines still serves their data), and
 * everything else from the query API app (`/v1/…`, `/health`, `/metrics`, `/openapi.json`).
 */
import type { FetchApp } from "../../api/server.ts";
import type { LagTracker } from "./lag.ts";

/**
 * @example
 * const app = createServiceApp({ api: createApi({ database, common }), lag });
 * await startApiServer({ app, port: 3000 });
 */
export function createServiceApp(options: { api: FetchApp; lag: LagTracker }): FetchApp {
  return {
    async fetch(request: Request) {
      if (new URL(request.url).pathname !== "/ready") return options.api.fetch(request);
      if (request.method !== "GET" && request.method !== "HEAD") return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
      const snapshot = await options.lag.snapshot();
      const body = {
        ready: snapshot.ready,
        owned: snapshot.owned,
        tip: snapshot.tip?.toString() ?? null,
        target: snapshot.target?.toString() ?? null,
        pipelines: snapshot.pipelines.map((p) => ({
          pipeline: p.pipeline,
          checkpoint: p.checkpoint?.toString() ?? null,
          lag_checkpoints: p.lagCheckpoints?.toString() ?? null,
          lag_seconds: p.lagSeconds === null ? null : Math.round(p.lagSeconds * 1000) / 1000,
        })),
      };
      return Response.json(body, { status: snapshot.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
    },
  };
}
