/**
 * Where an indexed Merkle tree keeps its nodes and leaves.
 *
 * The interface is synchronous so that tree operations stay simple and fast. A store
 * backed by Postgres implements it by preloading what a batch will touch (the leaves of
 * the batch's keys and their low leaves, found with `key < $1 ORDER BY key DESC LIMIT 1`,
 * plus the nodes on their paths) and buffering writes until the batch's transaction
 * commits; nodes it never loaded are answered as empty subtrees, so preloading must cover
 * every path a batch reads.
 */
import { NonRetryableError } from "../../common/errors.ts";

/** The fields of a leaf; its hash is Poseidon(key, value, nextKey, nextIndex). */
export interface LeafData {
  key: bigint;
  /** 0 means absent (deleted, wrapped, or left the tracked set). */
  value: bigint;
  /** The next larger key in the list; 0 stands for +infinity. */
  nextKey: bigint;
  /** Index of the leaf holding nextKey (0 with nextKey 0). */
  nextIndex: bigint;
}

export interface TreeStore {
  /** Node hash at `level` (0 = leaf hashes, depth = root); undefined when never written. */
  getNode(level: number, index: bigint): bigint | undefined;
  setNode(level: number, index: bigint, hash: bigint): void;
  /** Leaf fields at `index`; undefined for an empty slot. */
  getLeaf(index: bigint): LeafData | undefined;
  /** Writes a leaf. A leaf's key never changes once written. */
  setLeaf(index: bigint, leaf: LeafData): void;
  /** Index of the leaf holding exactly `key`. */
  findLeaf(key: bigint): bigint | undefined;
  /** Index of the leaf with the largest key strictly below `key` (the low leaf). */
  findLowLeaf(key: bigint): bigint | undefined;
  /** The next free leaf index; 0 for a store that holds no tree yet. */
  getNextIndex(): bigint;
  setNextIndex(index: bigint): void;
}

/**
 * A TreeStore in memory: maps for nodes and leaves, and a sorted key array for low-leaf
 * search (binary search; an insert shifts the array, fine up to millions of keys).
 *
 * @example
 * const tree = await createIndexedMerkleTree({ depth: 20, store: new MemoryTreeStore() });
 */
export class MemoryTreeStore implements TreeStore {
  readonly #nodes = new Map<string, bigint>();
  readonly #leaves = new Map<bigint, LeafData>();
  readonly #indexByKey = new Map<bigint, bigint>();
  readonly #sortedKeys: bigint[] = [];
  #nextIndex = 0n;

  getNode(level: number, index: bigint): bigint | undefined {
    return this.#nodes.get(`${level}:${index}`);
  }

  setNode(level: number, index: bigint, hash: bigint): void {
    this.#nodes.set(`${level}:${index}`, hash);
  }

  getLeaf(index: bigint): LeafData | undefined {
    const leaf = this.#leaves.get(index);
    return leaf && { ...leaf };
  }

  setLeaf(index: bigint, leaf: LeafData): void {
    const existing = this.#leaves.get(index);
    if (existing) {
      if (existing.key !== leaf.key) {
        throw new NonRetryableError("a leaf's key cannot change", {
          details: { index, oldKey: existing.key, newKey: leaf.key },
        });
      }
    } else {
      if (this.#indexByKey.has(leaf.key)) {
        throw new NonRetryableError("key already has a leaf", {
          details: { key: leaf.key, index: this.#indexByKey.get(leaf.key) },
        });
      }
      this.#sortedKeys.splice(this.#lowerBound(leaf.key), 0, leaf.key);
      this.#indexByKey.set(leaf.key, index);
    }
    this.#leaves.set(index, { ...leaf });
  }

  findLeaf(key: bigint): bigint | undefined {
    return this.#indexByKey.get(key);
  }

  findLowLeaf(key: bigint): bigint | undefined {
    const position = this.#lowerBound(key) - 1;
    const lowKey = this.#sortedKeys[position];
    return lowKey === undefined ? undefined : this.#indexByKey.get(lowKey);
  }

  getNextIndex(): bigint {
    return this.#nextIndex;
  }

  setNextIndex(index: bigint): void {
    this.#nextIndex = index;
  }

  /** First position whose key is >= `key`. */
  #lowerBound(key: bigint): number {
    let lo = 0;
    let hi = this.#sortedKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#sortedKeys[mid] as bigint) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
