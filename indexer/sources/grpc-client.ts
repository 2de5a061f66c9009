/**
 * A `SuiGrpcClient` over native gRPC (HTTP/2, @grpc/grpc-js) rather than the SDK's default
 * gRPC-web fetch transport: one multiplexed connection for many concurrent GetCheckpoint
 * calls and a long-lived subscription stream.
 *
 * Endpoints: `https://host:port` uses TLS, `http://host:port` plaintext. Credentials for
 * providers travel as call metadata: basic auth (`https://user:pass@host` or `basicAuth`)
 * and arbitrary headers (`x-api-key: …`).
 */
import { ChannelCredentials, type ClientOptions } from "@grpc/grpc-js";
import { GrpcTransport } from "@protobuf-ts/grpc-transport";
import { BinaryReader } from "@protobuf-ts/runtime";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { NonRetryableError } from "../../common/errors.ts";
import { plainBytes } from "../decode/chk.ts";

/** Public full nodes, by network. */
export const SUI_GRPC_ENDPOINTS = {
  mainnet: "https://fullnode.mainnet.sui.io:443",
  testnet: "https://fullnode.testnet.sui.io:443",
} as const;

export type KnownNetwork = keyof typeof SUI_GRPC_ENDPOINTS;

export interface GrpcEndpointOptions {
  /** `https://host:port` (TLS) or `http://host:port` (plaintext); user:pass in it becomes basic auth. */
  url: string;
  /** Network label handed to `SuiGrpcClient` (default: guessed from the URL, else "custom"). */
  network?: string;
  /** Extra metadata sent with every call, e.g. `{ "x-api-key": "…" }`. */
  headers?: Readonly<Record<string, string>>;
  basicAuth?: { username: string; password: string };
  /** Largest message accepted (default 1 GiB): checkpoints with their objects exceed gRPC's 4 MiB default. */
  maxReceiveMessageBytes?: number;
}

export interface SuiGrpcConnection {
  readonly client: SuiGrpcClient;
  /** `host:port`, for names and errors (never the credentials). */
  readonly target: string;
  readonly tls: boolean;
  close(): void;
}

export interface ParsedEndpoint {
  target: string;
  tls: boolean;
  basicAuth: { username: string; password: string } | null;
}

/**
 * Splits an endpoint URL into the gRPC target, TLS or not, and credentials in it.
 *
 * @example
 * parseGrpcEndpoint("https://u:p@node.example:443"); // { target: "node.example:443", tls: true, basicAuth: { username: "u", password: "p" } }
 */
export function parseGrpcEndpoint(url: string): ParsedEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new NonRetryableError("Invalid gRPC endpoint URL", { cause: error, details: { url: redact(url) } });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new NonRetryableError("gRPC endpoint must be http:// or https://", { details: { url: redact(url) } });
  }
  const tls = parsed.protocol === "https:";
  const port = parsed.port || (tls ? "443" : "80");
  const basicAuth = parsed.username ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } : null;
  return { target: `${parsed.hostname}:${port}`, tls, basicAuth };
}

/**
 * Parses `Name: value` header lines (flags, environment) into metadata.
 *
 * @example
 * parseHeaders(["x-api-key: abc"]); // { "x-api-key": "abc" }
 */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(":");
    const name = at > 0 ? line.slice(0, at).trim().toLowerCase() : "";
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
      throw new NonRetryableError("Invalid header: expected `Name: value`", { details: { header: name || line.slice(0, 40) } });
    }
    out[name] = line.slice(at + 1).trim();
  }
  return out;
}

/**
 * @example
 * const connection = createSuiGrpcConnection({ url: SUI_GRPC_ENDPOINTS.mainnet });
 * const info = await connection.client.ledgerService.getServiceInfo({}).response;
 * connection.close();
 */
export function createSuiGrpcConnection(options: GrpcEndpointOptions): SuiGrpcConnection {
  const endpoint = parseGrpcEndpoint(options.url);
  const basicAuth = options.basicAuth ?? endpoint.basicAuth;
  const meta: Record<string, string> = { ...options.headers };
  if (basicAuth) meta.authorization = `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString("base64")}`;
  const clientOptions: ClientOptions = {
    "grpc.max_receive_message_length": options.maxReceiveMessageBytes ?? 1024 * 1024 * 1024,
    // Notice a dead connection under an idle subscription within about a minute.
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    // HTTP/2's 64 KiB default window allows one checkpoint per round trip on a stream.
    "grpc-node.flow_control_window": 32 * 1024 * 1024,
  };
  const transport = new GrpcTransport({
    host: endpoint.target,
    channelCredentials: endpoint.tls ? ChannelCredentials.createSsl() : ChannelCredentials.createInsecure(),
    clientOptions,
    meta,
    // grpc-js hands over Buffers: decode from a plain Uint8Array view so that byte fields are plain too.
    binaryOptions: { readerFactory: (bytes: Uint8Array) => new BinaryReader(plainBytes(bytes)) },
  });
  const client = new SuiGrpcClient({ network: options.network ?? guessNetwork(options.url), transport });
  return {
    client,
    target: endpoint.target,
    tls: endpoint.tls,
    close: () => transport.close(),
  };
}

function guessNetwork(url: string): string {
  for (const [network, endpoint] of Object.entries(SUI_GRPC_ENDPOINTS)) if (url === endpoint) return network;
  return "custom";
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
