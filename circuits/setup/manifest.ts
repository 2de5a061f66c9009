/**
 * manifest.json of a setup folder: every artifact of the trusted setup with its role and
 * hashes, in the order they were made, so anyone holding the folder can check each file and
 * re-run the verification (circuits verify). Paths are relative to the folder, except a
 * phase-1 file kept outside it, which is recorded by absolute path and identified by hash.
 */
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { NonRetryableError } from "../../common/errors.ts";
import { warnInsecureDevSetup } from "./dev-warning.ts";
import { hashFile } from "./hash.ts";

export const MANIFEST_FILE = "manifest.json";

export const ARTIFACT_ROLES = [
  "phase1-ptau",
  "circuit-r1cs",
  "circuit-wasm",
  "zkey-init",
  "zkey-contribution",
  "zkey-beacon",
  "verification-key-json",
  "verification-key-sui",
] as const;
export type ArtifactRole = (typeof ARTIFACT_ROLES)[number];

const hex = z.string().regex(/^[0-9a-f]*$/);

const artifactSchema = z.object({
  role: z.enum(ARTIFACT_ROLES),
  path: z.string().min(1),
  blake2b512: hex.length(128),
  sha256: hex.length(64),
  bytes: z.number().int().nonnegative(),
  /** Phase-2 steps: position in the zkey chain (0 = init). */
  index: z.number().int().nonnegative().optional(),
  /** Contributor or beacon name. */
  name: z.string().optional(),
  /** snarkjs's contribution hash (what a contributor publishes to vouch for their step). */
  contributionHash: hex.optional(),
  /** For the initial zkey: snarkjs's hash of the circuit (csHash), carried by every later zkey. */
  circuitHash: hex.optional(),
  beaconHash: hex.optional(),
  beaconIterationsExp: z.number().int().optional(),
  /** For a verifying key: the zkey it was exported from. */
  fromZkey: z.string().optional(),
  createdAt: z.string(),
});
export type ManifestArtifact = z.infer<typeof artifactSchema>;

const manifestSchema = z.object({
  version: z.literal(1),
  /** True for a --dev setup: insecure, tau is public. */
  dev: z.boolean(),
  circuit: z.object({
    name: z.string(),
    constraints: z.number().int().nonnegative(),
    publicInputs: z.number().int().nonnegative(),
  }),
  phase1: z.object({
    power: z.number().int().positive(),
    /** The expected hash the operator gave, if any (checked when the file was imported). */
    expectedHash: z.string().optional(),
    source: z.enum(["operator", "dev-beacon"]),
  }),
  artifacts: z.array(artifactSchema),
});
export type SetupManifest = z.infer<typeof manifestSchema>;

/**
 * Reads and validates a folder's manifest.json. A dev manifest prints the insecure-setup
 * warning, naming `purpose`, every time it is loaded.
 *
 * @example
 * const manifest = await readManifest("circuits/build/x/setup", "proving");
 */
export async function readManifest(dir: string, purpose: string): Promise<SetupManifest> {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new NonRetryableError(`no ${MANIFEST_FILE} in the setup folder`, { details: { dir } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new NonRetryableError(`${path} is not valid JSON`, { cause: error });
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new NonRetryableError(`${path} is not a valid setup manifest`, {
      details: { path: issue?.path.join("."), problem: issue?.message },
    });
  }
  if (result.data.dev) warnInsecureDevSetup(`${purpose} (${dir})`);
  return result.data;
}

/**
 * Writes the manifest atomically (a reader never sees half a file).
 *
 * @example
 * await writeManifest(dir, manifest);
 */
export async function writeManifest(dir: string, manifest: SetupManifest): Promise<void> {
  const validated = manifestSchema.parse(manifest);
  const path = join(dir, MANIFEST_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(validated, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** The path to record for `file`: relative inside `dir`, absolute outside it. */
export function manifestPath(dir: string, file: string): string {
  const rel = relative(resolve(dir), resolve(file));
  return rel.startsWith("..") || isAbsolute(rel) ? resolve(file) : rel;
}

/** The file an artifact's recorded path points at. */
export function artifactFile(dir: string, artifact: Pick<ManifestArtifact, "path">): string {
  return isAbsolute(artifact.path) ? artifact.path : join(dir, artifact.path);
}

/**
 * Hashes `file` and describes it as an artifact of `role`.
 *
 * @example
 * manifest.artifacts.push(await describeArtifact(dir, "circuit-r1cs", r1csCopy));
 */
export async function describeArtifact(
  dir: string,
  role: ArtifactRole,
  file: string,
  extra: Partial<Omit<ManifestArtifact, "role" | "path" | "blake2b512" | "sha256" | "bytes" | "createdAt">> = {},
): Promise<ManifestArtifact> {
  const { blake2b512, sha256, bytes } = await hashFile(file);
  return { role, path: manifestPath(dir, file), blake2b512, sha256, bytes, ...extra, createdAt: new Date().toISOString() };
}

/** The artifact of `role` (the last one, for roles that repeat), or undefined. */
export function findArtifact(manifest: SetupManifest, role: ArtifactRole): ManifestArtifact | undefined {
  return manifest.artifacts.filter((a) => a.role === role).at(-1);
}

/** The zkey chain in order: init, contributions, beacon. */
export function zkeyChain(manifest: SetupManifest): ManifestArtifact[] {
  return manifest.artifacts
    .filter((a) => a.role === "zkey-init" || a.role === "zkey-contribution" || a.role === "zkey-beacon")
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}
