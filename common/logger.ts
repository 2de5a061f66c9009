import pino, { type Logger } from "pino";

export type { Logger };

export interface CreateLoggerOptions {
  level?: string;
  /** Pretty output for people; defaults to whether stderr is a terminal. */
  pretty?: boolean;
}

/**
 * Creates the process logger: JSON lines by default, pretty on a terminal.
 * Logs go to stderr so that commands can print results on stdout.
 *
 * @example
 * const logger = createLogger({ level: "info" });
 * logger.info({ checkpoint: 42n.toString() }, "indexed");
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    return pino({
      level,
      transport: { target: "pino-pretty", options: { destination: 2, colorize: true } },
    });
  }
  return pino({ level }, pino.destination(2));
}

/** A logger that drops everything, for tests. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
