/**
 * Handlers for a protobuf-ts `ServiceType` (e.g. `GrpcTypes.LedgerService` from
 * @mysten/sui/grpc) on a @grpc/grpc-js server bound to 127.0.0.1: plain async functions per
 * method (unary or server-streaming) instead of grpc-js callbacks, thrown GrpcStatusError
 * as the answered status, and UNIMPLEMENTED for methods without a handler, as on a real
 * node that lacks them.
 *
 * The service definitions (paths, and the generated toBinary/fromBinary as the wire format)
 * come from the gRPC source's test server (indexer/sources/grpc-test-server.ts), so the
 * project has one such helper.
 */
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { ServiceType } from "@protobuf-ts/runtime-rpc";
import { grpcServiceDefinition } from "../../../indexer/sources/grpc-test-server.ts";

/** A gRPC failure a handler throws to answer with a status (default: INTERNAL). */
export class GrpcStatusError extends Error {
  override name = "GrpcStatusError";
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** The call context a handler sees: request metadata and cancellation. */
export interface GrpcCallContext {
  /** Request metadata (lower-case keys; binary `-bin` values as base64). */
  metadata: Record<string, string>;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
}

/** A unary handler: request message in, response message out. */
export type UnaryHandler = (request: object, context: GrpcCallContext) => Promise<object> | object;
/** A server-streaming handler: yields response messages until done. */
export type ServerStreamHandler = (request: object, context: GrpcCallContext) => AsyncIterable<object>;

/** Handlers by the method's protobuf name (`GetObject`) or local name (`getObject`). */
export type GrpcHandlers = Record<string, UnaryHandler | ServerStreamHandler>;

function metadataOf(call: { metadata: { getMap(): Record<string, unknown> } }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(call.metadata.getMap())) {
    out[key] = Buffer.isBuffer(value) ? value.toString("base64") : String(value);
  }
  return out;
}

function toServiceError(error: unknown): { code: status; details: string } {
  if (error instanceof GrpcStatusError) return { code: error.code, details: error.message };
  return { code: status.INTERNAL, details: error instanceof Error ? error.message : String(error) };
}

function contextOf(call: ServerUnaryCall<object, object> | ServerWritableStream<object, object>): GrpcCallContext {
  const controller = new AbortController();
  call.on("cancelled", () => controller.abort());
  return { metadata: metadataOf(call), signal: controller.signal };
}

/**
 * grpc-js handlers for `service` from `handlers` (keyed by local name, as the service
 * definition is); a method without a handler answers UNIMPLEMENTED.
 *
 * @example
 * server.addService(grpcServiceDefinition(LedgerService), grpcImplementation(LedgerService, { GetObject: async (req) => ({ object }) }));
 */
export function grpcImplementation(service: ServiceType, handlers: GrpcHandlers): UntypedServiceImplementation {
  const out: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = handlers[method.name] ?? handlers[method.localName];
    const name = `${service.typeName}/${method.name}`;
    if (method.clientStreaming) {
      out[method.localName] = ((call: { emit(event: string, error: object): void }) =>
        call.emit("error", { code: status.UNIMPLEMENTED, details: `${name}: client streaming is not served` })) as UntypedHandleCall;
      continue;
    }
    if (method.serverStreaming) {
      out[method.localName] = (async (call: ServerWritableStream<object, object>) => {
        if (!handler) {
          call.emit("error", { code: status.UNIMPLEMENTED, details: `${name} is not implemented` });
          return;
        }
        try {
          for await (const message of (handler as ServerStreamHandler)(call.request, contextOf(call))) {
            if (call.cancelled) return;
            if (!call.write(message)) await new Promise((resolve) => call.once("drain", resolve));
          }
          call.end();
        } catch (error) {
          call.emit("error", toServiceError(error));
        }
      }) as UntypedHandleCall;
      continue;
    }
    out[method.localName] = (async (call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
      if (!handler) {
        callback({ code: status.UNIMPLEMENTED, details: `${name} is not implemented` });
        return;
      }
      try {
        callback(null, await (handler as UnaryHandler)(call.request, contextOf(call)));
      } catch (error) {
        callback(toServiceError(error));
      }
    }) as UntypedHandleCall;
  }
  return out;
}

export interface LocalGrpcServer {
  /** `http://127.0.0.1:<port>`, for `createSuiGrpcConnection({ url })`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting calls and ends the open ones. */
  close(): Promise<void>;
}

/**
 * Starts a plaintext gRPC server on 127.0.0.1 (an ephemeral port unless `port` is given)
 * serving each service with its handlers.
 *
 * @example
 * const server = await startLocalGrpcServer([{ service: GrpcTypes.LedgerService, handlers: { GetServiceInfo: () => ({ chainId: "x" }) } }]);
 * // … createSuiGrpcConnection({ url: server.url }) …
 * await server.close();
 */
export async function startLocalGrpcServer(
  services: ReadonlyArray<{ service: ServiceType; handlers: GrpcHandlers }>,
  options: { port?: number; maxMessageBytes?: number } = {},
): Promise<LocalGrpcServer> {
  const maxBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
  const server = new Server({ "grpc.max_receive_message_length": maxBytes, "grpc.max_send_message_length": maxBytes });
  for (const { service, handlers } of services) {
    server.addService(grpcServiceDefinition(service), grpcImplementation(service, handlers));
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // A graceful shutdown waits for open streams; force them closed after a moment.
        const timer = setTimeout(() => server.forceShutdown(), 1_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
