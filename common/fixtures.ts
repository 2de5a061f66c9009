import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (this file lives in common/). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Where the real Sui fixtures live: `SUI_CHECKPOINT_FIXTURES`, else `../shared/fixtures`
 * beside the project root. The fixtures are never copied into the project.
 */
export function fixturesDir(): string {
  return resolve(process.env.SUI_CHECKPOINT_FIXTURES ?? join(projectRoot, "..", "shared", "fixtures"));
}

export function fixtureCheckpointsDir(): string {
  const dir = join(fixturesDir(), "checkpoints");
  if (!existsSync(dir)) {
    throw new Error(`Sui checkpoint fixtures not found at ${dir}: set SUI_CHECKPOINT_FIXTURES`);
  }
  return dir;
}
