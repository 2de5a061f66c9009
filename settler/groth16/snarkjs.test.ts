import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { devSetup } from "../../circuits/setup/ceremony.ts";
import { loadProvingSetup, proveBatch, type ProveBatchResult } from "../../circuits/setup/prove.ts";
import { buildTinyCircuit } from "../../circuits/test/tiny-circuit.ts";
import { concatBytes } from "./bytes.ts";
import { FIELD_MODULUS, G1 } from "./curve.ts";
import {
  g1FromSnarkjs,
  g1ToSnarkjs,
  g2FromSnarkjs,
  g2ToSnarkjs,
  snarkjsProofToSui,
  snarkjsPublicSignalsToSui,
  snarkjsVerificationKeyToSui,
} from "./snarkjs.ts";
import { decodeProof, decodePublicInputs, decodeVerifyingKey } from "./sui-format.ts";
import { verifyGroth16 } from "./verifier.ts";

const work = mkdtempSync(join(tmpdir(), "groth16-snarkjs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let vkJson: snarkjs.VerificationKey;
const proofs: ProveBatchResult[] = [];
beforeAll(async () => {
  // A real circuit and a (dev) setup: the tiny circuit has 3 public signals [z, x, y].
  const tiny = await buildTinyCircuit();
  const dir = join(work, "setup");
  await devSetup({ dir, r1csPath: tiny.r1cs, wasmPath: tiny.wasm });
  vkJson = JSON.parse(readFileSync(join(dir, "verification_key.json"), "utf8")) as snarkjs.VerificationKey;
  const setup = await loadProvingSetup(dir);
  for (const input of [
    { x: 6, y: 5, a: 2, b: 3 },
    { x: 0, y: 0, a: 0, b: 9 },
    // Field elements near r: a = r - 1 (= -1), so x = -b and z = 1 + y·b.
    { x: "21888242871839275222246405745257275088548364400416034343698204186575808495614", y: 1, a: "21888242871839275222246405745257275088548364400416034343698204186575808495616", b: 3 },
  ]) {
    proofs.push(await proveBatch({ zkeyPath: setup.zkeyPath, wasmPath: setup.wasmPath, input }));
  }
});

describe("snarkjs JSON to Sui bytes and back", () => {
  it("snarkjs proofs convert and verify with the Sui-bytes verifier; tampering fails", async () => {
    const vk = snarkjsVerificationKeyToSui(vkJson);
    expect(vk).toHaveLength(264 + 32 * 3);
    for (const p of proofs) {
      expect(await snarkjs.groth16.verify(vkJson, p.publicSignals, p.proof)).toBe(true);
      const proof = snarkjsProofToSui(p.proof);
      const publicInputs = snarkjsPublicSignalsToSui(p.publicSignals);
      expect(proof).toEqual(p.suiProofBytes);
      expect(publicInputs).toEqual(p.suiPublicInputsBytes);
      expect(verifyGroth16({ vk, publicInputs, proof })).toBe(true);
      // Another output value (z ± 1, still canonical) does not verify, nor inputs in another order.
      const otherZ = publicInputs.slice();
      otherZ[0]! ^= 1;
      expect(verifyGroth16({ vk, publicInputs: otherZ, proof })).toBe(false);
      if (p.publicSignals[0] !== p.publicSignals[1]) {
        const swapped = concatBytes(publicInputs.slice(32, 64), publicInputs.slice(0, 32), publicInputs.slice(64));
        expect(verifyGroth16({ vk, publicInputs: swapped, proof })).toBe(false);
      }
    }
    expect(verifyGroth16({ vk, publicInputs: proofs[0]!.suiPublicInputsBytes, proof: proofs[1]!.suiProofBytes })).toBe(false);
  });

  it("compressed bytes decompress back to snarkjs's points", () => {
    const vk = decodeVerifyingKey(snarkjsVerificationKeyToSui(vkJson));
    expect(g1ToSnarkjs(vk.alpha)).toEqual(vkJson.vk_alpha_1);
    expect(g2ToSnarkjs(vk.beta)).toEqual(vkJson.vk_beta_2);
    expect(g2ToSnarkjs(vk.gamma)).toEqual(vkJson.vk_gamma_2);
    expect(g2ToSnarkjs(vk.delta)).toEqual(vkJson.vk_delta_2);
    expect(vk.ic.map(g1ToSnarkjs)).toEqual(vkJson.IC);
    for (const p of proofs) {
      const decoded = decodeProof(p.suiProofBytes);
      expect(g1ToSnarkjs(decoded.a)).toEqual(p.proof.pi_a);
      expect(g2ToSnarkjs(decoded.b)).toEqual(p.proof.pi_b);
      expect(g1ToSnarkjs(decoded.c)).toEqual(p.proof.pi_c);
      expect(decodePublicInputs(p.suiPublicInputsBytes).map(String)).toEqual(p.publicSignals);
    }
  });

  it("a proof rebuilt from the Sui bytes verifies with snarkjs itself", async () => {
    const p = proofs[2]!;
    const decoded = decodeProof(p.suiProofBytes);
    const rebuilt = { protocol: "groth16", curve: "bn128", pi_a: g1ToSnarkjs(decoded.a), pi_b: g2ToSnarkjs(decoded.b), pi_c: g1ToSnarkjs(decoded.c) };
    const signals = decodePublicInputs(p.suiPublicInputsBytes).map(String);
    expect(await snarkjs.groth16.verify(vkJson, signals, rebuilt)).toBe(true);
  });

  it("refuses malformed JSON points, naming the field", () => {
    expect(() => g1FromSnarkjs(["1", "3", "1"], "vk.IC[0]")).toThrow(/vk\.IC\[0\]: not a valid point/);
    expect(() => g1FromSnarkjs(["1", "2", "2"], "pi_a")).toThrow(/pi_a: expected affine coordinates/);
    expect(() => g1FromSnarkjs([FIELD_MODULUS.toString(), "2", "1"], "pi_a")).toThrow(/pi_a\.x: not below/);
    expect(() => g1FromSnarkjs(["0x01", "2", "1"], "pi_a")).toThrow(/pi_a\.x: expected a decimal string/);
    expect(g1FromSnarkjs(["0", "1", "0"], "pi_a").is0()).toBe(true);
    expect(g1FromSnarkjs(g1ToSnarkjs(G1.BASE), "g").equals(G1.BASE)).toBe(true);
    expect(() => g2FromSnarkjs([["1", "0"], ["1", "0"], ["1", "0"]], "pi_b")).toThrow(/pi_b: not a valid point/);
    expect(() => snarkjsProofToSui({ ...proofs[0]!.proof, curve: "bls12381" })).toThrow(/proof\.curve: expected "bn128"/);
    expect(() => snarkjsVerificationKeyToSui({ ...vkJson, nPublic: 2 })).toThrow(/vk\.nPublic: 2 does not match 4 IC points/);
    expect(() => snarkjsPublicSignalsToSui(["21888242871839275222246405745257275088548364400416034343698204186575808495617"])).toThrow(
      /publicSignals\[0\]: not below the scalar field modulus r/,
    );
    expect(() => snarkjsPublicSignalsToSui(Array.from({ length: 9 }, () => "1"))).toThrow(NonRetryableError);
  });
});
