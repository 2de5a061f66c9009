/**
 * Turns an ordered list of state changes into the input of BatchUpdate(depth, B), applying
 * the operations to the tree one by one (DESIGN.md, "Batches").
 *
 * - Changes coalesce per key: the last state wins, and operations follow the stream order
 *   of each key's last change.
 * - A key whose value in the tree is 0 (not in the list, or deleted) and whose final value
 *   is 0 is skipped: nothing changes for it.
 * - A key in the list is updated; any other key is inserted.
 * - batchCommitment: c0 = 0, c = Poseidon(c, key, value) over the real operations in order.
 * - Slots after the real operations are no-ops (all their inputs 0).
 */
import { NonRetryableError } from "../../common/errors.ts";
import { assertCanonical } from "./field.ts";
import type { Poseidon } from "./poseidon.ts";
import type { IndexedMerkleTree, OperationWitness } from "./indexed-merkle-tree.ts";
import { assertBatchInput, PUBLIC_INPUT_NAMES, type BatchPublicInputs, type BatchUpdateInput } from "./batch-input.ts";
import { assertCursorRange } from "./cursor.ts";

/** The state of one key after a change: its value, 0 when the object is gone. */
export interface StateChange {
  key: bigint;
  value: bigint;
}

export interface BuildBatchOptions {
  /** B, the number of slots of the circuit. */
  batchSize: number;
  /** The stream range the changes come from: [fromCursor, toCursor). */
  fromCursor: bigint;
  toCursor: bigint;
}

export interface Batch {
  input: BatchUpdateInput;
  publicInputs: BatchPublicInputs;
  /** The real operations, in slot order, with the witnesses the tree produced. */
  operations: OperationWitness[];
  /** Coalesced changes left out because the key stayed absent. */
  skipped: StateChange[];
}

/**
 * Last state per key, ordered by the position of each key's last change.
 *
 * @example
 * coalesceChanges([{ key: 1n, value: 5n }, { key: 2n, value: 6n }, { key: 1n, value: 7n }]);
 * // [{ key: 2n, value: 6n }, { key: 1n, value: 7n }]
 */
export function coalesceChanges(changes: readonly StateChange[]): StateChange[] {
  const last = new Map<bigint, StateChange>();
  for (const change of changes) {
    assertCanonical(change.key, "change key");
    assertCanonical(change.value, "change value");
    if (change.key === 0n) throw new NonRetryableError("key 0 is reserved for the sentinel leaf");
    // Deleting first moves the key to the end of the map's insertion order.
    last.delete(change.key);
    last.set(change.key, { key: change.key, value: change.value });
  }
  return [...last.values()];
}

/**
 * The real operations the changes make on the tree as it is now (coalesced, absent-and-0
 * skipped), without changing it. Use it to size a batch before building it.
 *
 * @example
 * if (planOperations(tree, changes).operations.length > B) cutEarlier();
 */
export function planOperations(
  tree: IndexedMerkleTree,
  changes: readonly StateChange[],
): { operations: StateChange[]; skipped: StateChange[]; inserts: number } {
  const operations: StateChange[] = [];
  const skipped: StateChange[] = [];
  let inserts = 0;
  for (const change of coalesceChanges(changes)) {
    const found = tree.find(change.key);
    if ((found?.leaf.value ?? 0n) === 0n && change.value === 0n) {
      skipped.push(change);
      continue;
    }
    if (!found) inserts++;
    operations.push(change);
  }
  return { operations, skipped, inserts };
}

/**
 * The canonical commitment of a list of operations: c0 = 0, c = Poseidon(c, key, value).
 *
 * @example
 * batchCommitment(poseidon, []); // 0n
 */
export function batchCommitment(poseidon: Poseidon, operations: readonly StateChange[]): bigint {
  let c = 0n;
  for (const op of operations) c = poseidon.hash([c, op.key, op.value]);
  return c;
}

/**
 * Applies the changes to `tree` and returns the circuit input of the batch. Everything is
 * checked before the tree changes (too many operations, a full tree, non-canonical values,
 * bad cursors), so a refused batch leaves the tree as it was.
 *
 * @example
 * const batch = buildBatch(tree, changes, { batchSize: 8, fromCursor, toCursor });
 * await prove(batch.input);
 */
export function buildBatch(tree: IndexedMerkleTree, changes: readonly StateChange[], options: BuildBatchOptions): Batch {
  const { batchSize, fromCursor, toCursor } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new NonRetryableError("batch size must be a positive integer", { details: { batchSize } });
  }
  assertCursorRange(fromCursor, toCursor);
  const plan = planOperations(tree, changes);
  if (plan.operations.length > batchSize) {
    throw new NonRetryableError("batch has more operations than slots", {
      details: { operations: plan.operations.length, batchSize },
    });
  }
  if (tree.nextIndex + BigInt(plan.inserts) > tree.capacity) {
    throw new NonRetryableError("batch does not fit in the tree: too many inserts for the free leaves", {
      details: { inserts: plan.inserts, nextIndex: tree.nextIndex, capacity: tree.capacity },
    });
  }

  const oldRoot = tree.root;
  const oldNextIndex = tree.nextIndex;
  const operations = plan.operations.map((op) => tree.apply(op.key, op.value));

  const zeroPath = (): bigint[] => new Array<bigint>(tree.depth).fill(0n);
  const input: BatchUpdateInput = {
    oldRoot,
    newRoot: tree.root,
    oldNextIndex,
    newNextIndex: tree.nextIndex,
    batchCommitment: batchCommitment(tree.poseidon, plan.operations),
    fromCursor,
    toCursor,
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
  for (let slot = 0; slot < batchSize; slot++) {
    const op = operations[slot];
    const leaf = op?.kind === "insert" ? op.lowLeaf : op?.oldLeaf;
    input.isInsert.push(op?.kind === "insert" ? 1n : 0n);
    input.isUpdate.push(op?.kind === "update" ? 1n : 0n);
    input.key.push(op?.key ?? 0n);
    input.value.push(op?.value ?? 0n);
    input.leafIndex.push(op === undefined ? 0n : op.kind === "insert" ? op.lowIndex : op.index);
    input.leafKey.push(leaf?.key ?? 0n);
    input.leafValue.push(leaf?.value ?? 0n);
    input.leafNextKey.push(leaf?.nextKey ?? 0n);
    input.leafNextIndex.push(leaf?.nextIndex ?? 0n);
    input.leafSiblings.push(op === undefined ? zeroPath() : op.kind === "insert" ? op.lowSiblings : op.siblings);
    input.appendSiblings.push(op?.kind === "insert" ? op.appendSiblings : zeroPath());
  }
  assertBatchInput(input, { depth: tree.depth, batch: batchSize });

  const publicInputs = Object.fromEntries(PUBLIC_INPUT_NAMES.map((name) => [name, input[name]])) as BatchPublicInputs;
  return { input, publicInputs, operations, skipped: plan.skipped };
}
