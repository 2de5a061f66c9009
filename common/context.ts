import { Registry } from "prom-client";
import { createLogger, createSilentLogger, type Logger } from "./logger.ts";
import { createShutdown, type Shutdown } from "./shutdown.ts";

/**
 * The one context injected into every component instead of globals: logger, metrics
 * registry and shutdown signal.
 */
export interface Common {
  logger: Logger;
  metrics: Registry;
  shutdown: Shutdown;
}

export interface CreateCommonOptions {
  logger?: Logger;
  metrics?: Registry;
  shutdown?: Shutdown;
}

/**
 * @example
 * const common = createCommon();
 * common.shutdown.onStop(() => server.close());
 */
export function createCommon(options: CreateCommonOptions = {}): Common {
  return {
    logger: options.logger ?? createLogger(),
    metrics: options.metrics ?? new Registry(),
    shutdown: options.shutdown ?? createShutdown(),
  };
}

/** A quiet context for tests: silent logger, fresh registry, its own shutdown. */
export function createTestCommon(): Common {
  return createCommon({ logger: createSilentLogger() });
}
