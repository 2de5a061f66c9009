/**
 * The HTTP load generator of bench/api.bench.ts, run as a SECOND process (forked with IPC)
 * so that it does not share an event loop with the server it measures. It receives one
 * route at a time (a list of paths to cycle through), runs autocannon against it for a
 * bounded duration on loopback and sends back the figures.
 */
import { createRequire } from "node:module";

/** What the parent sends: one route to load. */
export interface LoadRequest {
  name: string;
  baseUrl: string;
  paths: string[];
  durationSeconds: number;
  connections: number;
  /** Requests per second over all connections; unset: as fast as the server answers. */
  overallRate?: number;
}

/** What comes back per route. */
export interface LoadResult {
  name: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

// autocannon ships no type declarations: the part used here, typed locally.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonRequest {
  path?: string;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  overallRate?: number;
  requests: { setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

async function load(request: LoadRequest): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: request.baseUrl,
    connections: request.connections,
    duration: request.durationSeconds,
    ...(request.overallRate ? { overallRate: request.overallRate } : {}),
    // Each request takes the next path, so point lookups spread over many keys.
    requests: [
      {
        setupRequest: (req) => {
          req.path = request.paths[next++ % request.paths.length];
          return req;
        },
      },
    ],
  });
  return {
    name: request.name,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

process.on("message", (message: LoadRequest | "exit") => {
  if (message === "exit") process.exit(0);
  load(message).then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, error: String(error) }),
  );
});
process.send?.("ready");
