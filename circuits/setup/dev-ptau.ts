/**
 * An INSECURE powers-of-tau file for tests and demos (--dev), cached under .cache/ptau/ by
 * power. It is made by snarkjs: a fresh accumulator, then one beacon contribution with a
 * fixed public beacon, so its tau is public. Phase 2 preparation then takes one of two paths:
 * - "known-tau" (default): the Lagrange sections written directly from the known tau
 *   (known-tau-phase2.ts); seconds to a minute up to 2^14.
 * - "snarkjs": snarkjs's preparePhase2 (FFTs over curve points); minutes to hours.
 * Both give the same bytes (tested); `powersoftau verify` accepts the result.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import { projectRoot } from "../../common/fixtures.ts";
import type { Logger } from "../../common/logger.ts";
import { ptauSecretsFromBeacon } from "./beacon-key.ts";
import { warnInsecureDevSetup } from "./dev-warning.ts";
import { withFileLock } from "./file-lock.ts";
import { knownTauPreparePhase2 } from "./known-tau-phase2.ts";
import { captureSnarkjsLogger } from "./snarkjs-runtime.ts";

/** The public beacon of every dev ptau: anyone can recompute its tau. */
export const DEV_BEACON_HASH = createHash("sha256").update("sui-zk-indexer INSECURE dev powers of tau").digest("hex");
/** snarkjs's smallest allowed iteration exponent. */
export const DEV_BEACON_ITERATIONS_EXP = 10;
// The dev builder holds the file in memory: 2^18 is about 400 MB of points at peak.
export const DEV_PTAU_MAX_POWER = 18;

export type DevPhase2Method = "known-tau" | "snarkjs";

export interface DevPtauOptions {
  /** Default: <project>/.cache/ptau. */
  cacheDir?: string;
  method?: DevPhase2Method;
  logger?: Logger;
}

export interface DevPtau {
  path: string;
  power: number;
  /** False when this call built the file. */
  cached: boolean;
}

/** Where the dev ptau of `power` is cached. */
export function devPtauPath(power: number, cacheDir = join(projectRoot, ".cache", "ptau")): string {
  return join(cacheDir, `dev_bn128_p${power}.ptau`);
}

/**
 * The cached dev ptau of 2^power, built first if missing. Prints the insecure-setup warning.
 *
 * @example
 * const { path } = await ensureDevPtau(8);
 */
export async function ensureDevPtau(power: number, options: DevPtauOptions = {}): Promise<DevPtau> {
  if (!Number.isInteger(power) || power < 1 || power > DEV_PTAU_MAX_POWER) {
    throw new NonRetryableError(`dev ptau power must be an integer in 1..${DEV_PTAU_MAX_POWER}`, { details: { power } });
  }
  const cacheDir = options.cacheDir ?? join(projectRoot, ".cache", "ptau");
  const path = devPtauPath(power, cacheDir);
  warnInsecureDevSetup(`dev powers of tau 2^${power} (${path})`);
  if (existsSync(path)) return { path, power, cached: true };
  await mkdir(cacheDir, { recursive: true });
  return withFileLock(`${path}.lock`, async () => {
    if (existsSync(path)) return { path, power, cached: true };
    await buildDevPtau(power, path, options.method ?? "known-tau", options.logger, cacheDir);
    return { path, power, cached: false };
  });
}

/**
 * Builds a dev ptau of 2^power at `output` (no cache).
 *
 * @example
 * await buildDevPtau(6, "/tmp/dev6.ptau", "snarkjs");
 */
export async function buildDevPtau(
  power: number,
  output: string,
  method: DevPhase2Method,
  logger?: Logger,
  workDir?: string,
): Promise<void> {
  const tmp = await mkdtemp(join(workDir ?? join(projectRoot, ".cache"), "dev-ptau-"));
  try {
    const { logger: snarkLogger, errors } = captureSnarkjsLogger(logger);
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    const fresh = join(tmp, "0000.ptau");
    const beacon = join(tmp, "0001_beacon.ptau");
    const prepared = join(tmp, "final.ptau");
    const started = performance.now();
    await snarkjs.powersOfTau.newAccumulator(curve, power, fresh, snarkLogger);
    const hash = await snarkjs.powersOfTau.beacon(fresh, beacon, "sui-zk-indexer dev beacon (INSECURE)", DEV_BEACON_HASH, DEV_BEACON_ITERATIONS_EXP, snarkLogger);
    if (hash === false) throw new NonRetryableError("snarkjs refused the dev beacon", { details: { errors: errors.join("; ") } });
    const beaconDone = performance.now();
    if (method === "known-tau") {
      const secrets = ptauSecretsFromBeacon(Buffer.from(DEV_BEACON_HASH, "hex"), DEV_BEACON_ITERATIONS_EXP);
      await knownTauPreparePhase2({ input: beacon, output: prepared, secrets, curve, ...(logger ? { logger } : {}) });
    } else {
      await snarkjs.powersOfTau.preparePhase2(beacon, prepared, snarkLogger);
    }
    logger?.info(
      {
        power,
        method,
        newAndBeaconMs: Math.round(beaconDone - started),
        preparePhase2Ms: Math.round(performance.now() - beaconDone),
      },
      "dev ptau built",
    );
    await rename(prepared, output);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
