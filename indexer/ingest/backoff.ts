/** Capped exponential backoff with full jitter, and an abortable sleep. */

export interface BackoffOptions {
  /** Delay scale of the first retry (ms). */
  baseMs?: number;
  /** No delay exceeds this (ms). */
  maxMs?: number;
}

/**
 * A random delay in [0, min(maxMs, baseMs * 2^attempt)): full jitter spreads retries of
 * many fetches so that they do not hit a recovering store at the same instant.
 *
 * @example
 * await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 10_000 }), signal);
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 10_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
