/**
 * gRPC status -> the project's error classes. NOT_FOUND is not an error here: the source
 * answers `notFound` and the checkpoint is polled. Transient statuses are retryable and
 * carry a short `reason` (the status name, or `stream_reset`) that metrics count by.
 */
import { NonRetryableError, RetryableError, type ErrorDetails } from "../../common/errors.ts";

/** Statuses a later attempt may not hit: an overloaded or restarting node, a slow answer. */
const RETRYABLE = new Set(["UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED", "ABORTED", "CANCELLED"]);

/** INTERNAL is a server bug unless the transport says a stream or connection was torn down. */
const TRANSPORT_RESET = /RST_STREAM|stream (was )?(reset|removed|closed|destroyed)|protocol error|connection (dropped|reset|closed)|GOAWAY|ECONNRESET/i;

/**
 * The status name of a gRPC failure (`UNAVAILABLE`, …), or null when it is not one. Duck
 * typed: the transport (CommonJS) and this module (ESM) may load different copies of
 * protobuf-ts's `RpcError` class.
 *
 * @example
 * grpcCode(await call.response.catch((e: unknown) => e)); // "UNAVAILABLE"
 */
export function grpcCode(error: unknown): string | null {
  if (!(error instanceof Error) || error.name !== "RpcError") return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

/**
 * @example
 * if (isGrpcNotFound(error)) return { kind: "notFound", location };
 */
export function isGrpcNotFound(error: unknown): boolean {
  return grpcCode(error) === "NOT_FOUND";
}

/**
 * Wraps a failed call: RetryableError for transient statuses (`details.reason` says which),
 * NonRetryableError for everything else, naming the checkpoint when there is one.
 *
 * @example
 * try { await call.response; } catch (error) { throw grpcFailure(error, { method: "GetCheckpoint", target, checkpoint: 7n }); }
 */
export function grpcFailure(error: unknown, context: { method: string; target: string; checkpoint?: bigint }): RetryableError | NonRetryableError {
  const code = grpcCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const base: ErrorDetails = { method: context.method, node: context.target, checkpoint: context.checkpoint, code: code ?? "none" };
  if (code !== null && RETRYABLE.has(code)) {
    return new RetryableError(`full node answered ${code}`, { cause: error, details: { ...base, reason: code.toLowerCase(), message } });
  }
  if (code === "INTERNAL" && TRANSPORT_RESET.test(message)) {
    return new RetryableError("gRPC stream reset", { cause: error, details: { ...base, reason: "stream_reset", message } });
  }
  if (code === null && error instanceof Error && TRANSPORT_RESET.test(message)) {
    return new RetryableError("gRPC connection failed", { cause: error, details: { ...base, reason: "stream_reset", message } });
  }
  return new NonRetryableError(code ? `full node answered ${code}` : "gRPC call failed", { cause: error, details: { ...base, message } });
}
