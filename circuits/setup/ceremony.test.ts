import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { toHex } from "../../settler/groth16/bytes.ts";
import { verifyGroth16 } from "../../settler/groth16/verifier.ts";
import { buildTinyCircuit, type TinyCircuit } from "../test/tiny-circuit.ts";
import { applyBeacon, contribute, devSetup, exportSetupVerifyingKey, initSetup } from "./ceremony.ts";
import { buildDevPtau, ensureDevPtau } from "./dev-ptau.ts";
import { ensureDevSetup } from "./dev-setup-cache.ts";
import { hashFile } from "./hash.ts";
import { MANIFEST_FILE, readManifest, zkeyChain, type SetupManifest } from "./manifest.ts";
import { loadProvingSetup, proveBatch } from "./prove.ts";
import { verifySetup } from "./verify-setup.ts";

const work = mkdtempSync(join(tmpdir(), "ceremony-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let tiny: TinyCircuit;
let ptau: string;
beforeAll(async () => {
  tiny = await buildTinyCircuit();
  // The tiny circuit needs 2^3; a larger file is fine. The dev ptau stands in for an
  // operator's public phase-1 file here: the operator path treats it like any other.
  ptau = (await ensureDevPtau(4)).path;
});

/** Captures what is written to stderr while `fn` runs. */
async function stderrOf(fn: () => Promise<unknown>): Promise<string> {
  let text = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return text;
}

const manifestOf = (dir: string): SetupManifest => JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as SetupManifest;

describe("phase 1 checks", () => {
  it("refuses a ptau whose hash is not the expected one, naming --ptau", async () => {
    const dir = join(work, "bad-hash");
    await expect(
      initSetup({ dir, r1csPath: tiny.r1cs, ptauPath: ptau, expectedPtauHash: `blake2b:${"00".repeat(64)}` }),
    ).rejects.toThrow(/--ptau: blake2b512 hash does not match the expected hash/);
  });

  it("refuses a ptau too small for the circuit and one not prepared for phase 2", async () => {
    const small = join(work, "p2.ptau");
    await buildDevPtau(2, small, "known-tau", undefined, work);
    await expect(initSetup({ dir: join(work, "small"), r1csPath: tiny.r1cs, ptauPath: small })).rejects.toThrow(
      /2\^2 powers of tau are too few for this circuit, which needs 2\^3/,
    );
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    const unprepared = join(work, "unprepared.ptau");
    await snarkjs.powersOfTau.newAccumulator(curve, 4, unprepared);
    await expect(initSetup({ dir: join(work, "unprepared"), r1csPath: tiny.r1cs, ptauPath: unprepared })).rejects.toThrow(
      /not prepared for phase 2/,
    );
  });
});

describe("a phase-2 ceremony over a transcript folder", () => {
  const dir = join(work, "ceremony");
  let suiVk: Uint8Array;

  it("initializes from an operator ptau checked by hash, and records it", async () => {
    const { sha256, blake2b512 } = await hashFile(ptau);
    const manifest = await initSetup({ dir, r1csPath: tiny.r1cs, wasmPath: tiny.wasm, ptauPath: ptau, expectedPtauHash: `sha256:${sha256}` });
    expect(manifest.dev).toBe(false);
    expect(manifest.phase1).toEqual({ power: 4, source: "operator", expectedHash: `sha256:${sha256}` });
    expect(manifest.circuit).toMatchObject({ constraints: 3, publicInputs: 3 });
    const roles = manifest.artifacts.map((a) => a.role);
    expect(roles).toEqual(["phase1-ptau", "circuit-r1cs", "circuit-wasm", "zkey-init"]);
    expect(manifest.artifacts[0]).toMatchObject({ path: ptau, blake2b512, sha256 });
    await expect(initSetup({ dir, r1csPath: tiny.r1cs, ptauPath: ptau })).rejects.toThrow(/already holds a manifest\.json/);
  });

  it("takes contributions from several parties, then a beacon, and exports the key", async () => {
    const alice = await contribute({ dir, name: "Alice" });
    const bob = await contribute({ dir, name: "Bob", entropy: "bob's dice rolls" });
    expect(alice.contributionHash).toMatch(/^[0-9a-f]{128}$/);
    expect(bob.contributionHash).not.toBe(alice.contributionHash);
    const beacon = await applyBeacon({ dir, beaconHash: "ab".repeat(32), iterationsExp: 10 });
    expect(beacon).toMatchObject({ role: "zkey-beacon", index: 3, beaconHash: "ab".repeat(32) });
    await expect(contribute({ dir, name: "Late" })).rejects.toThrow(/ends with a beacon/);
    const { json, suiBytes } = await exportSetupVerifyingKey({ dir });
    expect(json.nPublic).toBe(3);
    expect(suiBytes).toHaveLength(264 + 32 * 3);
    expect(readFileSync(join(dir, "verification_key.sui.hex"), "utf8").trim()).toBe(toHex(suiBytes));
    suiVk = suiBytes;
    const chain = zkeyChain(manifestOf(dir));
    expect(chain.map((z) => [z.index, z.role, z.name])).toEqual([
      [0, "zkey-init", "init"],
      [1, "zkey-contribution", "Alice"],
      [2, "zkey-contribution", "Bob"],
      [3, "zkey-beacon", "final beacon"],
    ]);
  });

  it("verifies: hashes, chain, snarkjs against r1cs and ptau, contributions, verifying key", async () => {
    const result = await verifySetup({ dir, expectedSuiVerifyingKey: suiVk });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        "snarkjs: the final zkey follows from the r1cs and the phase-1 ptau",
        "the final zkey carries exactly the manifest's contributions (names and hashes)",
        "the exported verifying key is the final zkey's",
        "the verifying key given (e.g. emitted on chain) is the final zkey's",
      ]),
    );
    expect(result.ok).toBe(true);
  });

  it("proves with the final zkey; snarkjs and our Sui-bytes verifier agree", async () => {
    const setup = await loadProvingSetup(dir);
    const proved = await proveBatch({ zkeyPath: setup.zkeyPath, wasmPath: setup.wasmPath, input: { x: 6, y: 5, a: 2, b: 3 } });
    // Public signals: the output z = a² + y·b, then the public inputs x, y.
    expect(proved.publicSignals).toEqual(["19", "6", "5"]);
    const vkJson = JSON.parse(readFileSync(join(dir, "verification_key.json"), "utf8")) as snarkjs.VerificationKey;
    expect(await snarkjs.groth16.verify(vkJson, proved.publicSignals, proved.proof)).toBe(true);
    expect(verifyGroth16({ vk: suiVk, publicInputs: proved.suiPublicInputsBytes, proof: proved.suiProofBytes })).toBe(true);
    const otherInputs = proved.suiPublicInputsBytes.slice();
    otherInputs[32] = 7;
    expect(verifyGroth16({ vk: suiVk, publicInputs: otherInputs, proof: proved.suiProofBytes })).toBe(false);
    expect(await snarkjs.groth16.verify(vkJson, ["19", "7", "5"], proved.proof)).toBe(false);
    // Without snarkjs's worker threads (for proofs run one per worker thread).
    const single = await proveBatch({ zkeyPath: setup.zkeyPath, wasmPath: setup.wasmPath, input: { x: 10, y: 1, a: 5, b: 2 }, singleThread: true });
    expect(single.publicSignals).toEqual(["27", "10", "1"]);
    expect(verifyGroth16({ vk: suiVk, publicInputs: single.suiPublicInputsBytes, proof: single.suiProofBytes })).toBe(true);
  });

  it("refuses to prove a witness that breaks a constraint", async () => {
    const setup = await loadProvingSetup(dir);
    await expect(proveBatch({ zkeyPath: setup.zkeyPath, wasmPath: setup.wasmPath, input: { x: 7, y: 5, a: 2, b: 3 } })).rejects.toThrow(
      /proving failed/,
    );
  });

  it("reports a tampered transcript: a changed zkey, a manifest missing a contribution, another ptau", async () => {
    const tampered = join(work, "tampered");
    await import("node:fs/promises").then((fs) => fs.cp(dir, tampered, { recursive: true }));
    const manifest = manifestOf(tampered);
    // 1. Bob's zkey changed after the fact.
    appendFileSync(join(tampered, zkeyChain(manifest)[2]!.path), "x");
    let result = await verifySetup({ dir: tampered });
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.check.includes("0002_bob.zkey"))?.ok).toBe(false);
    // 2. The manifest hides Alice's contribution (and re-indexes the rest).
    const hidden = manifestOf(dir);
    hidden.artifacts = hidden.artifacts.filter((a) => a.name !== "Alice").map((a) => (a.index && a.index > 1 ? { ...a, index: a.index - 1 } : a));
    writeFileSync(join(tampered, MANIFEST_FILE), JSON.stringify(hidden));
    result = await verifySetup({ dir: tampered });
    expect(result.checks.find((c) => c.check.startsWith("the final zkey carries exactly"))?.ok).toBe(false);
    // 3. Verified against another phase-1 file (another tau: a random contribution).
    writeFileSync(join(tampered, MANIFEST_FILE), JSON.stringify(manifestOf(dir)));
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    const other = join(work, "other.ptau");
    await snarkjs.powersOfTau.newAccumulator(curve, 4, `${other}.0`);
    await snarkjs.powersOfTau.contribute(`${other}.0`, `${other}.1`, "someone else", "other entropy");
    await snarkjs.powersOfTau.preparePhase2(`${other}.1`, other);
    result = await verifySetup({ dir: tampered, ptauPath: other });
    expect(result.checks.find((c) => c.check.startsWith("phase1-ptau"))?.ok).toBe(false);
    expect(result.checks.find((c) => c.check.startsWith("snarkjs:"))?.ok).toBe(false);
  });
});

describe("the --dev setup", () => {
  it("makes a complete insecure setup, says so loudly, and again whenever it is loaded", async () => {
    const dir = join(work, "dev");
    let result: Awaited<ReturnType<typeof devSetup>> | undefined;
    const setupOutput = await stderrOf(async () => {
      result = await devSetup({ dir, r1csPath: tiny.r1cs, wasmPath: tiny.wasm });
    });
    expect(setupOutput).toMatch(/INSECURE DEV SETUP/);
    expect(result!.manifest.dev).toBe(true);
    expect(result!.manifest.phase1.source).toBe("dev-beacon");
    const loadOutput = await stderrOf(() => loadProvingSetup(dir));
    expect(loadOutput).toMatch(/INSECURE DEV SETUP: loading it for proving/);
    const verifyOutput = await stderrOf(async () => expect((await verifySetup({ dir })).ok).toBe(true));
    expect(verifyOutput).toMatch(/INSECURE DEV SETUP/);
    const operator = await stderrOf(() => readManifest(join(work, "ceremony"), "proving"));
    expect(operator).toBe("");
  });

  it("is cached per circuit: the second request reuses the first setup", async () => {
    const cacheDir = join(work, "setup-cache");
    let first: Awaited<ReturnType<typeof ensureDevSetup>> | undefined;
    await stderrOf(async () => {
      first = await ensureDevSetup({ r1csPath: tiny.r1cs, wasmPath: tiny.wasm, cacheDir });
    });
    expect(first!.cached).toBe(false);
    const again = await stderrOf(async () => {
      const second = await ensureDevSetup({ r1csPath: tiny.r1cs, wasmPath: tiny.wasm, cacheDir });
      expect(second).toMatchObject({ cached: true, dir: first!.dir, zkeyPath: first!.zkeyPath });
    });
    expect(again).toMatch(/INSECURE DEV SETUP/);
  });
});
