/**
 * The phase-2 ceremony over a setup folder (the published transcript):
 *
 *   <dir>/manifest.json               every artifact, its role and hashes (manifest.ts)
 *   <dir>/circuit.r1cs, circuit.wasm  the circuit the keys are for
 *   <dir>/zkey/0000_init.zkey         from the r1cs and the phase-1 ptau
 *   <dir>/zkey/0001_<name>.zkey ...   one per contribution, by anyone holding the folder
 *   <dir>/zkey/000N_beacon.zkey       optional final public-randomness step; ends the chain
 *   <dir>/verification_key.json       snarkjs form, exported from the last zkey
 *   <dir>/verification_key.sui.hex    the bytes Sui's groth16::prepare_verifying_key takes
 *
 * Each step checks the previous zkey's hash against the manifest before building on it.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import * as snarkjs from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { toHex } from "../../settler/groth16/bytes.ts";
import { readR1csHeader } from "../r1cs.ts";
import { ensureDevPtau, type DevPhase2Method } from "./dev-ptau.ts";
import { hashFile } from "./hash.ts";
import {
  MANIFEST_FILE,
  artifactFile,
  describeArtifact,
  readManifest,
  writeManifest,
  zkeyChain,
  type ManifestArtifact,
  type SetupManifest,
} from "./manifest.ts";
import { checkPhase1 } from "./phase1.ts";
import { requiredPtauPower } from "./ptau-file.ts";
import { captureSnarkjsLogger } from "./snarkjs-runtime.ts";
import { exportVerifyingKey, type ExportedVerifyingKey } from "./verifying-key.ts";

export interface InitSetupOptions {
  /** The setup folder; must not hold a manifest yet. */
  dir: string;
  r1csPath: string;
  /** The witness generator, copied in so the folder is all a prover needs. */
  wasmPath?: string;
  ptauPath: string;
  /** `blake2b:<hex>` or `sha256:<hex>`: refuse the ptau unless it matches. */
  expectedPtauHash?: string;
  circuitName?: string;
  logger?: Logger;
}

/** Throws naming the file unless it still has the hashes the manifest recorded. */
export async function assertArtifactIntact(dir: string, artifact: ManifestArtifact): Promise<string> {
  const file = artifactFile(dir, artifact);
  if (!existsSync(file)) throw new NonRetryableError(`${artifact.role} ${artifact.path} is missing`, { details: { dir } });
  const { blake2b512 } = await hashFile(file);
  if (blake2b512 !== artifact.blake2b512) {
    throw new NonRetryableError(`${artifact.role} ${artifact.path} does not match its hash in ${MANIFEST_FILE}`, {
      details: { expected: artifact.blake2b512, actual: blake2b512 },
    });
  }
  return file;
}

function zkeyName(index: number, label: string): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "contribution";
  return join("zkey", `${String(index).padStart(4, "0")}_${slug}.zkey`);
}

/** The last zkey of the chain, checked against the manifest, and the next index. */
async function chainHead(dir: string, manifest: SetupManifest): Promise<{ file: string; head: ManifestArtifact; next: number }> {
  const chain = zkeyChain(manifest);
  const head = chain.at(-1);
  if (!head || chain[0]?.role !== "zkey-init") throw new NonRetryableError("the manifest has no initial zkey", { details: { dir } });
  chain.forEach((z, i) => {
    if (z.index !== i) throw new NonRetryableError("the manifest's zkey chain has a gap", { details: { expected: i, found: z.index } });
  });
  return { file: await assertArtifactIntact(dir, head), head, next: chain.length };
}

/** Drops an exported verifying key once the chain grows past the zkey it came from. */
async function dropStaleVerifyingKey(dir: string, manifest: SetupManifest): Promise<void> {
  for (const a of manifest.artifacts.filter((x) => x.role.startsWith("verification-key"))) {
    await rm(artifactFile(dir, a), { force: true });
  }
  manifest.artifacts = manifest.artifacts.filter((a) => !a.role.startsWith("verification-key"));
}

async function initialize(options: InitSetupOptions, source: SetupManifest["phase1"]["source"]): Promise<SetupManifest> {
  const { dir, logger } = options;
  if (existsSync(join(dir, MANIFEST_FILE))) {
    throw new NonRetryableError(`the setup folder already holds a ${MANIFEST_FILE}`, { details: { dir } });
  }
  const r1cs = await readR1csHeader(options.r1csPath);
  const circuit = { nConstraints: r1cs.nConstraints, nPubInputs: r1cs.nPubIn, nOutputs: r1cs.nPubOut };
  const phase1 = await checkPhase1(options.ptauPath, circuit, options.expectedPtauHash);
  await mkdir(join(dir, "zkey"), { recursive: true });
  const r1csCopy = join(dir, "circuit.r1cs");
  await copyFile(options.r1csPath, r1csCopy);
  const artifacts: ManifestArtifact[] = [
    await describeArtifact(dir, "phase1-ptau", phase1.path),
    await describeArtifact(dir, "circuit-r1cs", r1csCopy),
  ];
  if (options.wasmPath) {
    const wasmCopy = join(dir, "circuit.wasm");
    await copyFile(options.wasmPath, wasmCopy);
    artifacts.push(await describeArtifact(dir, "circuit-wasm", wasmCopy));
  }
  const init = join(dir, zkeyName(0, "init"));
  const { logger: snarkLogger, errors } = captureSnarkjsLogger(logger);
  const csHash = await snarkjs.zKey.newZKey(r1csCopy, phase1.path, init, snarkLogger);
  if (csHash === -1) throw new NonRetryableError("snarkjs could not create the initial zkey", { details: { reason: errors.join("; ") } });
  artifacts.push(await describeArtifact(dir, "zkey-init", init, { index: 0, name: "init", circuitHash: toHex(csHash) }));
  const manifest: SetupManifest = {
    version: 1,
    dev: source === "dev-beacon",
    circuit: {
      name: options.circuitName ?? basename(options.r1csPath).replace(/\.r1cs$/, ""),
      constraints: r1cs.nConstraints,
      publicInputs: r1cs.nPubIn + r1cs.nPubOut,
    },
    phase1: { power: phase1.info.power, source, ...(phase1.expectedHash ? { expectedHash: phase1.expectedHash } : {}) },
    artifacts,
  };
  await writeManifest(dir, manifest);
  logger?.info({ dir, power: phase1.info.power, constraints: r1cs.nConstraints }, "setup initialized");
  return manifest;
}

/**
 * Starts a setup folder from an operator-supplied phase-1 ptau: checks it (hash, size,
 * prepared), copies the circuit in, writes the initial zkey and the manifest.
 *
 * @example
 * await initSetup({ dir, r1csPath, wasmPath, ptauPath: "pot14_final.ptau", expectedPtauHash: "blake2b:…" });
 */
export function initSetup(options: InitSetupOptions): Promise<SetupManifest> {
  return initialize(options, "operator");
}

/**
 * Adds one phase-2 contribution (anyone holding the folder can). Entropy: 32 fresh random
 * bytes, plus `entropy` when given, plus snarkjs's own randomness.
 *
 * @example
 * const { contributionHash } = await contribute({ dir, name: "Alice" });
 */
export async function contribute(options: { dir: string; name: string; entropy?: string; logger?: Logger }): Promise<ManifestArtifact> {
  const { dir, name, logger } = options;
  const manifest = await readManifest(dir, `contributing as ${name}`);
  const { file, head, next } = await chainHead(dir, manifest);
  if (head.role === "zkey-beacon") throw new NonRetryableError("the chain ends with a beacon: no contribution can follow it");
  const output = join(dir, zkeyName(next, name));
  const { logger: snarkLogger } = captureSnarkjsLogger(logger);
  const entropy = randomBytes(32).toString("hex") + (options.entropy ?? "");
  const hash = await snarkjs.zKey.contribute(file, output, name, entropy, snarkLogger);
  const artifact = await describeArtifact(dir, "zkey-contribution", output, { index: next, name, contributionHash: toHex(hash) });
  await dropStaleVerifyingKey(dir, manifest);
  manifest.artifacts.push(artifact);
  await writeManifest(dir, manifest);
  logger?.info({ dir, index: next, name, contributionHash: artifact.contributionHash }, "phase-2 contribution added");
  return artifact;
}

/**
 * Ends the chain with a beacon: public randomness nobody controlled in advance (e.g. a
 * future block hash), iterated 2^iterationsExp times (10..63, snarkjs's bounds).
 *
 * @example
 * await applyBeacon({ dir, beaconHash: "0f1e…", iterationsExp: 10 });
 */
export async function applyBeacon(options: {
  dir: string;
  beaconHash: string;
  iterationsExp: number;
  name?: string;
  logger?: Logger;
}): Promise<ManifestArtifact> {
  const { dir, logger } = options;
  const name = options.name ?? "final beacon";
  const beaconHash = options.beaconHash.replace(/^0x/, "").toLowerCase();
  if (!/^([0-9a-f]{2}){1,255}$/.test(beaconHash)) {
    throw new NonRetryableError("beacon hash must be 1 to 255 bytes of hex", { details: { beaconHash: options.beaconHash.slice(0, 80) } });
  }
  const manifest = await readManifest(dir, "applying the beacon");
  const { file, head, next } = await chainHead(dir, manifest);
  if (head.role === "zkey-beacon") throw new NonRetryableError("the chain already ends with a beacon");
  const output = join(dir, zkeyName(next, "beacon"));
  const { logger: snarkLogger, errors } = captureSnarkjsLogger(logger);
  const hash = await snarkjs.zKey.beacon(file, output, name, beaconHash, options.iterationsExp, snarkLogger);
  if (hash === false) throw new NonRetryableError("snarkjs refused the beacon", { details: { reason: errors.join("; ") } });
  const artifact = await describeArtifact(dir, "zkey-beacon", output, {
    index: next,
    name,
    contributionHash: toHex(hash),
    beaconHash,
    beaconIterationsExp: options.iterationsExp,
  });
  await dropStaleVerifyingKey(dir, manifest);
  manifest.artifacts.push(artifact);
  await writeManifest(dir, manifest);
  return artifact;
}

/**
 * Exports the verifying key of the chain's last zkey into the folder (JSON and Sui hex)
 * and records both in the manifest.
 *
 * @example
 * const { suiBytes } = await exportSetupVerifyingKey({ dir });
 */
export async function exportSetupVerifyingKey(options: { dir: string; logger?: Logger }): Promise<ExportedVerifyingKey> {
  const { dir, logger } = options;
  const manifest = await readManifest(dir, "exporting the verifying key");
  const { file, head } = await chainHead(dir, manifest);
  const exported = await exportVerifyingKey(file, logger);
  const jsonFile = join(dir, "verification_key.json");
  const hexFile = join(dir, "verification_key.sui.hex");
  await writeFile(jsonFile, `${JSON.stringify(exported.json, null, 2)}\n`);
  await writeFile(hexFile, `${toHex(exported.suiBytes)}\n`);
  manifest.artifacts = manifest.artifacts.filter((a) => !a.role.startsWith("verification-key"));
  manifest.artifacts.push(
    await describeArtifact(dir, "verification-key-json", jsonFile, { fromZkey: head.path }),
    await describeArtifact(dir, "verification-key-sui", hexFile, { fromZkey: head.path }),
  );
  await writeManifest(dir, manifest);
  return exported;
}

export interface DevSetupOptions {
  dir: string;
  r1csPath: string;
  wasmPath?: string;
  /** Default: the smallest power the circuit fits in. */
  power?: number;
  method?: DevPhase2Method;
  circuitName?: string;
  logger?: Logger;
}

/**
 * An INSECURE complete setup for tests and demos: the cached dev ptau, the initial zkey, one
 * random contribution, and the exported verifying key. Prints the dev warning.
 *
 * @example
 * const { manifest, verifyingKey } = await devSetup({ dir, r1csPath, wasmPath });
 */
export async function devSetup(options: DevSetupOptions): Promise<{ manifest: SetupManifest; verifyingKey: ExportedVerifyingKey }> {
  const { logger } = options;
  const r1cs = await readR1csHeader(options.r1csPath);
  const power = options.power ?? requiredPtauPower({ nConstraints: r1cs.nConstraints, nPubInputs: r1cs.nPubIn, nOutputs: r1cs.nPubOut });
  const ptau = await ensureDevPtau(power, { ...(options.method ? { method: options.method } : {}), ...(logger ? { logger } : {}) });
  await initialize(
    {
      dir: options.dir,
      r1csPath: options.r1csPath,
      ptauPath: ptau.path,
      ...(options.wasmPath ? { wasmPath: options.wasmPath } : {}),
      ...(options.circuitName ? { circuitName: options.circuitName } : {}),
      ...(logger ? { logger } : {}),
    },
    "dev-beacon",
  );
  await contribute({ dir: options.dir, name: "dev contribution (INSECURE setup)", ...(logger ? { logger } : {}) });
  const verifyingKey = await exportSetupVerifyingKey({ dir: options.dir, ...(logger ? { logger } : {}) });
  return { manifest: await readManifest(options.dir, "dev setup finished"), verifyingKey };
}
