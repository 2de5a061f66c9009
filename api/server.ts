import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { RetryableError } from "../common/errors.ts";

/** Anything with hono's fetch handler: the API app, or a main app that mounts it. */
export interface FetchApp {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}

export interface StartApiServerOptions {
  app: FetchApp;
  /** 0 picks a free port. */
  port: number;
  /** Default 0.0.0.0. */
  hostname?: string;
}

export interface ApiServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/**
 * Serves an app over HTTP/1.1 on Node; kept apart from `createApi` so that the main job can
 * mount the same app beside its own routes.
 *
 * @example
 * const server = await startApiServer({ app: createApi({ database, common }), port: 3000 });
 * common.shutdown.onStop(() => server.close());
 */
export function startApiServer(options: StartApiServerOptions): Promise<ApiServer> {
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch: options.app.fetch as (request: Request) => Response | Promise<Response>,
      port: options.port,
      hostname: options.hostname ?? "0.0.0.0",
    }) as Server;
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new RetryableError("Cannot listen", {
          details: { port: options.port, code: error.code ?? null },
          cause: error,
        }),
      );
    server.once("error", onError);
    server.once("listening", () => {
      server.off("error", onError);
      const port = (server.address() as AddressInfo).port;
      let closing: Promise<void> | undefined;
      resolve({
        port,
        close: () =>
          (closing ??= new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // Idle keep-alive sockets would hold close() open until they time out.
            server.closeIdleConnections();
          })),
      });
    });
  });
}
