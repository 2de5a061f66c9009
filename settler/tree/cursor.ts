/**
 * Stream positions of settled changes. cursor = checkpoint * 2^32 + offset, where offset
 * counts the checkpoint's changed objects (by transaction, then object id) before any
 * filtering, so positions do not depend on what is tracked. Move takes a cursor as u64.
 */
import { NonRetryableError } from "../../common/errors.ts";

const U32_LIMIT = 1n << 32n;
const U64_LIMIT = 1n << 64n;

/**
 * @example
 * encodeCursor(5n, 3n); // 5n * 2n ** 32n + 3n
 */
export function encodeCursor(checkpoint: bigint, offset: bigint): bigint {
  if (checkpoint < 0n || checkpoint >= U32_LIMIT) {
    throw new NonRetryableError("checkpoint does not fit a cursor (must be below 2^32)", { details: { checkpoint } });
  }
  if (offset < 0n || offset >= U32_LIMIT) {
    throw new NonRetryableError("offset in checkpoint must be below 2^32", { details: { checkpoint, offset } });
  }
  return (checkpoint << 32n) | offset;
}

/**
 * @example
 * decodeCursor(encodeCursor(5n, 3n)); // { checkpoint: 5n, offset: 3n }
 */
export function decodeCursor(cursor: bigint): { checkpoint: bigint; offset: bigint } {
  assertCursor(cursor, "cursor");
  return { checkpoint: cursor >> 32n, offset: cursor & (U32_LIMIT - 1n) };
}

/** Throws unless `cursor` is a u64. */
export function assertCursor(cursor: bigint, what: string): void {
  if (typeof cursor !== "bigint" || cursor < 0n || cursor >= U64_LIMIT) {
    throw new NonRetryableError(`${what} must be a u64`, { details: { what, cursor: String(cursor) } });
  }
}

/** Throws unless [fromCursor, toCursor) is a non-empty range of u64 cursors (the circuit checks the same). */
export function assertCursorRange(fromCursor: bigint, toCursor: bigint): void {
  assertCursor(fromCursor, "fromCursor");
  assertCursor(toCursor, "toCursor");
  if (fromCursor >= toCursor) {
    throw new NonRetryableError("batch cursor range is empty: fromCursor must be below toCursor", {
      details: { fromCursor, toCursor },
    });
  }
}
