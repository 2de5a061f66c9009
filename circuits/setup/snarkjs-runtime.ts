/**
 * Running snarkjs from TypeScript: a logger that forwards its chatter to ours and keeps its
 * error lines (several snarkjs functions report failure only there, returning -1 or false),
 * and the release of its cached curve, whose worker threads otherwise keep a process alive.
 */
import * as snarkjs from "snarkjs";
import type { Logger } from "../../common/logger.ts";

export interface CapturedSnarkjsLogger {
  logger: snarkjs.Logger;
  /** What snarkjs reported through `logger.error`, in order. */
  errors: string[];
  /** What it reported through `logger.info` (zkey verification lists the contributions there). */
  infos: string[];
}

const text = (args: unknown[]): string => args.map((a) => (typeof a === "string" ? a : String(a))).join(" ");

/**
 * A snarkjs logger writing to `logger` at debug level (warnings at warn) and keeping errors.
 *
 * @example
 * const { logger, errors } = captureSnarkjsLogger(common.logger);
 * if (!(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey, logger))) throw new Error(errors.join("; "));
 */
export function captureSnarkjsLogger(logger?: Logger): CapturedSnarkjsLogger {
  const errors: string[] = [];
  const infos: string[] = [];
  return {
    errors,
    infos,
    logger: {
      debug: (...args) => logger?.debug({ snarkjs: true }, text(args)),
      info: (...args) => {
        infos.push(text(args));
        logger?.debug({ snarkjs: true }, text(args));
      },
      warn: (...args) => logger?.warn({ snarkjs: true }, text(args)),
      error: (...args) => {
        errors.push(text(args));
        logger?.error({ snarkjs: true }, text(args));
      },
    },
  };
}

/**
 * Terminates snarkjs's cached BN254 curve (its worker threads), so a command can exit.
 * snarkjs builds a new one on next use.
 *
 * @example
 * try { await proveBatch(...); } finally { await releaseSnarkjs(); }
 */
export async function releaseSnarkjs(): Promise<void> {
  const cached = (globalThis as { curve_bn128?: snarkjs.SnarkjsCurve | null }).curve_bn128;
  if (cached) await cached.terminate();
}
