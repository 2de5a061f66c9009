/**
 * The hashes of the indexed Merkle tree, exactly as the circuit and the Move contract
 * compute them: leaf = Poseidon(key, value, nextKey, nextIndex), empty slot = 0,
 * inner node = Poseidon(left, right), path bits = leaf index bits, least significant
 * first (bit 1: the running node is the right child).
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Poseidon } from "./poseidon.ts";
import type { LeafData } from "./store.ts";

/** Smallest and largest depth supported (the circuit asserts the same range). */
export const MIN_DEPTH = 1;
export const MAX_DEPTH = 64;

/** The sentinel leaf at index 0: key 0, value 0, next key 0 (= +infinity), next index 0. */
export const SENTINEL_LEAF: Readonly<LeafData> = Object.freeze({ key: 0n, value: 0n, nextKey: 0n, nextIndex: 0n });

/** Throws unless depth is an integer in [MIN_DEPTH, MAX_DEPTH]. */
export function assertDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < MIN_DEPTH || depth > MAX_DEPTH) {
    throw new NonRetryableError(`tree depth must be an integer from ${MIN_DEPTH} to ${MAX_DEPTH}`, {
      details: { depth },
    });
  }
}

/**
 * Poseidon(key, value, nextKey, nextIndex).
 *
 * @example
 * leafHash(poseidon, SENTINEL_LEAF);
 */
export function leafHash(poseidon: Poseidon, leaf: LeafData): bigint {
  return poseidon.hash([leaf.key, leaf.value, leaf.nextKey, leaf.nextIndex]);
}

/**
 * The root reached from `leaf` (a leaf hash, or 0 for an empty slot) at `index` with the
 * given siblings, leaf level first.
 *
 * @example
 * computeRoot(poseidon, leafHash(poseidon, leaf), 3n, siblings);
 */
export function computeRoot(poseidon: Poseidon, leaf: bigint, index: bigint, siblings: readonly bigint[]): bigint {
  let node = leaf;
  let position = index;
  for (const sibling of siblings) {
    node = (position & 1n) === 0n ? poseidon.hash([node, sibling]) : poseidon.hash([sibling, node]);
    position >>= 1n;
  }
  return node;
}

const zeroCache = new WeakMap<Poseidon, bigint[]>();

/**
 * Hashes of empty subtrees: zeroHashes(p, d)[l] is the root of an empty subtree of height
 * l (l = 0: an empty slot, 0).
 */
export function zeroHashes(poseidon: Poseidon, depth: number): readonly bigint[] {
  assertDepth(depth);
  let zeros = zeroCache.get(poseidon);
  if (!zeros) {
    zeros = [0n];
    zeroCache.set(poseidon, zeros);
  }
  while (zeros.length <= depth) {
    const below = zeros[zeros.length - 1] as bigint;
    zeros.push(poseidon.hash([below, below]));
  }
  return zeros.slice(0, depth + 1);
}

/**
 * The root of a fresh tree of this depth: the sentinel leaf at index 0, every other slot
 * empty. Move hard-codes this constant per depth, so no registry starts elsewhere.
 *
 * @example
 * const root = emptyRoot(await loadPoseidon(), 40);
 */
export function emptyRoot(poseidon: Poseidon, depth: number): bigint {
  const zeros = zeroHashes(poseidon, depth);
  return computeRoot(poseidon, leafHash(poseidon, SENTINEL_LEAF), 0n, zeros.slice(0, depth));
}
