/**
 * API errors: one JSON shape for every failure, never a stack trace.
 *
 * `{ "error": { "code", "message", "parameter"?, "details"? }, "request_id" }`
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { BaseError, type ErrorDetails } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";

export type ApiErrorCode =
  | "invalid_parameter"
  | "unknown_parameter"
  | "invalid_cursor"
  | "not_found"
  | "unavailable"
  | "internal";

export interface ApiErrorOptions {
  /** The request parameter at fault (query or path), named as the client sent it. */
  parameter?: string;
  details?: ErrorDetails;
  cause?: unknown;
}

/**
 * An error meant for the client: its status, code and message are returned as they are.
 *
 * @example
 * throw new ApiError(400, "invalid_parameter", "expected a Sui address", { parameter: "sender" });
 */
export class ApiError extends BaseError {
  override name = "ApiError";
  readonly status: ContentfulStatusCode;
  readonly code: ApiErrorCode;
  readonly parameter: string | undefined;

  constructor(status: ContentfulStatusCode, code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { details: options.details, cause: options.cause });
    this.status = status;
    this.code = code;
    this.parameter = options.parameter;
  }
}

/**
 * A 400 naming the parameter.
 *
 * @example
 * throw badParameter("from_checkpoint", "from_checkpoint is after to_checkpoint");
 */
export function badParameter(parameter: string, message: string, details?: ErrorDetails): ApiError {
  return new ApiError(400, "invalid_parameter", message, { parameter, details });
}

/**
 * A 404 for a resource that is not indexed.
 *
 * @example
 * throw notFound("transaction not indexed", { digest });
 */
export function notFound(message: string, details?: ErrorDetails): ApiError {
  return new ApiError(404, "not_found", message, { details });
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_parameter" }),
      message: z.string().openapi({ example: "expected a Sui address: 0x followed by 1 to 64 hex digits" }),
      parameter: z.string().optional().openapi({ example: "sender" }),
      details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    }),
    request_id: z.string(),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The error responses every route documents. */
export const errorResponses = {
  400: { description: "A parameter is malformed, unknown or out of range", content: { "application/json": { schema: ErrorBody } } },
  404: { description: "No such resource", content: { "application/json": { schema: ErrorBody } } },
  500: { description: "Internal error (logged with the request id)", content: { "application/json": { schema: ErrorBody } } },
} as const;

/**
 * Turns a failed zod validation of the query or path into a 400 naming the parameter.
 * Unknown query parameters (strict schemas) get their own code.
 *
 * @example
 * defaultHook: (result) => { if (!result.success) throw fromZodError(result.error, result.target); }
 */
export function fromZodError(error: ZodError, target: string): ApiError {
  const issue = error.issues[0];
  if (!issue) return new ApiError(400, "invalid_parameter", `invalid ${target}`);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    return new ApiError(400, "unknown_parameter", `unknown ${target} parameter: ${keys.join(", ")}`, {
      parameter: keys[0],
    });
  }
  const parameter = issue.path.map(String).join(".") || undefined;
  let message = issue.message;
  if (issue.code === "invalid_type") {
    // zod 4 leaves the input out of issues: the message says what was received.
    const received = /received (\w+)/.exec(issue.message)?.[1];
    if (received === "undefined") message = "required";
    else if (received === "array") message = "given more than once";
  }
  return new ApiError(400, "invalid_parameter", parameter ? `${parameter}: ${message}` : message, {
    parameter,
    details: error.issues.length > 1 ? { issues: error.issues.length } : undefined,
  });
}

function jsonDetails(details: ErrorDetails): Record<string, string | number | boolean | null> | undefined {
  const out: Record<string, string | number | boolean | null> = {};
  let any = false;
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    out[key] = typeof value === "bigint" ? value.toString() : value;
    any = true;
  }
  return any ? out : undefined;
}

/**
 * The JSON body of an error response.
 *
 * @example
 * c.json(errorBody(error, requestId), error.status);
 */
export function errorBody(error: ApiError, requestId: string): ErrorBody {
  const details = jsonDetails(error.details);
  return {
    error: {
      code: error.code,
      message: error.shortMessage,
      ...(error.parameter !== undefined ? { parameter: error.parameter } : {}),
      ...(details ? { details } : {}),
    },
    request_id: requestId,
  };
}

/**
 * The app's onError: client errors as they are, anything else as a 500 with the request
 * id, logged with its stack (which never reaches the client).
 *
 * @example
 * app.onError(handleError(logger));
 */
export function handleError(logger: Logger) {
  return (error: Error, c: Context): Response => {
    const requestId = requestIdOf(c);
    let apiError: ApiError;
    if (error instanceof ApiError) {
      apiError = error;
    } else if (error instanceof HTTPException && error.status < 500) {
      apiError = new ApiError(error.status as ContentfulStatusCode, "invalid_parameter", error.message || "bad request");
    } else {
      logger.error({ err: error, requestId, method: c.req.method, path: c.req.path }, "request failed");
      apiError = new ApiError(500, "internal", "internal error");
    }
    return c.json(errorBody(apiError, requestId), apiError.status);
  };
}

/**
 * The 404 for a path no route serves.
 *
 * @example
 * app.notFound(handleNotFound);
 */
export function handleNotFound(c: Context): Response {
  const error = new ApiError(404, "not_found", "no such route", { details: { path: c.req.path } });
  return c.json(errorBody(error, requestIdOf(c)), 404);
}

function requestIdOf(c: Context): string {
  const id: unknown = c.get("requestId");
  return typeof id === "string" ? id : "";
}
