import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { projectRoot } from "../../common/fixtures.ts";
import { ensureDevPtau } from "../../circuits/setup/dev-ptau.ts";
import { hashFile } from "../../circuits/setup/hash.ts";
import { zkeyChain, type SetupManifest } from "../../circuits/setup/manifest.ts";
import { releaseSnarkjs } from "../../circuits/setup/snarkjs-runtime.ts";
import { buildTinyCircuit, type TinyCircuit } from "../../circuits/test/tiny-circuit.ts";
import { createCircuitsCommand } from "./circuits.ts";
import { createVerifyProofCommand } from "./verify-proof.ts";

// The commands log progress through pino straight to fd 2; keep test output to warnings.
process.env.LOG_LEVEL ??= "warn";
const work = mkdtempSync(join(tmpdir(), "circuits-cli-"));
let tiny: TinyCircuit;
let ptau: string;
beforeAll(async () => {
  tiny = await buildTinyCircuit();
  ptau = (await ensureDevPtau(3)).path;
  await releaseSnarkjs();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Runs a command in this process (the command line starts slowly on a busy machine), with
 * stdout and stderr captured and the exit code it set.
 */
async function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const capture = (append: (text: string) => void) => (chunk: string | Uint8Array) => {
    append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture((t) => (stdout += t)));
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture((t) => (stderr += t)));
  process.exitCode = 0;
  try {
    const [name, ...rest] = args;
    const command = name === "circuits" ? createCircuitsCommand() : createVerifyProofCommand();
    await command.parseAsync(rest, { from: "user" });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { status, stdout, stderr };
}

/** Runs the real command line; the process must exit on its own (snarkjs's threads released). */
function spawnCli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(projectRoot, "bin", "sui-zk-indexer.js"), ...args], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, LOG_LEVEL: "warn" },
  });
  if (result.error) throw result.error;
  return result;
}

describe("circuits (command line)", () => {
  const dev = join(work, "dev");
  const out = join(work, "proof");

  it("dev makes an insecure setup, warns, and exits", () => {
    const r = spawnCli("circuits", "dev", "--dir", dev, "--r1cs", tiny.r1cs, "--wasm", tiny.wasm);
    expect(r.stderr).toMatch(/INSECURE DEV SETUP/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^INSECURE dev setup in .*\n[0-9a-f]{720}\n$/);
  });

  it("prove writes the proof, which verify-proof accepts in snarkjs JSON and in Sui hex", async () => {
    writeFileSync(join(work, "input.json"), JSON.stringify({ x: "6", y: "5", a: "2", b: "3" }));
    const r = await cli("circuits", "prove", "--dir", dev, "--input", join(work, "input.json"), "--out", out);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/INSECURE DEV SETUP: loading it for proving/);
    expect(JSON.parse(readFileSync(join(out, "public.json"), "utf8"))).toEqual(["19", "6", "5"]);
    const check = await cli(
      "verify-proof",
      "--vk-file",
      join(dev, "verification_key.sui.hex"),
      "--public-inputs-file",
      join(out, "public.json"),
      "--proof-file",
      join(out, "proof.sui.hex"),
    );
    expect([check.status, check.stdout]).toEqual([0, "valid\n"]);
  });

  it("verify passes on the folder (exit 0) and fails once a zkey is changed (exit 1); no folder is exit 2", async () => {
    const ok = await cli("circuits", "verify", "--dir", dev, "--vk-file", join(dev, "verification_key.json"));
    expect(ok.stdout).toMatch(/setup verified\n$/);
    expect(ok.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dev, "manifest.json"), "utf8")) as SetupManifest;
    appendFileSync(join(dev, zkeyChain(manifest).at(-1)!.path), "tampered");
    // Through the real command line: the exit code reaches the shell.
    const bad = spawnCli("circuits", "verify", "--dir", dev);
    expect(bad.stdout).toMatch(/FAIL {2}zkey-contribution .* matches its hashes/);
    expect(bad.stdout).toMatch(/setup verification FAILED\n$/);
    expect(bad.status).toBe(1);
    const missing = await cli("circuits", "verify", "--dir", join(work, "nothing-here"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error: no manifest\.json in the setup folder/);
  });

  it("setup refuses a ptau with another hash; then contribute, beacon and export-vk build the chain", async () => {
    const dir = join(work, "ceremony");
    const refused = await cli("circuits", "setup", "--dir", dir, "--r1cs", tiny.r1cs, "--ptau", ptau, "--ptau-hash", `sha256:${"0".repeat(64)}`);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/error: --ptau: sha256 hash does not match the expected hash/);
    const { blake2b512 } = await hashFile(ptau);
    expect((await cli("circuits", "setup", "--dir", dir, "--r1cs", tiny.r1cs, "--ptau", ptau, "--ptau-hash", `blake2b:${blake2b512}`)).status).toBe(0);
    const alice = await cli("circuits", "contribute", "--dir", dir, "--name", "Alice");
    expect(alice.status).toBe(0);
    expect(alice.stdout).toMatch(/contribution #1 by Alice: zkey\/0001_alice\.zkey\ncontribution hash: [0-9a-f]{128}\n/);
    expect((await cli("circuits", "beacon", "--dir", dir, "--hash", "0123456789abcdef", "--iterations-exp", "10")).status).toBe(0);
    const exported = await cli("circuits", "export-vk", "--dir", dir);
    expect(exported.status).toBe(0);
    expect(exported.stdout.trim()).toBe(readFileSync(join(dir, "verification_key.sui.hex"), "utf8").trim());
    expect(existsSync(join(dir, "zkey", "0002_beacon.zkey"))).toBe(true);
    const late = await cli("circuits", "beacon", "--dir", dir, "--hash", "00");
    expect(late.status).toBe(1);
    expect(late.stderr).toMatch(/already ends with a beacon/);
  });
});
