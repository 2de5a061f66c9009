/**
 * Test support: a second, deliberately naive implementation of the tree's hashing. It
 * keeps every slot in an array and recomputes the whole tree for each root or path, with
 * no store, caching or zero-hash shortcuts, so tests can check the real tree (and craft
 * circuit witnesses, valid or not) against something independent. Small depths only.
 */
import type { Poseidon } from "../poseidon.ts";
import type { LeafData } from "../store.ts";
import type { IndexedMerkleTree } from "../indexed-merkle-tree.ts";

export class ReferenceTree {
  readonly slots: (LeafData | undefined)[];

  constructor(
    readonly poseidon: Poseidon,
    readonly depth: number,
    slots: (LeafData | undefined)[] = [],
  ) {
    if (depth > 12) throw new Error("ReferenceTree recomputes everything: keep depth <= 12");
    this.slots = Array.from({ length: 2 ** depth }, (_, i) => (slots[i] ? { ...slots[i] } : undefined));
  }

  /** A copy of the real tree's leaves. */
  static of(tree: IndexedMerkleTree): ReferenceTree {
    const slots: (LeafData | undefined)[] = [];
    for (let i = 0n; i < tree.nextIndex; i++) slots.push(tree.leaf(i));
    return new ReferenceTree(tree.poseidon, tree.depth, slots);
  }

  clone(): ReferenceTree {
    return new ReferenceTree(this.poseidon, this.depth, this.slots);
  }

  /** levels[0] = leaf hashes (0 for empty), levels[depth] = [root]. */
  levels(): bigint[][] {
    const h = (xs: bigint[]) => this.poseidon.hash(xs);
    const levels = [this.slots.map((l) => (l ? h([l.key, l.value, l.nextKey, l.nextIndex]) : 0n))];
    for (let level = 1; level <= this.depth; level++) {
      const below = levels[level - 1] as bigint[];
      const row: bigint[] = [];
      for (let i = 0; i < below.length; i += 2) row.push(h([below[i] as bigint, below[i + 1] as bigint]));
      levels.push(row);
    }
    return levels;
  }

  root(): bigint {
    return (this.levels()[this.depth] as bigint[])[0] as bigint;
  }

  siblings(index: bigint): bigint[] {
    const levels = this.levels();
    const siblings: bigint[] = [];
    for (let level = 0; level < this.depth; level++) {
      const position = Number(index >> BigInt(level)) ^ 1;
      siblings.push((levels[level] as bigint[])[position] as bigint);
    }
    return siblings;
  }
}
