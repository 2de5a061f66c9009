/**
 * The indexed Merkle tree of the settlement (DESIGN.md, "The state tree"): a fixed-depth
 * binary Poseidon tree whose leaves are appended in order of first sighting and linked as
 * a list sorted by key, so that absence is provable with one low leaf.
 *
 * Every operation returns the witness the circuit needs for it (old leaves and siblings
 * as they were when the operation ran), so a batch is built by applying its operations
 * one by one.
 */
import { NonRetryableError } from "../../common/errors.ts";
import { assertCanonical } from "./field.ts";
import { loadPoseidon, type Poseidon } from "./poseidon.ts";
import type { AbsenceProof, LeafProof, PresenceProof } from "./proof.ts";
import { MemoryTreeStore, type LeafData, type TreeStore } from "./store.ts";
import { assertDepth, leafHash, SENTINEL_LEAF, zeroHashes } from "./tree-hash.ts";

export interface CreateIndexedMerkleTreeOptions {
  depth: number;
  /** Defaults to a fresh MemoryTreeStore. A store that already holds a tree is reused as is. */
  store?: TreeStore;
  /** Defaults to the process-wide circomlibjs Poseidon. */
  poseidon?: Poseidon;
}

/** What the circuit needs to replay an insert. */
export interface InsertWitness {
  kind: "insert";
  key: bigint;
  value: bigint;
  oldRoot: bigint;
  newRoot: bigint;
  /** The next free index before the insert: where the new leaf went. */
  oldNextIndex: bigint;
  lowIndex: bigint;
  /** The low leaf before its next pointer moved to the new leaf. */
  lowLeaf: LeafData;
  lowSiblings: bigint[];
  /** Siblings of slot oldNextIndex after the low leaf was rewritten. */
  appendSiblings: bigint[];
}

/** What the circuit needs to replay an update. */
export interface UpdateWitness {
  kind: "update";
  key: bigint;
  value: bigint;
  oldRoot: bigint;
  newRoot: bigint;
  oldNextIndex: bigint;
  index: bigint;
  /** The leaf before its value changed. */
  oldLeaf: LeafData;
  siblings: bigint[];
}

export type OperationWitness = InsertWitness | UpdateWitness;

/**
 * Creates (or opens, when the store already holds one) an indexed Merkle tree.
 *
 * @example
 * const tree = await createIndexedMerkleTree({ depth: 40 });
 * tree.insert(key, value);
 * const proof = tree.provePresence(key);
 */
export async function createIndexedMerkleTree(options: CreateIndexedMerkleTreeOptions): Promise<IndexedMerkleTree> {
  assertDepth(options.depth);
  const poseidon = options.poseidon ?? (await loadPoseidon());
  return new IndexedMerkleTree(options.depth, options.store ?? new MemoryTreeStore(), poseidon);
}

export class IndexedMerkleTree {
  readonly depth: number;
  /** 2^depth leaves. */
  readonly capacity: bigint;
  readonly poseidon: Poseidon;
  readonly #store: TreeStore;
  readonly #zeros: readonly bigint[];

  /** Use createIndexedMerkleTree. */
  constructor(depth: number, store: TreeStore, poseidon: Poseidon) {
    assertDepth(depth);
    this.depth = depth;
    this.capacity = 1n << BigInt(depth);
    this.poseidon = poseidon;
    this.#store = store;
    this.#zeros = zeroHashes(poseidon, depth);
    if (store.getNextIndex() === 0n) {
      this.#writeLeaf(0n, SENTINEL_LEAF);
      store.setNextIndex(1n);
    }
  }

  get root(): bigint {
    return this.#node(this.depth, 0n);
  }

  /** The next free leaf index (the sentinel occupies 0). */
  get nextIndex(): bigint {
    return this.#store.getNextIndex();
  }

  /** The leaf at `index`, or undefined for an empty slot. */
  leaf(index: bigint): LeafData | undefined {
    return this.#store.getLeaf(index);
  }

  /** The key's leaf and index, or undefined when the key is not in the list. */
  find(key: bigint): { index: bigint; leaf: LeafData } | undefined {
    const index = this.#store.findLeaf(key);
    if (index === undefined) return undefined;
    return { index, leaf: this.#leafAt(index) };
  }

  /** The key's value, 0 when absent (not in the list, or deleted). */
  valueOf(key: bigint): bigint {
    return this.find(key)?.leaf.value ?? 0n;
  }

  /** Siblings of slot `index`, leaf level first. */
  siblings(index: bigint): bigint[] {
    this.#assertIndex(index);
    const siblings: bigint[] = [];
    for (let level = 0; level < this.depth; level++) {
      siblings.push(this.#node(level, (index >> BigInt(level)) ^ 1n));
    }
    return siblings;
  }

  /**
   * Inserts a key that is not in the list: the low leaf points to it, and it is appended
   * at nextIndex.
   * @throws NonRetryableError when the key is present, 0, non-canonical, or the tree is full.
   */
  insert(key: bigint, value: bigint): InsertWitness {
    this.#assertKeyValue(key, value);
    if (this.#store.findLeaf(key) !== undefined) {
      throw new NonRetryableError("cannot insert a key that is already in the tree; update it", { details: { key } });
    }
    const appendIndex = this.nextIndex;
    if (appendIndex >= this.capacity) {
      throw new NonRetryableError("the tree is full", { details: { depth: this.depth, nextIndex: appendIndex } });
    }
    const lowIndex = this.#store.findLowLeaf(key);
    if (lowIndex === undefined) {
      throw new NonRetryableError("tree store has no low leaf (the sentinel is missing)", { details: { key } });
    }
    const lowLeaf = this.#leafAt(lowIndex);
    const oldRoot = this.root;
    const lowSiblings = this.siblings(lowIndex);

    this.#writeLeaf(lowIndex, { ...lowLeaf, nextKey: key, nextIndex: appendIndex });
    const appendSiblings = this.siblings(appendIndex);
    this.#writeLeaf(appendIndex, { key, value, nextKey: lowLeaf.nextKey, nextIndex: lowLeaf.nextIndex });
    this.#store.setNextIndex(appendIndex + 1n);

    return {
      kind: "insert",
      key,
      value,
      oldRoot,
      newRoot: this.root,
      oldNextIndex: appendIndex,
      lowIndex,
      lowLeaf,
      lowSiblings,
      appendSiblings,
    };
  }

  /**
   * Sets the value of a key in the list (0 marks it absent).
   * @throws NonRetryableError when the key is not in the list, 0, or non-canonical.
   */
  update(key: bigint, value: bigint): UpdateWitness {
    this.#assertKeyValue(key, value);
    const index = this.#store.findLeaf(key);
    if (index === undefined) {
      throw new NonRetryableError("cannot update a key that is not in the tree; insert it", { details: { key } });
    }
    const oldLeaf = this.#leafAt(index);
    const oldRoot = this.root;
    const siblings = this.siblings(index);
    this.#writeLeaf(index, { ...oldLeaf, value });
    return { kind: "update", key, value, oldRoot, newRoot: this.root, oldNextIndex: this.nextIndex, index, oldLeaf, siblings };
  }

  /** Update when the key is in the list, insert otherwise. */
  apply(key: bigint, value: bigint): OperationWitness {
    return this.#store.findLeaf(key) === undefined ? this.insert(key, value) : this.update(key, value);
  }

  /** The leaf at `index` with its siblings. */
  proveLeaf(index: bigint): LeafProof {
    return { index, leaf: this.#leafAt(index), siblings: this.siblings(index) };
  }

  /**
   * Proof that `key` is present with a non-zero value.
   * @throws NonRetryableError when it is absent.
   */
  provePresence(key: bigint): PresenceProof {
    const found = this.find(key);
    if (!found || found.leaf.value === 0n) {
      throw new NonRetryableError("key is absent: no presence proof", { details: { key } });
    }
    return this.proveLeaf(found.index);
  }

  /**
   * Proof that `key` is absent: its low leaf, or its own leaf when its value is 0.
   * @throws NonRetryableError when it is present.
   */
  proveAbsence(key: bigint): AbsenceProof {
    assertCanonical(key, "key");
    const found = this.find(key);
    if (found) {
      if (found.leaf.value !== 0n) {
        throw new NonRetryableError("key is present: no absence proof", { details: { key } });
      }
      return { kind: "zeroValue", ...this.proveLeaf(found.index) };
    }
    const lowIndex = this.#store.findLowLeaf(key);
    if (lowIndex === undefined) {
      throw new NonRetryableError("no low leaf for key (key 0 is the sentinel's)", { details: { key } });
    }
    return { kind: "lowLeaf", ...this.proveLeaf(lowIndex) };
  }

  #assertKeyValue(key: bigint, value: bigint): void {
    assertCanonical(key, "key");
    assertCanonical(value, "value");
    if (key === 0n) {
      throw new NonRetryableError("key 0 is reserved for the sentinel leaf", { details: { key } });
    }
  }

  #assertIndex(index: bigint): void {
    if (index < 0n || index >= this.capacity) {
      throw new NonRetryableError("leaf index out of range", { details: { index, capacity: this.capacity } });
    }
  }

  #leafAt(index: bigint): LeafData {
    const leaf = this.#store.getLeaf(index);
    if (!leaf) throw new NonRetryableError("no leaf at index", { details: { index } });
    return leaf;
  }

  #node(level: number, index: bigint): bigint {
    return this.#store.getNode(level, index) ?? (this.#zeros[level] as bigint);
  }

  /** Writes a leaf and rehashes its path up to the root. */
  #writeLeaf(index: bigint, leaf: LeafData): void {
    this.#assertIndex(index);
    this.#store.setLeaf(index, leaf);
    let hash = leafHash(this.poseidon, leaf);
    let position = index;
    this.#store.setNode(0, position, hash);
    for (let level = 1; level <= this.depth; level++) {
      const sibling = this.#node(level - 1, position ^ 1n);
      hash = (position & 1n) === 0n ? this.poseidon.hash([hash, sibling]) : this.poseidon.hash([sibling, hash]);
      position >>= 1n;
      this.#store.setNode(level, position, hash);
    }
  }
}
