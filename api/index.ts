/** The query API for dApps: the hono app factory and the HTTP server that serves it. */
export { createApi, API_VERSION, type CreateApiOptions } from "./app.ts";
export { startApiServer, type ApiServer, type StartApiServerOptions, type FetchApp } from "./server.ts";
export type { ApiApp } from "./context.ts";
