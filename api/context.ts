import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import type { Logger } from "../common/logger.ts";
import type { PagingContext } from "./paging.ts";

/** Hono's environment for the API: the request id set by the request-id middleware. */
export type ApiEnv = { Variables: RequestIdVariables };

export type ApiApp = OpenAPIHono<ApiEnv>;

/** What route families get from `createApi`: the database, the cursor codec, the logger. */
export interface RouteContext extends PagingContext {
  logger: Logger;
  /** The source's latest checkpoint, when the host process knows it (for lag). */
  sourceTip: (() => Promise<bigint | null>) | null;
}
