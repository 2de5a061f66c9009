/**
 * The proving files of a setup folder (circuits/setup: manifest.json, circuit.wasm, the
 * zkey chain, verification_key.sui.hex), each checked against its hash in the manifest.
 */
import { readFile } from "node:fs/promises";
import { NonRetryableError } from "../../common/errors.ts";
import { assertArtifactIntact } from "../../circuits/setup/ceremony.ts";
import { findArtifact, readManifest, zkeyChain } from "../../circuits/setup/manifest.ts";
import { parseHex } from "../groth16/bytes.ts";
import type { ProvingArtifacts } from "./types.ts";

export interface SetupArtifacts extends ProvingArtifacts {
  /** The verifying key as `sui::groth16::prepare_verifying_key` takes it. */
  vk: Uint8Array;
  /** True for an insecure --dev setup. */
  dev: boolean;
  circuitName: string;
  constraints: number;
}

/**
 * @example
 * const { wasm, zkey, vk } = await loadSetupArtifacts("circuits/build/batch_update_d40_b8/setup");
 */
export async function loadSetupArtifacts(dir: string): Promise<SetupArtifacts> {
  const manifest = await readManifest(dir, "proving");
  const wasm = findArtifact(manifest, "circuit-wasm");
  const zkey = zkeyChain(manifest).at(-1);
  const vk = findArtifact(manifest, "verification-key-sui");
  if (!wasm || !zkey || !vk) {
    throw new NonRetryableError("the setup folder lacks the circuit wasm, a zkey or the exported verifying key", {
      details: { dir, wasm: Boolean(wasm), zkey: Boolean(zkey), vk: Boolean(vk) },
    });
  }
  if (vk.fromZkey !== zkey.path) {
    throw new NonRetryableError("the verifying key was not exported from the last zkey", {
      details: { dir, fromZkey: vk.fromZkey ?? null, lastZkey: zkey.path },
    });
  }
  const vkFile = await assertArtifactIntact(dir, vk);
  return {
    wasm: await assertArtifactIntact(dir, wasm),
    zkey: await assertArtifactIntact(dir, zkey),
    vk: parseHex((await readFile(vkFile, "utf8")).trim(), "verification key"),
    dev: manifest.dev,
    circuitName: manifest.circuit.name,
    constraints: manifest.circuit.constraints,
  };
}
