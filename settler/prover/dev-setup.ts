/**
 * An INSECURE proving setup for tests, benchmarks and demos: builds BatchUpdate(depth, B)
 * and runs circuits/setup's dev setup (a public-tau ptau, one random contribution) into
 * .cache/settler-dev/<circuit>/, once per machine; later calls reuse it.
 */
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildCircuit, circuitName } from "../../circuits/build.ts";
import { devSetup } from "../../circuits/setup/ceremony.ts";
import { withFileLock } from "../../circuits/setup/file-lock.ts";
import { MANIFEST_FILE } from "../../circuits/setup/manifest.ts";
import { projectRoot } from "../../common/fixtures.ts";
import type { Logger } from "../../common/logger.ts";
import { loadSetupArtifacts, type SetupArtifacts } from "./setup-artifacts.ts";

export const DEV_SETUP_ROOT = join(projectRoot, ".cache", "settler-dev");

/**
 * @example
 * const artifacts = await ensureDevSetup({ depth: 2, batchSize: 1 }); // { wasm, zkey, vk, dev: true, … }
 */
export async function ensureDevSetup(params: { depth: number; batchSize: number; logger?: Logger }): Promise<SetupArtifacts> {
  const circuit = { depth: params.depth, batch: params.batchSize };
  const dir = join(DEV_SETUP_ROOT, circuitName(circuit));
  await mkdir(DEV_SETUP_ROOT, { recursive: true });
  await withFileLock(`${dir}.lock`, async () => {
    if (existsSync(join(dir, MANIFEST_FILE)) && existsSync(join(dir, "verification_key.sui.hex"))) return;
    const built = await buildCircuit(circuit);
    await rm(dir, { recursive: true, force: true });
    await devSetup({ dir, r1csPath: built.r1cs, wasmPath: built.wasm, ...(params.logger ? { logger: params.logger } : {}) });
  });
  return loadSetupArtifacts(dir);
}
