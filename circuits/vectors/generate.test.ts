// The settlement vector generator: the committed vectors check out, tampering is caught,
// the default spec covers inserts, an update, a deletion and an all-no-op batch, and a
// small spec goes through a real dev setup and real proofs into the JSON Move reads.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSettlementVectors } from "../../move/scripts/vectors.ts";
import { buildBatch } from "../../settler/tree/batch.ts";
import { createIndexedMerkleTree } from "../../settler/tree/indexed-merkle-tree.ts";
import { loadPoseidon } from "../../settler/tree/poseidon.ts";
import { checkSettlementVectors, defaultVectorSpec, generateSettlementVectors, VECTORS_DIR, vectorsFileName, type SettlementVectorsJson } from "./generate.ts";

const committedPath = join(VECTORS_DIR, vectorsFileName(4, 2));
const committed = (): SettlementVectorsJson => JSON.parse(readFileSync(committedPath, "utf8")) as SettlementVectorsJson;

describe("settlement vectors", () => {
  it("the committed file: consecutive batches, every proof valid, accepted by the Move renderer", async () => {
    const json = committed();
    expect(() => checkSettlementVectors(json)).not.toThrow();
    const parsed = parseSettlementVectors(JSON.stringify(json), "circuits/vectors", await loadPoseidon());
    expect(parsed.batches).toHaveLength(4);
    expect(parsed.depth).toBe(4);
  });

  it("tampering is caught: a flipped proof byte, a broken chain, public inputs that differ", () => {
    const flipped = committed();
    const proof = Buffer.from(flipped.batches[1]!.proof, "hex");
    proof[3]! ^= 1;
    flipped.batches[1]!.proof = proof.toString("hex");
    expect(() => checkSettlementVectors(flipped)).toThrow(/proof does not verify \(batch: 1\)/);
    const broken = committed();
    broken.batches.splice(1, 1);
    expect(() => checkSettlementVectors(broken)).toThrow(/not consecutive/);
    const inputs = committed();
    inputs.batches[0]!.toCursor = String(BigInt(inputs.batches[0]!.toCursor) + 1n);
    expect(() => checkSettlementVectors(inputs)).toThrow(/publicInputs differ/);
  });

  it("the default spec: inserts, an insert and an update, a deletion, then only no-ops", async () => {
    const poseidon = await loadPoseidon();
    const spec = defaultVectorSpec(poseidon);
    const tree = await createIndexedMerkleTree({ depth: spec.depth, poseidon });
    let from = spec.startCursor;
    const shapes = spec.batches.map((b) => {
      const built = buildBatch(tree, b.changes, { batchSize: spec.batchSize, fromCursor: from, toCursor: b.toCursor });
      from = b.toCursor;
      return built.operations.map((o) => o.kind).join(",") || "none";
    });
    expect(shapes).toEqual(["insert,insert", "update,insert", "update", "none"]);
    // The committed JSON came from this spec: same roots.
    expect(committed().batches.map((b) => b.newRoot)).toEqual(
      await (async () => {
        const t = await createIndexedMerkleTree({ depth: spec.depth, poseidon });
        let f = spec.startCursor;
        return spec.batches.map((b) => {
          const built = buildBatch(t, b.changes, { batchSize: spec.batchSize, fromCursor: f, toCursor: b.toCursor });
          f = b.toCursor;
          return built.publicInputs.newRoot.toString();
        });
      })(),
    );
  });

  it("generates real proofs from a dev setup for a small circuit", { timeout: 900_000 }, async () => {
    const poseidon = await loadPoseidon();
    const full = defaultVectorSpec(poseidon);
    const spec = { ...full, depth: 2, batchSize: 1, batches: [{ changes: [full.batches[0]!.changes[0]!], toCursor: full.batches[0]!.toCursor }, full.batches[3]!] };
    const json = await generateSettlementVectors(spec);
    expect(json.batches).toHaveLength(2);
    expect(json.vk).toHaveLength(2 * (296 + 32 * 6));
    expect(json.batches.map((b) => b.operations)).toEqual([1, 0]);
    expect(() => checkSettlementVectors(json)).not.toThrow();
    expect(parseSettlementVectors(JSON.stringify(json), "generated", poseidon).batches).toHaveLength(2);
  });
});
