/**
 * Error classes shared by every part of sui-zk-indexer.
 *
 * Every error has a short message plus structured details, and says whether retrying the
 * same operation may succeed (a timeout, a 5xx) or not (a malformed checkpoint, a bad
 * parameter). Callers branch on `retryable`, never on message text.
 */
export type ErrorDetails = Record<string, string | number | bigint | boolean | null | undefined>;

export interface BaseErrorOptions {
  details?: ErrorDetails;
  cause?: unknown;
}

export class BaseError extends Error {
  override name = "BaseError";
  readonly shortMessage: string;
  readonly details: ErrorDetails;
  readonly retryable: boolean = false;

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    const details = options.details ?? {};
    const detailText = Object.entries(details)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(", ");
    super(detailText ? `${shortMessage} (${detailText})` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** A failure that may succeed when tried again: timeouts, dropped connections, 429, 5xx. */
export class RetryableError extends BaseError {
  override name = "RetryableError";
  override readonly retryable = true;
}

/** A failure that will fail again the same way: bad input, a decoding error, a broken invariant. */
export class NonRetryableError extends BaseError {
  override name = "NonRetryableError";
}

/** True when the error, or any error in its cause chain, is marked retryable. */
export function isRetryable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current instanceof BaseError) return current.retryable;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
