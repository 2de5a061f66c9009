/**
 * A --dev setup cached under .cache/setup/, keyed by the circuit (r1cs and wasm hashes) and
 * the ptau power, so tests and benchmarks of a 2^14 circuit pay the minutes of zkey creation
 * once per circuit change, not once per run. INSECURE like every dev setup: it warns on use.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { projectRoot } from "../../common/fixtures.ts";
import type { Logger } from "../../common/logger.ts";
import { readR1csHeader } from "../r1cs.ts";
import { devSetup } from "./ceremony.ts";
import { DEV_BEACON_HASH } from "./dev-ptau.ts";
import { withFileLock } from "./file-lock.ts";
import { hashFile } from "./hash.ts";
import { MANIFEST_FILE } from "./manifest.ts";
import { loadProvingSetup, type ProvingSetup } from "./prove.ts";
import { requiredPtauPower } from "./ptau-file.ts";

export interface CachedDevSetupOptions {
  r1csPath: string;
  wasmPath: string;
  /** Default: the smallest power the circuit fits in. */
  power?: number;
  /** Default: <project>/.cache/setup. */
  cacheDir?: string;
  logger?: Logger;
}

export interface CachedDevSetup extends ProvingSetup {
  dir: string;
  /** False when this call built it. */
  cached: boolean;
}

/**
 * The cached dev setup of a circuit, built first when missing (or when a previous build was
 * interrupted).
 *
 * @example
 * const { zkeyPath, wasmPath, dir } = await ensureDevSetup({ r1csPath, wasmPath });
 */
export async function ensureDevSetup(options: CachedDevSetupOptions): Promise<CachedDevSetup> {
  const r1cs = await readR1csHeader(options.r1csPath);
  const power = options.power ?? requiredPtauPower({ nConstraints: r1cs.nConstraints, nPubInputs: r1cs.nPubIn, nOutputs: r1cs.nPubOut });
  const key = createHash("sha256")
    .update((await hashFile(options.r1csPath)).blake2b512)
    .update((await hashFile(options.wasmPath)).blake2b512)
    .update(`${power}:${DEV_BEACON_HASH}`)
    .digest("hex")
    .slice(0, 16);
  const cacheDir = options.cacheDir ?? join(projectRoot, ".cache", "setup");
  const dir = join(cacheDir, `${basename(options.r1csPath).replace(/\.r1cs$/, "")}-p${power}-${key}`);
  // The verifying key is written last: its presence marks a complete setup.
  const complete = () => existsSync(join(dir, MANIFEST_FILE)) && existsSync(join(dir, "verification_key.sui.hex"));
  if (complete()) return { ...(await loadProvingSetup(dir)), dir, cached: true };
  await mkdir(cacheDir, { recursive: true });
  return withFileLock(`${dir}.lock`, async () => {
    if (complete()) return { ...(await loadProvingSetup(dir)), dir, cached: true };
    await rm(dir, { recursive: true, force: true });
    await devSetup({
      dir,
      r1csPath: options.r1csPath,
      wasmPath: options.wasmPath,
      power,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return { ...(await loadProvingSetup(dir)), dir, cached: false };
  });
}
