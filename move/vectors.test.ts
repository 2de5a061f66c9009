// The TypeScript side of the shared vectors: move/tests/vectors.move must be exactly what the
// generator renders, the empty-root constants hard-coded in Move must equal the TypeScript
// tree's, the tree vectors must verify (and their forgeries fail) with the TypeScript
// verifier the Move checks mirror, and the settlement-JSON reader must enforce the rules
// `settle` applies.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_MODULUS as CALLS_FIELD_MODULUS } from "../settler/sui/registry-calls.ts";
import { FIELD_MODULUS } from "../settler/tree/field.ts";
import { loadPoseidon, type Poseidon } from "../settler/tree/poseidon.ts";
import { verifyAbsenceProof, verifyPresenceProof, type LeafProof as TreeLeafProof } from "../settler/tree/proof.ts";
import { emptyRoot } from "../settler/tree/tree-hash.ts";
import { parseMove } from "./move-parser.ts";
import {
  buildTreeVectors,
  FOREIGN_VK_HEX,
  HARD_CODED_DEPTHS,
  parseSettlementVectors,
  renderVectors,
  renderVectorsModule,
  type LeafProof,
  type TreeVectors,
} from "./scripts/vectors.ts";

const moveDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(moveDir, "..");
const indexedMerkleSource = readFileSync(path.join(moveDir, "sources", "indexed_merkle.move"), "utf8");

let poseidon: Poseidon;
let tree: TreeVectors;

beforeAll(async () => {
  poseidon = await loadPoseidon();
  tree = await buildTreeVectors(poseidon);
});

const asTreeProof = (p: LeafProof): TreeLeafProof => ({
  index: p.leafIndex,
  leaf: { key: p.leafKey, value: p.leafValue, nextKey: p.leafNextKey, nextIndex: p.leafNextIndex },
  siblings: p.siblings,
});

const presence = (p: LeafProof): boolean =>
  verifyPresenceProof(poseidon, { root: p.root, depth: tree.depth, key: p.queryKey, proof: asTreeProof(p) });
const lowLeafAbsence = (p: LeafProof, key = p.queryKey): boolean =>
  verifyAbsenceProof(poseidon, { root: p.root, depth: tree.depth, key, proof: { kind: "lowLeaf", ...asTreeProof(p) } });
const zeroLeafAbsence = (p: LeafProof): boolean =>
  verifyAbsenceProof(poseidon, {
    root: p.root,
    depth: tree.depth,
    key: p.queryKey,
    proof: { kind: "zeroValue", ...asTreeProof(p) },
  });

describe("move/tests/vectors.move", () => {
  it("is exactly what move/scripts/gen-vectors.ts renders (regenerate it when this fails)", async () => {
    const committed = readFileSync(path.join(moveDir, "tests", "vectors.move"), "utf8");
    expect(committed).toBe(await renderVectors(repoRoot));
  });

  it("carries Sui's documented example key as the foreign key", () => {
    const fixture = path.resolve(repoRoot, "..", "shared", "fixtures", "groth16", "sui_groth16_vectors.txt");
    if (existsSync(fixture)) {
      const text = readFileSync(fixture, "utf8");
      const vector1 = text.slice(text.indexOf("VECTOR 1"), text.indexOf("VECTOR 2"));
      expect(vector1).toContain(`vk (296 bytes):\n${FOREIGN_VK_HEX}\n`);
    }
    // 296 bytes: one public input, so it can never verify our 7-input statement.
    expect(FOREIGN_VK_HEX).toHaveLength(2 * 296);
  });
});

describe("empty roots", () => {
  const constants = [...indexedMerkleSource.matchAll(/const EMPTY_ROOT_DEPTH_(\d+): u256 =\s*(\d+);/g)].map(
    (m) => ({ depth: Number(m[1]), root: BigInt(m[2]!) }),
  );

  it("Move hard-codes exactly the generator's depths, 40 included", () => {
    expect(constants.map((c) => c.depth).sort((a, b) => a - b)).toEqual([...HARD_CODED_DEPTHS]);
    expect(HARD_CODED_DEPTHS).toContain(40);
  });

  it("each Move constant equals the TypeScript tree's empty root", () => {
    for (const { depth, root } of constants) expect(root, `depth ${depth}`).toBe(emptyRoot(poseidon, depth));
  });

  it("empty_root returns each constant for its own depth", () => {
    for (const { depth } of constants) {
      expect(indexedMerkleSource).toMatch(new RegExp(`if \\(depth == ${depth}\\) EMPTY_ROOT_DEPTH_${depth}\\b`));
    }
  });

  it("the Move field modulus is r", () => {
    const moveModulus = /const FIELD_MODULUS: u256 =\s*(\d+);/.exec(indexedMerkleSource)?.[1];
    expect(BigInt(moveModulus!)).toBe(FIELD_MODULUS);
    expect(CALLS_FIELD_MODULUS).toBe(FIELD_MODULUS);
  });
});

describe("tree vectors against the TypeScript verifier", () => {
  it("cover presence, both kinds of absence, keys at and above 2^253 and both list ends", () => {
    expect(tree.presence.length).toBeGreaterThan(3);
    expect(tree.zeroLeafAbsence.length).toBeGreaterThan(0);
    expect(tree.presence.some((p) => p.queryKey >= 1n << 253n)).toBe(true);
    expect(tree.zeroLeafAbsence.some((p) => p.queryKey > 1n << 253n)).toBe(true);
    expect(tree.lowLeafAbsence[0]!.leafKey).toBe(0n);
    expect(tree.lowLeafAbsence.at(-1)!.leafNextKey).toBe(0n);
    expect(tree.lowLeafAbsence.at(-1)!.queryKey).toBe(FIELD_MODULUS - 1n);
  });

  it("every vector verifies", () => {
    for (const p of tree.presence) expect(presence(p)).toBe(true);
    for (const p of tree.lowLeafAbsence) expect(lowLeafAbsence(p)).toBe(true);
    for (const p of tree.zeroLeafAbsence) expect(zeroLeafAbsence(p)).toBe(true);
    for (const p of tree.emptyTreeAbsence) {
      expect(p.root).toBe(emptyRoot(poseidon, tree.depth));
      expect(lowLeafAbsence(p)).toBe(true);
    }
  });

  it("the forgeries the Move tests try fail here too", () => {
    const p = tree.presence[0]!;
    const bump = (xs: bigint[], i: number, v: bigint): bigint[] => xs.map((x, j) => (j === i ? v : x));
    const forged: LeafProof[] = [
      { ...p, leafValue: p.leafValue + 1n },
      { ...p, leafValue: 0n },
      { ...p, queryKey: p.queryKey + 1n, leafKey: p.leafKey + 1n },
      { ...p, queryKey: 0n, leafKey: 0n },
      { ...p, leafNextKey: p.leafNextKey + 1n },
      { ...p, leafNextIndex: p.leafNextIndex + 1n },
      { ...p, leafIndex: p.leafIndex ^ 1n },
      { ...p, leafIndex: p.leafIndex + (1n << BigInt(tree.depth)) },
      { ...p, siblings: bump(p.siblings, 0, p.siblings[0]! + 1n) },
      { ...p, siblings: bump(p.siblings, tree.depth - 1, FIELD_MODULUS) },
      { ...p, siblings: p.siblings.slice(0, -1) },
    ];
    for (const f of forged) expect(presence(f)).toBe(false);
    // A deleted key has no presence proof; a present key has no zero-leaf absence proof.
    expect(presence(tree.zeroLeafAbsence[0]!)).toBe(false);
    expect(zeroLeafAbsence(p)).toBe(false);

    const gap = tree.lowLeafAbsence[1]!;
    expect(gap.leafNextKey).not.toBe(0n);
    for (const key of [gap.leafKey, gap.leafNextKey, gap.leafNextKey + 1n, gap.leafKey - 1n]) {
      expect(lowLeafAbsence(gap, key)).toBe(false);
    }
    expect(lowLeafAbsence(tree.lowLeafAbsence[0]!, 0n)).toBe(false);
    expect(lowLeafAbsence({ ...gap, leafNextKey: gap.leafNextKey + 1n })).toBe(false);
    expect(lowLeafAbsence({ ...gap, leafValue: gap.leafValue + 1n })).toBe(false);
    expect(lowLeafAbsence({ ...gap, leafIndex: gap.leafIndex ^ 1n })).toBe(false);
  });
});

describe("settlement vectors from the circuit's JSON", () => {
  /** A structurally valid file: two consecutive batches from the empty tree of depth 4. */
  function sample(): Record<string, unknown> {
    const r0 = emptyRoot(poseidon, 4);
    const start = (5n << 32n) + 2n;
    return {
      depth: 4,
      vk: "00".repeat(488),
      startCursor: start.toString(),
      tracking_config: "0x0102",
      batches: [
        {
          oldRoot: r0.toString(),
          newRoot: "11",
          oldNextIndex: 1,
          newNextIndex: 3,
          batchCommitment: "0x22",
          fromCursor: start.toString(),
          toCursor: ((6n << 32n) + 7n).toString(),
          proof: "ab".repeat(128),
        },
        {
          old_root: "11",
          new_root: "33",
          old_next_index: 3,
          new_next_index: 4,
          batch_commitment: "44",
          from_cursor: ((6n << 32n) + 7n).toString(),
          to_cursor: ((9n << 32n) + 1n).toString(),
          proof: "cd".repeat(128),
        },
      ],
    };
  }

  const parse = (json: unknown) => parseSettlementVectors(JSON.stringify(json), "circuits/vectors/test.json", poseidon);

  it("reads camelCase and snake_case fields and renders a module that parses", async () => {
    const vectors = parse(sample());
    expect(vectors.batches).toHaveLength(2);
    expect(vectors.batches[1]!.newNextIndex).toBe(4n);
    expect(vectors.trackingConfig).toBe("0102");
    expect(vectors.batches[0]!.publicInputs).toHaveLength(2 * 224);
    const text = renderVectorsModule(tree, vectors);
    const { errors, modules } = await parseMove(text);
    expect(errors).toEqual([]);
    const names = modules[0]!.functions.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["vk", "depth", "start_cursor", "batch", "batch_count"]));
    expect(text).toContain("public fun settlement_vectors_present(): bool { true }");
    expect(text).toContain(`proof: x"${"cd".repeat(128)}"`);
  });

  it("checks given publicInputs against the bytes settle builds", () => {
    const json = sample();
    const first = (json.batches as Record<string, unknown>[])[0]!;
    const good = parse(json).batches[0]!.publicInputs;
    first.publicInputs = good;
    expect(() => parse(json)).not.toThrow();
    first.publicInputs = `ff${good.slice(2)}`;
    expect(() => parse(json)).toThrow(/publicInputs differ/);
  });

  it.each([
    ["a first batch not starting from the empty root", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      b[0]!.oldRoot = "5";
    }, /empty root/],
    ["a first batch not starting at next index 1", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      b[0]!.oldNextIndex = 0;
    }, /next index 1/],
    ["a first batch not starting at startCursor", (j: Record<string, unknown>) => {
      j.startCursor = "1";
    }, /startCursor/],
    ["a gap between batches", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      b[1]!.from_cursor = "1";
    }, /does not continue/],
    ["a cursor that does not advance", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      b[1]!.to_cursor = b[1]!.from_cursor;
    }, /toCursor must exceed/],
    ["a key of the wrong size", (j: Record<string, unknown>) => {
      j.vk = "00".repeat(296);
    }, /488/],
    ["a short proof", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      b[0]!.proof = "00".repeat(127);
    }, /128 bytes/],
    ["a missing field", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      delete b[0]!.batchCommitment;
    }, /missing field "batchCommitment"/],
    ["a single batch", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      b.pop();
    }, /at least two/],
    ["a root at the field modulus", (_j: Record<string, unknown>, b: Record<string, unknown>[]) => {
      b[0]!.newRoot = FIELD_MODULUS.toString();
    }, /canonical/],
  ])("rejects %s", (_name, mutate, message) => {
    const json = sample();
    mutate(json, json.batches as Record<string, unknown>[]);
    expect(() => parse(json)).toThrow(message);
  });
});
