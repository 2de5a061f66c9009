/**
 * A shutdown signal shared by every long-running loop. `stop()` is idempotent: the first
 * call aborts the signal and runs the registered callbacks in reverse order.
 */
export interface Shutdown {
  readonly signal: AbortSignal;
  readonly stopped: boolean;
  onStop(callback: () => void | Promise<void>): void;
  stop(reason?: string): Promise<void>;
}

export function createShutdown(): Shutdown {
  const controller = new AbortController();
  const callbacks: Array<() => void | Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  return {
    get signal() {
      return controller.signal;
    },
    get stopped() {
      return controller.signal.aborted;
    },
    onStop(callback) {
      callbacks.push(callback);
    },
    stop(reason = "stop requested") {
      stopping ??= (async () => {
        controller.abort(new Error(reason));
        for (const callback of callbacks.reverse()) await callback();
      })();
      return stopping;
    },
  };
}

/** Wires SIGINT and SIGTERM to `shutdown.stop()`; a second signal exits at once. */
export function stopOnSignals(shutdown: Shutdown, onSignal?: (signal: string) => void): void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(130);
    onSignal?.(signal);
    void shutdown.stop(`received ${signal}`);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
