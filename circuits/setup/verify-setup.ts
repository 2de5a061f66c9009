/**
 * Verifies a setup folder, as an auditor or the next contributor would:
 * - every artifact in the manifest is present with its recorded hashes (the phase-1 ptau may
 *   be supplied from elsewhere: it must hash the same);
 * - the zkey chain is contiguous, starts with the initial zkey, ends with the final one;
 * - snarkjs zKey.verifyFromR1cs: the final zkey follows from the r1cs and the ptau through
 *   valid contributions; the contributions it carries are exactly the manifest's, by name
 *   and contribution hash;
 * - the exported verifying key (JSON and Sui bytes) is the final zkey's, and equals the key
 *   emitted on chain when the caller gives one.
 */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import type { Logger } from "../../common/logger.ts";
import { parseHex, toHex } from "../../settler/groth16/bytes.ts";
import { hashFile } from "./hash.ts";
import { artifactFile, findArtifact, readManifest, zkeyChain, type ManifestArtifact } from "./manifest.ts";
import { captureSnarkjsLogger } from "./snarkjs-runtime.ts";
import { exportVerifyingKey } from "./verifying-key.ts";

export interface SetupCheck {
  check: string;
  ok: boolean;
  detail?: string;
}

export interface SetupVerification {
  ok: boolean;
  dev: boolean;
  checks: SetupCheck[];
  /** The verifying key of the final zkey, Sui bytes, when it could be exported. */
  suiVerifyingKey?: Uint8Array;
}

export interface VerifySetupOptions {
  dir: string;
  /** Where the phase-1 ptau is, when not at its recorded path. */
  ptauPath?: string;
  /** The verifying key emitted on chain (Sui bytes), to compare. */
  expectedSuiVerifyingKey?: Uint8Array;
  logger?: Logger;
}

/** snarkjs lists each contribution of a verified zkey as "contribution #i name:" and its hash. */
function listedContributions(infos: string[]): Array<{ index: number; name: string; hash: string }> {
  const out: Array<{ index: number; name: string; hash: string }> = [];
  for (const line of infos) {
    const match = /^contribution #(\d+) (.*):\n([\s0-9a-f]+)$/.exec(line);
    if (match) out.push({ index: Number(match[1]), name: match[2]!, hash: match[3]!.replace(/\s+/g, "") });
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * Runs every check; never throws for a failed check (each is reported), only for a folder
 * without a readable manifest.
 *
 * @example
 * const result = await verifySetup({ dir, ptauPath: "pot14_final.ptau" });
 * for (const c of result.checks) console.log(c.ok ? "ok  " : "FAIL", c.check, c.detail ?? "");
 */
export async function verifySetup(options: VerifySetupOptions): Promise<SetupVerification> {
  const { dir, logger } = options;
  const manifest = await readManifest(dir, "verifying the setup");
  const checks: SetupCheck[] = [];
  const record = (check: string, ok: boolean, detail?: string) => checks.push({ check, ok, ...(detail ? { detail } : {}) });

  const fileOf = (a: ManifestArtifact) => (a.role === "phase1-ptau" && options.ptauPath ? options.ptauPath : artifactFile(dir, a));
  for (const artifact of manifest.artifacts) {
    const file = fileOf(artifact);
    try {
      const { blake2b512, sha256 } = await hashFile(file);
      const ok = blake2b512 === artifact.blake2b512 && sha256 === artifact.sha256;
      record(`${artifact.role} ${artifact.path} matches its hashes`, ok, ok ? undefined : `blake2b ${blake2b512}`);
    } catch (error) {
      record(`${artifact.role} ${artifact.path} matches its hashes`, false, `cannot read ${file}: ${(error as Error).message}`);
    }
  }

  const chain = zkeyChain(manifest);
  const contiguous = chain.length > 0 && chain[0]!.role === "zkey-init" && chain.every((z, i) => z.index === i);
  const beaconLast = chain.every((z, i) => z.role !== "zkey-beacon" || i === chain.length - 1);
  record("the zkey chain starts with the initial zkey and has no gaps", contiguous);
  record("a beacon, if any, is the last step", beaconLast);
  const ptau = findArtifact(manifest, "phase1-ptau");
  const r1cs = findArtifact(manifest, "circuit-r1cs");
  const final = chain.at(-1);
  let suiVerifyingKey: Uint8Array | undefined;
  if (ptau && r1cs && final) {
    const { logger: snarkLogger, errors, infos } = captureSnarkjsLogger(logger);
    let ok = false;
    try {
      ok = await snarkjs.zKey.verifyFromR1cs(artifactFile(dir, r1cs), fileOf(ptau), artifactFile(dir, final), snarkLogger);
    } catch (error) {
      errors.push((error as Error).message);
    }
    record("snarkjs: the final zkey follows from the r1cs and the phase-1 ptau", ok, ok ? undefined : errors.join("; "));
    if (ok) {
      const listed = listedContributions(infos);
      const expected = chain.slice(1).map((z) => ({ name: z.name ?? "", hash: z.contributionHash ?? "" }));
      const same =
        listed.length === expected.length && listed.every((c, i) => c.name === expected[i]!.name && c.hash === expected[i]!.hash);
      record(
        "the final zkey carries exactly the manifest's contributions (names and hashes)",
        same,
        same ? undefined : `zkey lists ${listed.map((c) => c.name).join(", ") || "none"}`,
      );
    }
    try {
      const exported = await exportVerifyingKey(artifactFile(dir, final), logger);
      suiVerifyingKey = exported.suiBytes;
      const json = findArtifact(manifest, "verification-key-json");
      const hex = findArtifact(manifest, "verification-key-sui");
      if (json && hex) {
        const recordedJson = JSON.parse(await readFile(artifactFile(dir, json), "utf8")) as unknown;
        const recordedSui = parseHex(await readFile(artifactFile(dir, hex), "utf8"), hex.path);
        record(
          "the exported verifying key is the final zkey's",
          JSON.stringify(recordedJson) === JSON.stringify(exported.json) && toHex(recordedSui) === toHex(exported.suiBytes),
        );
      }
      if (options.expectedSuiVerifyingKey) {
        const same = toHex(options.expectedSuiVerifyingKey) === toHex(exported.suiBytes);
        record("the verifying key given (e.g. emitted on chain) is the final zkey's", same);
      }
    } catch (error) {
      record("the verifying key can be exported from the final zkey", false, (error as Error).message);
    }
  } else {
    record("the manifest names a ptau, an r1cs and a zkey", false);
  }
  return { ok: checks.every((c) => c.ok), dev: manifest.dev, checks, ...(suiVerifyingKey ? { suiVerifyingKey } : {}) };
}
