import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import { fixturesDir, projectRoot } from "../../common/fixtures.ts";
import { toHex } from "../../settler/groth16/bytes.ts";
import { g1ToSnarkjs, g2ToSnarkjs } from "../../settler/groth16/snarkjs.ts";
import { decodeProof, decodePublicInputs, decodeVerifyingKey } from "../../settler/groth16/sui-format.ts";
import { parseSuiVectors, type RawKeyVector } from "../../settler/groth16/sui-vectors.ts";
import { EXIT_INVALID, EXIT_USAGE, EXIT_VALID, createVerifyProofCommand, runVerifyProof } from "./verify-proof.ts";

const vectors = parseSuiVectors(readFileSync(join(fixturesDir(), "groth16", "sui_groth16_vectors.txt"), "utf8"));
const raw = vectors.groth16.filter((v): v is RawKeyVector => v.kind === "raw");
const v1 = raw[0]!;
const v3 = raw[1]!;
const dir = mkdtempSync(join(tmpdir(), "verify-proof-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

function run(options: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const out = sink();
  const err = sink();
  const code = runVerifyProof(options, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const inline = (v: RawKeyVector) => ({ vk: toHex(v.vk), publicInputs: toHex(v.publicInputs), proof: toHex(v.proof) });

describe("verify-proof", () => {
  it("prints valid for every raw-key vector", () => {
    for (const v of raw) expect(run(inline(v))).toEqual({ code: EXIT_VALID, stdout: "valid\n", stderr: "" });
  });

  it("prints invalid with a reason for a tampered input or a non-canonical one", () => {
    const tampered = run({ ...inline(v1), publicInputs: toHex(v3.publicInputs) });
    expect(tampered.code).toBe(EXIT_INVALID);
    expect(tampered.stdout).toBe("invalid\n");
    expect(tampered.stderr).toMatch(/reason: the pairing check failed/);
    const nonCanonical = run({ ...inline(v1), publicInputs: "ff".repeat(32) });
    expect(nonCanonical.code).toBe(EXIT_INVALID);
    expect(nonCanonical.stderr).toMatch(/scalar is not below/);
  });

  it("reads files holding hex (0x and newlines allowed), raw bytes, or snarkjs JSON", () => {
    const key = decodeVerifyingKey(v3.vk);
    const proof = decodeProof(v3.proof);
    const vkJson = {
      protocol: "groth16",
      curve: "bn128",
      nPublic: key.ic.length - 1,
      vk_alpha_1: g1ToSnarkjs(key.alpha),
      vk_beta_2: g2ToSnarkjs(key.beta),
      vk_gamma_2: g2ToSnarkjs(key.gamma),
      vk_delta_2: g2ToSnarkjs(key.delta),
      IC: key.ic.map(g1ToSnarkjs),
    };
    const proofJson = { protocol: "groth16", curve: "bn128", pi_a: g1ToSnarkjs(proof.a), pi_b: g2ToSnarkjs(proof.b), pi_c: g1ToSnarkjs(proof.c) };
    const publicJson = decodePublicInputs(v3.publicInputs).map(String);
    expect(
      run({
        vkFile: file("vk.hex", `0x${toHex(v3.vk)}\n`),
        publicInputsFile: file("public.bin", v3.publicInputs),
        proofFile: file("proof.json", JSON.stringify(proofJson)),
      }).code,
    ).toBe(EXIT_VALID);
    expect(
      run({
        vkFile: file("verification_key.json", JSON.stringify(vkJson, null, 1)),
        publicInputsFile: file("public.json", JSON.stringify(publicJson)),
        proofFile: file("proof.bin", v3.proof),
      }).code,
    ).toBe(EXIT_VALID);
  });

  it("exits 2 naming the argument for malformed hex, lengths, counts, files and missing values", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...inline(v1), publicInputs: "0x12zz" }, /--public-inputs is not valid hex/],
      [{ ...inline(v1), proof: "abc" }, /--proof is not valid hex: odd number of digits/],
      [{ ...inline(v1), proof: toHex(v1.proof.slice(0, 100)) }, /--proof: expected 128 bytes, got 100/],
      [{ ...inline(v1), vk: `${toHex(v1.vk)}00` }, /--vk: expected 264 \+ 32·nPublic bytes/],
      [{ ...inline(v1), publicInputs: toHex(v1.publicInputs).repeat(2) }, /--public-inputs: the key takes 1 public inputs, got 2/],
      [{ ...inline(v1), publicInputs: toHex(v1.publicInputs).repeat(9) }, /--public-inputs: Sui takes at most 8/],
      [{ vk: toHex(v1.vk), proof: toHex(v1.proof) }, /--public-inputs or --public-inputs-file is required/],
      [{ ...inline(v1), proofFile: file("p.hex", toHex(v1.proof)) }, /give --proof or --proof-file, not both/],
      [{ vk: toHex(v1.vk), publicInputs: toHex(v1.publicInputs), proofFile: join(dir, "missing") }, /--proof-file: cannot read/],
      [
        { vk: toHex(v1.vk), publicInputs: toHex(v1.publicInputs), proofFile: file("bad.json", '{"pi_a": 1}') },
        /--proof-file: not a usable snarkjs proof JSON file: proof.protocol/,
      ],
    ];
    for (const [options, message] of cases) {
      const result = run(options);
      expect(result.code, JSON.stringify(options).slice(0, 80)).toBe(EXIT_USAGE);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(message);
    }
  });

  it("the command sets process.exitCode from the verdict (1 for invalid)", async () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const writeErr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const args = ["--vk", toHex(v1.vk), "--public-inputs", toHex(v3.publicInputs), "--proof", toHex(v1.proof)];
      await createVerifyProofCommand().parseAsync(args, { from: "user" });
      expect(process.exitCode).toBe(EXIT_INVALID);
      await createVerifyProofCommand().parseAsync(["--vk", toHex(v1.vk), "--public-inputs", "0x1", "--proof", toHex(v1.proof)], { from: "user" });
      expect(process.exitCode).toBe(EXIT_USAGE);
    } finally {
      write.mockRestore();
      writeErr.mockRestore();
      process.exitCode = 0;
    }
  });

  // Two runs of the real command line (each start loads every command: slow on a busy
  // machine): the exit code set by the action and the one for a usage error commander finds.
  it("sets the process exit code through the real command line: 0 valid, 2 usage error", () => {
    const cli = join(projectRoot, "bin", "sui-zk-indexer.js");
    const exec = (args: string[]) => spawnSync(process.execPath, [cli, "verify-proof", ...args], { cwd: projectRoot, encoding: "utf8" });
    const args = ["--vk", toHex(v1.vk), "--public-inputs", toHex(v1.publicInputs), "--proof", toHex(v1.proof)];
    const valid = exec(args);
    expect([valid.status, valid.stdout]).toEqual([0, "valid\n"]);
    const unknownOption = exec([...args, "--bogus"]);
    expect(unknownOption.status).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--bogus'/);
  }, 300_000);
});
