import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snarkjsProofToSui, snarkjsPublicSignalsToSui } from "../groth16/snarkjs.ts";
import { checkGroth16 } from "../groth16/verifier.ts";
import { publicSignals, toCircuitInputJson } from "../tree/batch-input.ts";
import { buildBatch } from "../tree/batch.ts";
import { createIndexedMerkleTree } from "../tree/indexed-merkle-tree.ts";
import { encodeCursor } from "../tree/cursor.ts";
import { ensureDevSetup } from "./dev-setup.ts";
import type { SetupArtifacts } from "./setup-artifacts.ts";
import { createThreadProver } from "./thread-prover.ts";
import type { BatchProver } from "./types.ts";

let artifacts: SetupArtifacts;
beforeAll(async () => {
  artifacts = await ensureDevSetup({ depth: 2, batchSize: 1 });
}, 900_000);

/** Three consecutive batches of one insert each on a depth-2 tree, as circuit inputs. */
async function consecutiveInputs(): Promise<{ json: string; expected: bigint[] }[]> {
  const tree = await createIndexedMerkleTree({ depth: 2 });
  const out: { json: string; expected: bigint[] }[] = [];
  for (let i = 0; i < 3; i++) {
    const batch = buildBatch(tree, [{ key: 1000n + BigInt(i), value: 7n + BigInt(i) }], {
      batchSize: 1,
      fromCursor: encodeCursor(10n + BigInt(i), 0n),
      toCursor: encodeCursor(11n + BigInt(i), 0n),
    });
    out.push({ json: JSON.stringify(toCircuitInputJson(batch.input)), expected: publicSignals(batch.publicInputs) });
  }
  return out;
}

describe("thread prover", () => {
  let prover: BatchProver;
  afterAll(() => prover?.close());

  it("proves consecutive batches in parallel on two threads; every proof verifies as Sui would", async () => {
    prover = createThreadProver({ artifacts, threads: 2 });
    const inputs = await consecutiveInputs();
    const outputs = await Promise.all(inputs.map((input, i) => prover.prove({ batch: BigInt(i + 1), circuitInput: input.json })));
    expect(new Set(outputs.map((o) => o.prover))).toEqual(new Set(["thread-1", "thread-2"]));
    outputs.forEach((output, i) => {
      expect(output.publicSignals.map(BigInt)).toEqual(inputs[i]!.expected);
      const verdict = checkGroth16({
        vk: artifacts.vk,
        publicInputs: snarkjsPublicSignalsToSui(output.publicSignals),
        proof: snarkjsProofToSui(output.proof),
      });
      expect(verdict).toEqual({ valid: true });
    });
  });

  it("rejects an input that breaks a constraint as not retryable, and keeps serving", async () => {
    const [input] = await consecutiveInputs();
    const broken = JSON.parse(input!.json) as Record<string, unknown>;
    broken.newRoot = "12345";
    await expect(prover.prove({ batch: 9n, circuitInput: JSON.stringify(broken) })).rejects.toMatchObject({
      retryable: false,
      shortMessage: expect.stringMatching(/breaks a constraint/),
    });
    const again = await prover.prove({ batch: 1n, circuitInput: input!.json });
    expect(again.publicSignals.map(BigInt)).toEqual(input!.expected);
  });
});
