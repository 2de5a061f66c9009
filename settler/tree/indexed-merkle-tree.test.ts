import { beforeAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { FIELD_MODULUS } from "./field.ts";
import { createIndexedMerkleTree, type IndexedMerkleTree } from "./indexed-merkle-tree.ts";
import { loadPoseidon, type Poseidon } from "./poseidon.ts";
import { verifyAbsenceProof, verifyPresenceProof, type AbsenceProof, type PresenceProof } from "./proof.ts";
import { MemoryTreeStore, type LeafData } from "./store.ts";
import { ReferenceTree } from "./testing/reference-tree.ts";
import { computeRoot, emptyRoot, leafHash, SENTINEL_LEAF } from "./tree-hash.ts";

let poseidon: Poseidon;
beforeAll(async () => {
  poseidon = await loadPoseidon();
});

const P253 = 1n << 253n;

/** Walks the linked list from the sentinel: the keys in list order. */
function listKeys(tree: IndexedMerkleTree): bigint[] {
  const keys: bigint[] = [];
  let leaf = tree.leaf(0n) as LeafData;
  while (leaf.nextKey !== 0n) {
    leaf = tree.leaf(leaf.nextIndex) as LeafData;
    keys.push(leaf.key);
  }
  return keys;
}

function presence(tree: IndexedMerkleTree, key: bigint, proof: PresenceProof, root = tree.root): boolean {
  return verifyPresenceProof(poseidon, { root, depth: tree.depth, key, proof });
}

function absence(tree: IndexedMerkleTree, key: bigint, proof: AbsenceProof, root = tree.root): boolean {
  return verifyAbsenceProof(poseidon, { root, depth: tree.depth, key, proof });
}

describe("empty tree", () => {
  it("holds only the sentinel, and its root is emptyRoot(depth)", async () => {
    for (const depth of [1, 2, 3, 8, 40]) {
      const tree = await createIndexedMerkleTree({ depth });
      expect(tree.nextIndex).toBe(1n);
      expect(tree.leaf(0n)).toEqual(SENTINEL_LEAF);
      expect(tree.leaf(1n)).toBeUndefined();
      expect(tree.root).toBe(emptyRoot(poseidon, depth));
    }
    // An independent recomputation of the whole tree agrees.
    expect(emptyRoot(poseidon, 3)).toBe(new ReferenceTree(poseidon, 3, [SENTINEL_LEAF]).root());
    expect(emptyRoot(poseidon, 3)).not.toBe(emptyRoot(poseidon, 4));
  });

  it("rejects depths outside 1..64", async () => {
    await expect(createIndexedMerkleTree({ depth: 0 })).rejects.toThrow(/tree depth must be an integer from 1 to 64/);
    await expect(createIndexedMerkleTree({ depth: 65 })).rejects.toThrow(/tree depth/);
    await expect(createIndexedMerkleTree({ depth: 2.5 })).rejects.toThrow(/tree depth/);
  });
});

describe("insert and update", () => {
  it("keeps the list sorted and the root equal to a full recomputation", async () => {
    const tree = await createIndexedMerkleTree({ depth: 4 });
    const keys = [50n, 10n, 30n, 20n, 40n, 5n, 60n];
    for (const [i, key] of keys.entries()) {
      const w = tree.insert(key, BigInt(100 + i));
      expect(w.kind).toBe("insert");
      expect(w.oldNextIndex).toBe(BigInt(i + 1));
      expect(tree.find(key)?.index).toBe(BigInt(i + 1));
      expect(tree.root).toBe(ReferenceTree.of(tree).root());
    }
    expect(listKeys(tree)).toEqual([...keys].sort((a, b) => (a < b ? -1 : 1)));
    expect(tree.nextIndex).toBe(8n);

    const before = tree.root;
    const w = tree.update(30n, 777n);
    expect(w).toMatchObject({ kind: "update", key: 30n, value: 777n, oldRoot: before, index: 3n });
    expect(w.oldLeaf.value).toBe(102n);
    expect(tree.valueOf(30n)).toBe(777n);
    expect(tree.root).toBe(ReferenceTree.of(tree).root());
    expect(tree.nextIndex).toBe(8n);
  });

  it("returns insert witnesses that replay to the new root", async () => {
    const tree = await createIndexedMerkleTree({ depth: 3 });
    tree.insert(100n, 1n);
    const w = tree.insert(50n, 2n);
    // The low leaf is the sentinel, which pointed at 100.
    expect(w.lowIndex).toBe(0n);
    expect(w.lowLeaf).toEqual({ key: 0n, value: 0n, nextKey: 100n, nextIndex: 1n });
    expect(computeRoot(poseidon, leafHash(poseidon, w.lowLeaf), w.lowIndex, w.lowSiblings)).toBe(w.oldRoot);
    const rewritten = { ...w.lowLeaf, nextKey: 50n, nextIndex: 2n };
    const mid = computeRoot(poseidon, leafHash(poseidon, rewritten), w.lowIndex, w.lowSiblings);
    expect(computeRoot(poseidon, 0n, w.oldNextIndex, w.appendSiblings)).toBe(mid);
    const appended = { key: 50n, value: 2n, nextKey: 100n, nextIndex: 1n };
    expect(computeRoot(poseidon, leafHash(poseidon, appended), w.oldNextIndex, w.appendSiblings)).toBe(w.newRoot);
    expect(w.newRoot).toBe(tree.root);
  });

  it("applies an insert to a new key and an update to a known one, value 0 included", async () => {
    const tree = await createIndexedMerkleTree({ depth: 3 });
    expect(tree.apply(7n, 1n).kind).toBe("insert");
    expect(tree.apply(7n, 0n).kind).toBe("update");
    expect(tree.valueOf(7n)).toBe(0n);
    expect(tree.apply(7n, 3n).kind).toBe("update");
    expect(tree.nextIndex).toBe(2n);
  });

  it("refuses to insert a present key or update an absent one", async () => {
    const tree = await createIndexedMerkleTree({ depth: 3 });
    tree.insert(7n, 1n);
    expect(() => tree.insert(7n, 2n)).toThrow(/cannot insert a key that is already in the tree/);
    expect(() => tree.update(8n, 2n)).toThrow(/cannot update a key that is not in the tree/);
  });

  it("rejects non-canonical keys and values, and key 0, before changing anything", async () => {
    const tree = await createIndexedMerkleTree({ depth: 3 });
    const root = tree.root;
    expect(() => tree.insert(FIELD_MODULUS, 1n)).toThrow(/key is not a canonical BN254 field element/);
    expect(() => tree.insert(FIELD_MODULUS + 5n, 1n)).toThrow(NonRetryableError);
    expect(() => tree.insert(5n, FIELD_MODULUS)).toThrow(/value is not a canonical/);
    expect(() => tree.insert(-5n, 1n)).toThrow(/key is not a canonical/);
    expect(() => tree.insert(0n, 1n)).toThrow(/key 0 is reserved for the sentinel/);
    tree.insert(5n, 1n);
    expect(() => tree.update(5n, FIELD_MODULUS + 1n)).toThrow(/value is not a canonical/);
    expect(() => tree.update(0n, 1n)).toThrow(/key 0 is reserved/);
    expect(tree.valueOf(5n)).toBe(1n);
    expect(tree.nextIndex).toBe(2n);
    expect(tree.root).not.toBe(root);
  });

  it("refuses an insert into a full tree, leaving it unchanged, but still updates", async () => {
    const tree = await createIndexedMerkleTree({ depth: 2 });
    tree.insert(3n, 1n);
    tree.insert(1n, 1n);
    tree.insert(2n, 1n);
    expect(tree.nextIndex).toBe(4n);
    const root = tree.root;
    expect(() => tree.insert(4n, 1n)).toThrow(/the tree is full/);
    expect(tree.root).toBe(root);
    expect(tree.nextIndex).toBe(4n);
    expect(tree.find(3n)?.leaf.nextKey).toBe(0n);
    tree.update(2n, 9n);
    expect(tree.root).toBe(ReferenceTree.of(tree).root());
  });

  it("orders keys at and above 2^253 on all 254 bits", async () => {
    const tree = await createIndexedMerkleTree({ depth: 4 });
    const keys = [P253 + 1n, 9n, FIELD_MODULUS - 1n, P253, P253 - 1n, (1n << 252n) + 5n, P253 + (1n << 252n), 7n];
    for (const key of keys) tree.insert(key, key % 1000n + 1n);
    expect(listKeys(tree)).toEqual([...keys].sort((a, b) => (a < b ? -1 : 1)));
    expect(tree.leaf(tree.find(FIELD_MODULUS - 1n)?.index as bigint)?.nextKey).toBe(0n);
    // 8 sits between 7 and 9; P253 + 2 between P253 + 1 and P253 + 2^252.
    const a = tree.proveAbsence(8n);
    expect(a.kind === "lowLeaf" && a.leaf.key).toBe(7n);
    const b = tree.proveAbsence(P253 + 2n);
    expect(b.kind === "lowLeaf" && b.leaf).toMatchObject({ key: P253 + 1n, nextKey: P253 + (1n << 252n) });
    expect(absence(tree, P253 + 2n, b)).toBe(true);
    expect(tree.root).toBe(ReferenceTree.of(tree).root());
  });
});

describe("proofs", () => {
  async function sampleTree(): Promise<IndexedMerkleTree> {
    const tree = await createIndexedMerkleTree({ depth: 4 });
    for (const [key, value] of [
      [40n, 4n],
      [10n, 1n],
      [30n, 3n],
      [P253 + 3n, 5n],
    ] as const) {
      tree.insert(key, value);
    }
    return tree;
  }

  it("proves presence with a non-zero value", async () => {
    const tree = await sampleTree();
    for (const key of [10n, 30n, 40n, P253 + 3n]) {
      expect(presence(tree, key, tree.provePresence(key))).toBe(true);
    }
    expect(() => tree.provePresence(20n)).toThrow(/key is absent/);
  });

  it("proves absence with a low leaf, including below the first and above the last key", async () => {
    const tree = await sampleTree();
    for (const [key, low] of [
      [5n, 0n],
      [20n, 10n],
      [35n, 30n],
      [P253, 40n],
      [FIELD_MODULUS - 1n, P253 + 3n],
    ] as const) {
      const proof = tree.proveAbsence(key);
      expect(proof.kind).toBe("lowLeaf");
      expect(proof.leaf.key).toBe(low);
      expect(absence(tree, key, proof)).toBe(true);
    }
    expect(() => tree.proveAbsence(30n)).toThrow(/key is present/);
  });

  it("treats value 0 as absent: a deleted key has a zero-value absence proof", async () => {
    const tree = await sampleTree();
    const presentProof = tree.provePresence(30n);
    tree.update(30n, 0n);
    const proof = tree.proveAbsence(30n);
    expect(proof.kind).toBe("zeroValue");
    expect(absence(tree, 30n, proof)).toBe(true);
    expect(() => tree.provePresence(30n)).toThrow(/key is absent/);
    // The old presence proof does not verify against the new root, nor a zero-value leaf as presence.
    expect(presence(tree, 30n, presentProof)).toBe(false);
    expect(presence(tree, 30n, proof)).toBe(false);
  });

  it("rejects tampered proofs", async () => {
    const tree = await sampleTree();
    const p = tree.provePresence(30n);
    const mutate = (f: (q: PresenceProof) => void): PresenceProof => {
      const q = structuredClone(p);
      f(q);
      return q;
    };
    expect(presence(tree, 30n, p)).toBe(true);
    expect(presence(tree, 30n, mutate((q) => (q.siblings[1] = (q.siblings[1] as bigint) + 1n)))).toBe(false);
    expect(presence(tree, 30n, mutate((q) => (q.leaf.value = 99n)))).toBe(false);
    expect(presence(tree, 30n, mutate((q) => (q.index = q.index ^ 1n)))).toBe(false);
    expect(presence(tree, 30n, mutate((q) => q.siblings.pop()))).toBe(false);
    expect(presence(tree, 30n, mutate((q) => (q.index = 16n)))).toBe(false);
    expect(presence(tree, 30n, mutate((q) => (q.leaf.nextKey = q.leaf.nextKey + FIELD_MODULUS)))).toBe(false);
    expect(presence(tree, 40n, p)).toBe(false);
    expect(presence(tree, 30n, p, tree.root + 1n)).toBe(false);

    // A low leaf that does not bracket the key.
    const low10 = tree.proveAbsence(20n);
    expect(absence(tree, 35n, low10)).toBe(false);
    expect(absence(tree, 10n, low10)).toBe(false);
    // A present key's own leaf is not a zero-value proof.
    expect(absence(tree, 30n, { kind: "zeroValue", ...p })).toBe(false);
    // Key 0 is the sentinel's.
    expect(absence(tree, 0n, { kind: "zeroValue", ...tree.proveLeaf(0n) })).toBe(false);
  });

  it("compares on all 254 bits when checking a low leaf", async () => {
    const tree = await createIndexedMerkleTree({ depth: 3 });
    tree.insert(P253 + 7n, 1n);
    // On the low 252 bits P253 + 7 looks like 7 < 9: a truncated comparison would accept it.
    const forged: AbsenceProof = { kind: "lowLeaf", ...tree.proveLeaf(1n) };
    expect(absence(tree, 9n, forged)).toBe(false);
    expect(absence(tree, 9n, tree.proveAbsence(9n))).toBe(true);
    expect(absence(tree, P253 + 9n, forged)).toBe(true);
  });
});

describe("store", () => {
  it("reopens a tree from a store that already holds one", async () => {
    const store = new MemoryTreeStore();
    const first = await createIndexedMerkleTree({ depth: 4, store });
    first.insert(11n, 1n);
    first.insert(5n, 2n);
    const again = await createIndexedMerkleTree({ depth: 4, store });
    expect(again.root).toBe(first.root);
    expect(again.nextIndex).toBe(3n);
    again.insert(8n, 3n);
    expect(listKeys(again)).toEqual([5n, 8n, 11n]);
  });

  it("finds low leaves by binary search and refuses to change a leaf's key", () => {
    const store = new MemoryTreeStore();
    store.setLeaf(0n, SENTINEL_LEAF);
    store.setLeaf(1n, { key: 20n, value: 1n, nextKey: 0n, nextIndex: 0n });
    store.setLeaf(2n, { key: 10n, value: 1n, nextKey: 20n, nextIndex: 1n });
    expect(store.findLowLeaf(15n)).toBe(2n);
    expect(store.findLowLeaf(20n)).toBe(2n);
    expect(store.findLowLeaf(21n)).toBe(1n);
    expect(store.findLowLeaf(1n)).toBe(0n);
    expect(store.findLowLeaf(0n)).toBeUndefined();
    expect(() => store.setLeaf(1n, { key: 21n, value: 1n, nextKey: 0n, nextIndex: 0n })).toThrow(/key cannot change/);
    expect(() => store.setLeaf(3n, { key: 10n, value: 1n, nextKey: 0n, nextIndex: 0n })).toThrow(/key already has a leaf/);
  });
});
