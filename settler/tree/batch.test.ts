import { beforeAll, describe, expect, it } from "vitest";
import { craftBatch, type CraftedOp } from "../../circuits/testing/craft-batch.ts";
import { assertBatchInput, fromCircuitInputJson, publicSignals, toCircuitInputJson } from "./batch-input.ts";
import { batchCommitment, buildBatch, coalesceChanges, planOperations, type StateChange } from "./batch.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { FIELD_MODULUS } from "./field.ts";
import { createIndexedMerkleTree, type IndexedMerkleTree } from "./indexed-merkle-tree.ts";
import { loadPoseidon, type Poseidon } from "./poseidon.ts";
import { ReferenceTree } from "./testing/reference-tree.ts";

let poseidon: Poseidon;
beforeAll(async () => {
  poseidon = await loadPoseidon();
});

const range = { fromCursor: 100n, toCursor: 200n };
const ch = (key: bigint, value: bigint): StateChange => ({ key, value });

async function treeWith(depth: number, entries: [bigint, bigint][]): Promise<IndexedMerkleTree> {
  const tree = await createIndexedMerkleTree({ depth });
  for (const [key, value] of entries) tree.insert(key, value);
  return tree;
}

describe("coalescing", () => {
  it("keeps each key's last state, in the order of the last changes", () => {
    expect(coalesceChanges([ch(1n, 5n), ch(2n, 6n), ch(1n, 7n), ch(3n, 1n), ch(2n, 0n)])).toEqual([
      ch(1n, 7n),
      ch(3n, 1n),
      ch(2n, 0n),
    ]);
    expect(coalesceChanges([])).toEqual([]);
  });

  it("rejects non-canonical keys and values, and key 0", () => {
    expect(() => coalesceChanges([ch(FIELD_MODULUS, 1n)])).toThrow(/change key is not a canonical/);
    expect(() => coalesceChanges([ch(1n, FIELD_MODULUS + 3n)])).toThrow(/change value is not a canonical/);
    expect(() => coalesceChanges([ch(0n, 1n)])).toThrow(/key 0 is reserved/);
  });

  it("skips keys that stay absent: not in the tree, or holding 0, with final value 0", async () => {
    const tree = await treeWith(4, [
      [10n, 1n],
      [20n, 0n],
    ]);
    const plan = planOperations(tree, [ch(30n, 4n), ch(30n, 0n), ch(20n, 0n), ch(10n, 0n), ch(40n, 2n)]);
    expect(plan.skipped).toEqual([ch(30n, 0n), ch(20n, 0n)]);
    expect(plan.operations).toEqual([ch(10n, 0n), ch(40n, 2n)]);
    expect(plan.inserts).toBe(1);
  });
});

describe("buildBatch", () => {
  it("applies inserts and updates in order, pads with zero no-ops, and fills the public inputs", async () => {
    const tree = await treeWith(4, [[10n, 1n]]);
    const oldRoot = tree.root;
    const batch = buildBatch(tree, [ch(10n, 2n), ch(5n, 3n), ch(7n, 0n)], { batchSize: 4, ...range });
    const { input } = batch;
    expect(batch.operations.map((o) => o.kind)).toEqual(["update", "insert"]);
    expect(batch.skipped).toEqual([ch(7n, 0n)]);
    expect(input.isInsert).toEqual([0n, 1n, 0n, 0n]);
    expect(input.isUpdate).toEqual([1n, 0n, 0n, 0n]);
    expect(input.key).toEqual([10n, 5n, 0n, 0n]);
    expect(input.value).toEqual([2n, 3n, 0n, 0n]);
    expect(input.leafIndex).toEqual([1n, 0n, 0n, 0n]);
    // update: the key's own old leaf; insert: the low leaf (the sentinel, pointing at 10)
    expect(input.leafKey).toEqual([10n, 0n, 0n, 0n]);
    expect(input.leafValue).toEqual([1n, 0n, 0n, 0n]);
    expect(input.leafNextKey).toEqual([0n, 10n, 0n, 0n]);
    expect(input.leafNextIndex).toEqual([0n, 1n, 0n, 0n]);
    expect(input.appendSiblings[0]).toEqual([0n, 0n, 0n, 0n]);
    expect(input.leafSiblings[3]).toEqual([0n, 0n, 0n, 0n]);
    expect(batch.publicInputs).toEqual({
      oldRoot,
      newRoot: tree.root,
      oldNextIndex: 2n,
      newNextIndex: 3n,
      batchCommitment: poseidon.hash([poseidon.hash([0n, 10n, 2n]), 5n, 3n]),
      ...range,
    });
    expect(publicSignals(input)).toEqual([oldRoot, tree.root, 2n, 3n, input.batchCommitment, 100n, 200n]);
    expect(tree.valueOf(10n)).toBe(2n);
    expect(tree.valueOf(5n)).toBe(3n);
  });

  it("has a commitment that depends neither on B nor on which operations were inserts", async () => {
    const changes = [ch(3n, 9n), ch(1n, 8n), ch(2n, 7n)];
    const a = buildBatch(await treeWith(4, []), changes, { batchSize: 3, ...range });
    const b = buildBatch(await treeWith(4, [[1n, 5n]]), changes, { batchSize: 6, ...range });
    expect(a.operations.map((o) => o.kind)).toEqual(["insert", "insert", "insert"]);
    expect(b.operations.map((o) => o.kind)).toEqual(["insert", "update", "insert"]);
    expect(a.input.batchCommitment).toBe(b.input.batchCommitment);
    expect(a.input.batchCommitment).toBe(batchCommitment(poseidon, changes));
    expect(batchCommitment(poseidon, [])).toBe(0n);
    expect(batchCommitment(poseidon, [...changes].reverse())).not.toBe(a.input.batchCommitment);
  });

  it("chains inserts that share a low leaf or whose low leaf came earlier in the batch", async () => {
    const tree = await treeWith(4, [
      [10n, 1n],
      [100n, 1n],
    ]);
    const batch = buildBatch(tree, [ch(60n, 1n), ch(50n, 1n), ch(55n, 1n)], { batchSize: 3, ...range });
    const [i60, i50, i55] = batch.operations;
    // 60 and 50 both go after 10 (index 1); 55 goes after 50, inserted just before.
    expect(i60?.kind === "insert" && i60.lowIndex).toBe(1n);
    expect(i50?.kind === "insert" && i50.lowIndex).toBe(1n);
    expect(i50?.kind === "insert" && i50.lowLeaf).toEqual({ key: 10n, value: 1n, nextKey: 60n, nextIndex: 3n });
    expect(i55?.kind === "insert" && i55.lowIndex).toBe(4n);
    expect(i55?.kind === "insert" && i55.oldNextIndex).toBe(5n);
    expect(batch.input.newNextIndex).toBe(6n);
    expect(tree.root).toBe(ReferenceTree.of(tree).root());
  });

  it("matches an independent witness construction on the same operations", async () => {
    const tree = await treeWith(4, [
      [P(250), 1n],
      [40n, 2n],
    ]);
    const reference = ReferenceTree.of(tree);
    const oldNext = tree.nextIndex;
    const batch = buildBatch(tree, [ch(30n, 3n), ch(40n, 0n), ch(35n, 4n), ch(P(253), 5n)], {
      batchSize: 5,
      ...range,
    });
    const ops: CraftedOp[] = [
      { kind: "insert", key: 30n, value: 3n, lowIndex: 0n },
      { kind: "update", key: 40n, value: 0n, index: 2n },
      { kind: "insert", key: 35n, value: 4n, lowIndex: 3n },
      { kind: "insert", key: P(253), value: 5n, lowIndex: 1n },
    ];
    expect(craftBatch(reference, oldNext, ops, { batch: 5, ...range })).toEqual(batch.input);
  });

  it("refuses more real operations than slots, leaving the tree unchanged", async () => {
    const tree = await treeWith(4, [[1n, 1n]]);
    const root = tree.root;
    expect(() => buildBatch(tree, [ch(1n, 2n), ch(2n, 2n), ch(3n, 2n)], { batchSize: 2, ...range })).toThrow(
      /batch has more operations than slots/,
    );
    expect(tree.root).toBe(root);
    // Skipped and coalesced changes do not count.
    const ok = buildBatch(tree, [ch(1n, 2n), ch(2n, 2n), ch(2n, 3n), ch(9n, 0n)], { batchSize: 2, ...range });
    expect(ok.operations).toHaveLength(2);
  });

  it("refuses a batch whose inserts do not fit in the tree, before changing it", async () => {
    const tree = await treeWith(2, [
      [1n, 1n],
      [2n, 1n],
    ]);
    const root = tree.root;
    expect(() => buildBatch(tree, [ch(1n, 5n), ch(3n, 1n), ch(4n, 1n)], { batchSize: 3, ...range })).toThrow(
      /too many inserts for the free leaves/,
    );
    expect(tree.root).toBe(root);
    expect(tree.valueOf(1n)).toBe(1n);
  });

  it("rejects bad cursors, sizes and non-canonical values before touching the tree", async () => {
    const tree = await treeWith(3, []);
    const root = tree.root;
    const build = (changes: StateChange[], options: Partial<typeof range & { batchSize: number }>) =>
      buildBatch(tree, changes, { batchSize: 2, ...range, ...options });
    expect(() => build([ch(1n, 1n)], { fromCursor: 5n, toCursor: 5n })).toThrow(/cursor range is empty/);
    expect(() => build([ch(1n, 1n)], { toCursor: 1n << 64n })).toThrow(/toCursor must be a u64/);
    expect(() => build([ch(1n, 1n)], { fromCursor: -1n })).toThrow(/fromCursor must be a u64/);
    expect(() => build([ch(1n, 1n)], { batchSize: 0 })).toThrow(/batch size must be a positive integer/);
    expect(() => build([ch(1n, FIELD_MODULUS)], {})).toThrow(/change value is not a canonical/);
    expect(tree.root).toBe(root);
  });

  it("builds an empty batch: all no-ops, commitment 0, roots unchanged", async () => {
    const tree = await treeWith(3, [[4n, 4n]]);
    const batch = buildBatch(tree, [ch(9n, 0n)], { batchSize: 2, ...range });
    expect(batch.operations).toEqual([]);
    expect(batch.input.oldRoot).toBe(batch.input.newRoot);
    expect(batch.input.batchCommitment).toBe(0n);
    expect(batch.input.isInsert).toEqual([0n, 0n]);
  });
});

describe("circuit input", () => {
  it("round-trips through JSON and checks shape and canonical values", async () => {
    const tree = await treeWith(3, [[4n, 4n]]);
    const { input } = buildBatch(tree, [ch(5n, 1n), ch(4n, 2n)], { batchSize: 3, ...range });
    const json = JSON.parse(JSON.stringify(toCircuitInputJson(input))) as ReturnType<typeof toCircuitInputJson>;
    expect(json.leafSiblings).toHaveLength(3);
    expect(fromCircuitInputJson(json)).toEqual(input);
    expect(() => assertBatchInput(input, { depth: 3, batch: 3 })).not.toThrow();
    expect(() => assertBatchInput(input, { depth: 4, batch: 3 })).toThrow(/leafSiblings\[0\] has the wrong length/);
    expect(() => assertBatchInput(input, { depth: 3, batch: 2 })).toThrow(/isInsert has the wrong length/);
    const bad = structuredClone(input);
    (bad.appendSiblings[1] as bigint[])[2] = FIELD_MODULUS;
    expect(() => assertBatchInput(bad, { depth: 3, batch: 3 })).toThrow(/appendSiblings\[1\]\[2\] is not a canonical/);
    expect(() => fromCircuitInputJson({ ...json, oldRoot: "0x12" })).toThrow(/oldRoot is not a decimal integer/);
  });
});

describe("cursor", () => {
  it("packs checkpoint * 2^32 + offset and checks both halves", () => {
    expect(encodeCursor(5n, 3n)).toBe(5n * 2n ** 32n + 3n);
    expect(decodeCursor(encodeCursor(0xffffffffn, 0xffffffffn))).toEqual({ checkpoint: 0xffffffffn, offset: 0xffffffffn });
    expect(() => encodeCursor(1n << 32n, 0n)).toThrow(/checkpoint does not fit a cursor/);
    expect(() => encodeCursor(1n, 1n << 32n)).toThrow(/offset in checkpoint must be below 2\^32/);
    expect(() => decodeCursor(1n << 64n)).toThrow(/cursor must be a u64/);
  });
});

function P(bits: number): bigint {
  return (1n << BigInt(bits)) + 1n;
}
