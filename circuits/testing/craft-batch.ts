/**
 * Test support: builds BatchUpdate inputs from explicit operations on a ReferenceTree,
 * checking nothing. Honest operations give exactly what settler/tree/batch.ts produces
 * (a test asserts it); dishonest ones (a wrong low leaf, a present key inserted, an index
 * off by one) give inputs whose paths and roots are all consistent, so the circuit must
 * reject them for the reason under test and no other.
 */
import type { BatchUpdateInput } from "../../settler/tree/batch-input.ts";
import type { ReferenceTree } from "../../settler/tree/testing/reference-tree.ts";
import type { LeafData } from "../../settler/tree/store.ts";

export type CraftedOp =
  | { kind: "insert"; key: bigint; value: bigint; lowIndex: bigint; appendIndex?: bigint }
  | { kind: "update"; key: bigint; value: bigint; index: bigint }
  | { kind: "noop" };

const EMPTY: LeafData = { key: 0n, value: 0n, nextKey: 0n, nextIndex: 0n };

/**
 * Applies `ops` to `tree` (mutating it) and returns the circuit input; newRoot,
 * newNextIndex and batchCommitment follow what the operations did.
 */
export function craftBatch(
  tree: ReferenceTree,
  nextIndex: bigint,
  ops: readonly CraftedOp[],
  shape: { batch: number; fromCursor?: bigint; toCursor?: bigint },
): BatchUpdateInput {
  const h = (xs: bigint[]) => tree.poseidon.hash(xs);
  const zeros = () => new Array<bigint>(tree.depth).fill(0n);
  const capacity = 1n << BigInt(tree.depth);
  const input: BatchUpdateInput = {
    oldRoot: tree.root(),
    newRoot: 0n,
    oldNextIndex: nextIndex,
    newNextIndex: 0n,
    batchCommitment: 0n,
    fromCursor: shape.fromCursor ?? 0n,
    toCursor: shape.toCursor ?? 1n,
    isInsert: [],
    isUpdate: [],
    key: [],
    value: [],
    leafIndex: [],
    leafKey: [],
    leafValue: [],
    leafNextKey: [],
    leafNextIndex: [],
    leafSiblings: [],
    appendSiblings: [],
  };
  let commitment = 0n;
  let next = nextIndex;
  const padded: CraftedOp[] = [...ops];
  while (padded.length < shape.batch) padded.push({ kind: "noop" });
  for (const op of padded) {
    if (op.kind === "noop") {
      push(0n, 0n, 0n, 0n, 0n, EMPTY, zeros(), zeros());
      continue;
    }
    commitment = h([commitment, op.key, op.value]);
    if (op.kind === "update") {
      const leaf = tree.slots[Number(op.index)] ?? EMPTY;
      const siblings = tree.siblings(op.index);
      tree.slots[Number(op.index)] = { ...leaf, value: op.value };
      push(0n, 1n, op.key, op.value, op.index, leaf, siblings, zeros());
    } else {
      const appendIndex = op.appendIndex ?? next;
      const low = tree.slots[Number(op.lowIndex)] ?? EMPTY;
      const lowSiblings = tree.siblings(op.lowIndex);
      tree.slots[Number(op.lowIndex)] = { ...low, nextKey: op.key, nextIndex: appendIndex };
      const inRange = appendIndex < capacity;
      const appendSiblings = inRange ? tree.siblings(appendIndex) : zeros();
      if (inRange) {
        tree.slots[Number(appendIndex)] = { key: op.key, value: op.value, nextKey: low.nextKey, nextIndex: low.nextIndex };
      }
      push(1n, 0n, op.key, op.value, op.lowIndex, low, lowSiblings, appendSiblings);
      next++;
    }
  }
  input.newRoot = tree.root();
  input.newNextIndex = next;
  input.batchCommitment = commitment;
  return input;

  function push(
    isInsert: bigint,
    isUpdate: bigint,
    key: bigint,
    value: bigint,
    leafIndex: bigint,
    leaf: LeafData,
    leafSiblings: bigint[],
    appendSiblings: bigint[],
  ): void {
    input.isInsert.push(isInsert);
    input.isUpdate.push(isUpdate);
    input.key.push(key);
    input.value.push(value);
    input.leafIndex.push(leafIndex);
    input.leafKey.push(leaf.key);
    input.leafValue.push(leaf.value);
    input.leafNextKey.push(leaf.nextKey);
    input.leafNextIndex.push(leaf.nextIndex);
    input.leafSiblings.push(leafSiblings);
    input.appendSiblings.push(appendSiblings);
  }
}
