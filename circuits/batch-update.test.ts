/**
 * BatchUpdate(4, 3) against the TypeScript tree: honest batches give witnesses that
 * satisfy every r1cs constraint with the tree's roots, indexes and commitments; each kind
 * of dishonest batch is rejected, at the constraint that is meant to reject it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../common/fixtures.ts";
import { NonRetryableError } from "../common/errors.ts";
import { PUBLIC_INPUT_NAMES, toCircuitInputJson, type BatchUpdateInput } from "../settler/tree/batch-input.ts";
import { buildBatch, planOperations, type Batch, type StateChange } from "../settler/tree/batch.ts";
import { FIELD_MODULUS } from "../settler/tree/field.ts";
import { createIndexedMerkleTree, type IndexedMerkleTree } from "../settler/tree/indexed-merkle-tree.ts";
import { loadPoseidon, type Poseidon } from "../settler/tree/poseidon.ts";
import { ReferenceTree } from "../settler/tree/testing/reference-tree.ts";
import { buildCircuit, type CircuitArtifacts } from "./build.ts";
import { firstFailedConstraint, readR1cs, type R1cs } from "./r1cs.ts";
import { readSymbols, type CircuitSymbol } from "./sym.ts";
import { craftBatch, type CraftedOp } from "./testing/craft-batch.ts";
import { calculateWitness, parseWitness } from "./witness.ts";

const DEPTH = 4;
const B = 3;
const params = { depth: DEPTH, batch: B };
const P253 = 1n << 253n;

let built: CircuitArtifacts;
let r1cs: R1cs;
let symbols: Map<string, CircuitSymbol>;
let poseidon: Poseidon;

beforeAll(async () => {
  poseidon = await loadPoseidon();
  built = await buildCircuit(params);
  r1cs = await readR1cs(built.r1cs);
  symbols = await readSymbols(built.sym);
});

const range = { fromCursor: 10n, toCursor: 20n };
const ch = (key: bigint, value: bigint): StateChange => ({ key, value });

/** The witness of an input that must be accepted; checked against every r1cs constraint. */
async function accept(input: BatchUpdateInput): Promise<bigint[]> {
  const witness = await calculateWitness(built.wasm, input, params);
  expect(firstFailedConstraint(r1cs, witness)).toBe(-1);
  return witness;
}

const SOURCES: Record<string, string> = {
  BatchSlot: "circuits/lib/batch_slot.circom",
  BatchUpdate: "circuits/batch_update.circom",
  CursorRange: "circuits/lib/cursor_range.circom",
};

/**
 * Expects the witness calculator to stop at a failed constraint, and the first frame in
 * `template` to point at a source line that contains `line`: the input is rejected for
 * the reason under test, not for an unrelated inconsistency of the crafted input.
 */
async function reject(input: BatchUpdateInput, template: keyof typeof SOURCES, line: string): Promise<void> {
  let message = "";
  try {
    await calculateWitness(built.wasm, input, params);
  } catch (error) {
    message = String(error);
  }
  expect(message, "witness calculation should fail").toMatch(/Assert Failed/);
  const frames = [...message.matchAll(/Error in template (\w+?)_\d+ line: (\d+)/g)].map((m) => ({
    template: m[1] as string,
    line: Number(m[2]),
  }));
  const frame = frames.find((f) => f.template === template);
  expect(frame, `no frame in ${template}: ${message}`).toBeDefined();
  const source = readFileSync(join(projectRoot, SOURCES[template] as string), "utf8").split("\n");
  expect(source[(frame?.line ?? 0) - 1]).toContain(line);
}

async function treeWith(keys: [bigint, bigint][]): Promise<IndexedMerkleTree> {
  const tree = await createIndexedMerkleTree({ depth: DEPTH });
  for (const [key, value] of keys) tree.insert(key, value);
  return tree;
}

/** Checks that the circuit's running state after each slot is the tree's after each operation. */
function expectSlotStates(witness: bigint[], batch: Batch): void {
  let root = batch.input.oldRoot;
  for (let slot = 0; slot < B; slot++) {
    root = batch.operations[slot]?.newRoot ?? root;
    const wire = symbols.get(`main.slot[${slot}].newRoot`)?.wireId ?? -1;
    // The last slot's root is merged with the public newRoot by the optimizer.
    if (wire >= 0) expect(witness[wire]).toBe(root);
  }
  PUBLIC_INPUT_NAMES.forEach((name, i) => expect(witness[i + 1]).toBe(batch.publicInputs[name]));
}

describe("public inputs", () => {
  it("are main.oldRoot ... main.toCursor at witness indices 1..7, with no outputs", () => {
    expect(r1cs.nPubOut).toBe(0);
    expect(r1cs.nPubIn).toBe(7);
    PUBLIC_INPUT_NAMES.forEach((name, i) => expect(symbols.get(`main.${name}`)?.wireId).toBe(i + 1));
    const onPublicWires = [...symbols.values()].filter((s) => s.wireId >= 1 && s.wireId <= 7).map((s) => s.name);
    expect(onPublicWires.sort()).toEqual(PUBLIC_INPUT_NAMES.map((n) => `main.${n}`).sort());
  });

  it("each enter the constraints, so none can be changed under a valid proof", async () => {
    for (let wire = 1; wire <= 7; wire++) {
      const used = r1cs.constraints.some(({ a, b, c }) => [a, b, c].some((lc) => (lc.get(wire) ?? 0n) !== 0n));
      expect(used, `public wire ${wire}`).toBe(true);
    }
    const tree = await treeWith([[5n, 1n]]);
    const witness = await accept(buildBatch(tree, [ch(5n, 2n), ch(9n, 3n)], { batchSize: B, ...range }).input);
    for (let wire = 1; wire <= 7; wire++) {
      const tampered = [...witness];
      tampered[wire] = ((tampered[wire] as bigint) + 1n) % FIELD_MODULUS;
      expect(firstFailedConstraint(r1cs, tampered), `public wire ${wire}`).not.toBe(-1);
    }
  });
});

describe("honest batches", () => {
  it("accept every mix of operations and match the tree slot by slot", async () => {
    const tree = await treeWith([]);
    const batches: StateChange[][] = [
      [ch(30n, 1n), ch(10n, 2n), ch(20n, 3n)], // inserts only, full batch
      [ch(10n, 4n), ch(30n, 5n)], // updates only, one no-op
      [ch(15n, 6n), ch(20n, 0n), ch(40n, 7n)], // insert, deletion, insert
      [ch(20n, 8n)], // a deleted key comes back: update from 0
      [ch(99n, 0n)], // nothing to do: all no-ops
    ];
    for (const [n, changes] of batches.entries()) {
      const batch = buildBatch(tree, changes, { batchSize: B, fromCursor: BigInt(n * 10), toCursor: BigInt(n * 10 + 5) });
      expectSlotStates(await accept(batch.input), batch);
    }
    expect(tree.nextIndex).toBe(6n);
  });

  it("accept inserts sharing a low leaf and inserts whose low leaf came earlier in the batch", async () => {
    const tree = await treeWith([
      [10n, 1n],
      [100n, 1n],
    ]);
    const batch = buildBatch(tree, [ch(60n, 1n), ch(50n, 2n), ch(55n, 3n)], { batchSize: B, ...range });
    const lows = batch.operations.map((o) => (o.kind === "insert" ? o.lowIndex : -1n));
    expect(lows).toEqual([1n, 1n, 4n]); // 60 and 50 after 10; 55 after 50, appended at 4
    expectSlotStates(await accept(batch.input), batch);
  });

  it("accept keys at and above 2^253 and up to r - 1", async () => {
    const tree = await treeWith([]);
    const first = buildBatch(tree, [ch(P253, 1n), ch(P253 - 1n, 2n), ch(FIELD_MODULUS - 1n, 3n)], { batchSize: B, ...range });
    expectSlotStates(await accept(first.input), first);
    const second = buildBatch(tree, [ch(P253 + 1n, 4n), ch(P253 + (1n << 252n), 5n), ch(P253, 6n)], {
      batchSize: B,
      ...range,
    });
    expectSlotStates(await accept(second.input), second);
  });

  it("still accept updates when the tree is full", async () => {
    const tree = await treeWith(Array.from({ length: 15 }, (_, i) => [BigInt(i + 1), 1n] as [bigint, bigint]));
    expect(tree.nextIndex).toBe(16n);
    const batch = buildBatch(tree, [ch(3n, 9n), ch(15n, 0n)], { batchSize: B, ...range });
    expectSlotStates(await accept(batch.input), batch);
  });

  it("agree with the tree on random batches", async () => {
    let operationsProven = 0;
    for (const seed of [1, 2]) {
      const random = prng(seed);
      const tree = await treeWith([]);
      const known: bigint[] = [];
      let cursor = 0n;
      for (let round = 0; round < 5 && tree.nextIndex < tree.capacity; round++) {
        const changes: StateChange[] = [];
        for (let i = 0, n = 1 + random.int(5); i < n; i++) {
          const reuse = known.length > 0 && random.int(3) === 0;
          const key = reuse ? (known[random.int(known.length)] as bigint) : randomKey(random);
          changes.push(ch(key, random.int(4) === 0 ? 0n : random.below(FIELD_MODULUS)));
        }
        // Keep the longest prefix that fits the slots and the free leaves.
        let take = changes.length;
        const fits = (k: number) => {
          const plan = planOperations(tree, changes.slice(0, k));
          return plan.operations.length <= B && tree.nextIndex + BigInt(plan.inserts) <= tree.capacity;
        };
        while (take > 0 && !fits(take)) take--;
        const batch = buildBatch(tree, changes.slice(0, take), { batchSize: B, fromCursor: cursor, toCursor: cursor + 7n });
        cursor += 7n;
        for (const op of batch.operations) if (op.kind === "insert") known.push(op.key);
        expectSlotStates(await accept(batch.input), batch);
        expect(tree.root).toBe(ReferenceTree.of(tree).root());
        operationsProven += batch.operations.length;
      }
    }
    expect(operationsProven).toBeGreaterThanOrEqual(12);
  });
});

describe("dishonest batches", () => {
  async function honest(): Promise<{ tree: IndexedMerkleTree; batch: Batch }> {
    const tree = await treeWith([
      [10n, 1n],
      [30n, 3n],
    ]);
    const batch = buildBatch(tree, [ch(30n, 4n), ch(20n, 2n)], { batchSize: B, ...range }); // update, insert
    return { tree, batch };
  }
  const tamper = (input: BatchUpdateInput, f: (x: BatchUpdateInput) => void): BatchUpdateInput => {
    const copy = structuredClone(input);
    f(copy);
    return copy;
  };

  it("reject a wrong sibling on either path", async () => {
    const { batch } = await honest();
    await accept(batch.input);
    await reject(
      tamper(batch.input, (x) => ((x.leafSiblings[0] as bigint[])[2] = 12345n)),
      "BatchSlot",
      "isReal * (oldPath.root - root) === 0",
    );
    await reject(
      tamper(batch.input, (x) => ((x.appendSiblings[1] as bigint[])[0] = 12345n)),
      "BatchSlot",
      "isInsert * (emptyPath.root - midRoot) === 0",
    );
  });

  it("reject a wrong old value", async () => {
    const { batch } = await honest();
    await reject(tamper(batch.input, (x) => (x.leafValue[0] = 5n)), "BatchSlot", "isReal * (oldPath.root - root) === 0");
  });

  it("reject a commitment that does not match the operations", async () => {
    const { batch } = await honest();
    const line = "batchCommitment === slot[B - 1].newCommitment";
    await reject(tamper(batch.input, (x) => (x.batchCommitment += 1n)), "BatchUpdate", line);
    // The same operations in the other order commit differently.
    const h = (xs: bigint[]) => poseidon.hash(xs);
    const swapped = h([h([0n, 20n, 2n]), 30n, 4n]);
    await reject(tamper(batch.input, (x) => (x.batchCommitment = swapped)), "BatchUpdate", line);
  });

  it("reject a wrong newNextIndex", async () => {
    const { batch } = await honest();
    await reject(tamper(batch.input, (x) => (x.newNextIndex += 1n)), "BatchUpdate", "newNextIndex === slot[B - 1].newNextIndex");
  });

  it("reject a no-op that changes the root", async () => {
    const tree = await treeWith([[10n, 1n]]);
    const reference = ReferenceTree.of(tree);
    // Two real updates, then slot 1 is turned into a no-op that keeps its data and the
    // two-update root, with the one-update commitment.
    const twoUpdates = craftBatch(reference.clone(), tree.nextIndex, [
      { kind: "update", key: 10n, value: 2n, index: 1n },
      { kind: "update", key: 10n, value: 3n, index: 1n },
    ], { batch: B });
    const oneUpdate = craftBatch(reference.clone(), tree.nextIndex, [{ kind: "update", key: 10n, value: 2n, index: 1n }], {
      batch: B,
    });
    await accept(twoUpdates);
    await accept(oneUpdate);
    const input = tamper(twoUpdates, (x) => {
      x.isUpdate[1] = 0n;
      x.batchCommitment = oneUpdate.batchCommitment;
    });
    await reject(input, "BatchUpdate", "newRoot === slot[B - 1].newRoot");
  });

  it("reject a real operation after a no-op", async () => {
    const tree = await treeWith([[10n, 1n]]);
    const ops: CraftedOp[] = [{ kind: "noop" }, { kind: "update", key: 10n, value: 2n, index: 1n }];
    const input = craftBatch(ReferenceTree.of(tree), tree.nextIndex, ops, { batch: B });
    await reject(input, "BatchUpdate", "(1 - slot[i - 1].isReal) * slot[i].isReal === 0");
  });

  it("reject an insert of a present key", async () => {
    const tree = await treeWith([
      [10n, 1n],
      [30n, 3n],
    ]);
    // With its predecessor as low leaf (10 -> 30): 30 < 30 fails.
    const viaPredecessor = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [
      { kind: "insert", key: 30n, value: 9n, lowIndex: 1n },
    ], { batch: B });
    await reject(viaPredecessor, "BatchSlot", "insertNotBelowNext * (1 - nextIsInfinity.out) === 0");
    // With its own leaf as low leaf: 30 < 30 fails on the other side.
    const viaItself = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [
      { kind: "insert", key: 30n, value: 9n, lowIndex: 2n },
    ], { batch: B });
    await reject(viaItself, "BatchSlot", "isInsert * (1 - lowBelowKey.out) === 0");
  });

  it("reject an update of an absent key", async () => {
    const tree = await treeWith([[10n, 1n]]);
    // 20 is absent; the prover points at the leaf of 10.
    const input = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [{ kind: "update", key: 20n, value: 2n, index: 1n }], {
      batch: B,
    });
    await reject(input, "BatchSlot", "isUpdate * (leafKey - key) === 0");
  });

  it("reject an update of the sentinel (key 0)", async () => {
    const tree = await treeWith([]);
    const input = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [{ kind: "update", key: 0n, value: 2n, index: 0n }], {
      batch: B,
    });
    await reject(input, "BatchSlot", "isReal * keyIsZero.out === 0");
  });

  it("reject a wrong low leaf", async () => {
    const tree = await treeWith([
      [10n, 1n],
      [30n, 3n],
      [50n, 5n],
    ]);
    // 40 belongs after 30 (index 2). After 10 (-> 30): 40 < 30 fails.
    const tooLow = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [{ kind: "insert", key: 40n, value: 4n, lowIndex: 1n }], {
      batch: B,
    });
    await reject(tooLow, "BatchSlot", "insertNotBelowNext * (1 - nextIsInfinity.out) === 0");
    // After 50: 50 < 40 fails.
    const tooHigh = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [{ kind: "insert", key: 40n, value: 4n, lowIndex: 3n }], {
      batch: B,
    });
    await reject(tooHigh, "BatchSlot", "isInsert * (1 - lowBelowKey.out) === 0");
    const right = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [{ kind: "insert", key: 40n, value: 4n, lowIndex: 2n }], {
      batch: B,
    });
    await accept(right);
  });

  it("reject an insert at another index than the next free one", async () => {
    const tree = await treeWith([[10n, 1n]]);
    for (const appendIndex of [3n, 1n]) {
      const input = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [
        { kind: "insert", key: 20n, value: 2n, lowIndex: 1n, appendIndex },
      ], { batch: B });
      await reject(input, "BatchSlot", "isInsert * (emptyPath.root - midRoot) === 0");
    }
  });

  it("reject an insert into a full tree", async () => {
    const tree = await treeWith(Array.from({ length: 15 }, (_, i) => [BigInt(2 * i + 2), 1n] as [bigint, bigint]));
    expect(tree.nextIndex).toBe(tree.capacity);
    expect(() => buildBatch(tree, [ch(3n, 1n)], { batchSize: B, ...range })).toThrow(/too many inserts/);
    // Key 3 belongs after 2 (index 1); slot 16 does not exist.
    const input = craftBatch(ReferenceTree.of(tree), tree.nextIndex, [{ kind: "insert", key: 3n, value: 1n, lowIndex: 1n }], {
      batch: B,
    });
    await reject(input, "BatchSlot", "appendIndexBits.in <== appendIndex");
  });

  it("reject keys at and above 2^253 that only a truncated comparison would order", async () => {
    // lowKey < key: 2^253 + 7 looks like 7 < 9 on the low 252 bits.
    const a = await treeWith([[P253 + 7n, 1n]]);
    const lowTooHigh = craftBatch(ReferenceTree.of(a), a.nextIndex, [{ kind: "insert", key: 9n, value: 1n, lowIndex: 1n }], {
      batch: B,
    });
    await reject(lowTooHigh, "BatchSlot", "isInsert * (1 - lowBelowKey.out) === 0");
    // key < nextKey: 2^253 + 2^252 looks like 0 < 1 against 2^253 + 1.
    const b = await treeWith([[P253 + 1n, 1n]]);
    const key = P253 + (1n << 252n);
    const pastNext = craftBatch(ReferenceTree.of(b), b.nextIndex, [{ kind: "insert", key, value: 1n, lowIndex: 0n }], {
      batch: B,
    });
    await reject(pastNext, "BatchSlot", "insertNotBelowNext * (1 - nextIsInfinity.out) === 0");
    // The true low leaf works.
    await accept(craftBatch(ReferenceTree.of(b), b.nextIndex, [{ kind: "insert", key, value: 1n, lowIndex: 1n }], { batch: B }));
  });

  it("reject operation flags that are not one boolean kind", async () => {
    const { batch } = await honest();
    await reject(tamper(batch.input, (x) => (x.isInsert[0] = 2n)), "BatchSlot", "isInsert * (isInsert - 1) === 0");
    await reject(tamper(batch.input, (x) => (x.isInsert[0] = 1n)), "BatchSlot", "isInsert * isUpdate === 0");
  });

  it("reject an empty or out-of-range cursor range", async () => {
    const { batch } = await honest();
    const line = "toCursor - fromCursor - 1";
    await reject(tamper(batch.input, (x) => (x.toCursor = x.fromCursor)), "CursorRange", line);
    await reject(tamper(batch.input, (x) => (x.fromCursor = x.toCursor + 1n)), "CursorRange", line);
    await reject(tamper(batch.input, (x) => (x.toCursor = 1n << 64n)), "CursorRange", "Num2Bits(64)(toCursor)");
  });

  it("never reach the witness calculator with a value >= r, which it would reduce silently", async () => {
    const { batch } = await honest();
    const wrapped = tamper(batch.input, (x) => (x.value[1] = (x.value[1] as bigint) + FIELD_MODULUS));
    await expect(calculateWitness(built.wasm, wrapped, params)).rejects.toThrow(NonRetryableError);
    await expect(calculateWitness(built.wasm, wrapped, params)).rejects.toThrow(/value\[1\] is not a canonical/);
    // Why: snarkjs alone accepts it and computes the witness of the reduced value.
    const out: { type: "mem"; data?: Uint8Array } = { type: "mem" };
    await snarkjs.wtns.calculate(toCircuitInputJson(wrapped), built.wasm, out);
    expect(parseWitness(out.data as Uint8Array)).toEqual(await accept(batch.input));
  });
});

function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    below(limit: bigint): bigint {
      let v = 0n;
      for (let i = 0; i < 9; i++) v = (v << 32n) | BigInt(Math.floor(next() * 4294967296));
      return v % limit;
    },
  };
}

function randomKey(random: ReturnType<typeof prng>): bigint {
  switch (random.int(4)) {
    case 0:
      return 1n + BigInt(random.int(1000));
    case 1:
      return P253 - 500n + BigInt(random.int(1000));
    case 2:
      return FIELD_MODULUS - 1n - BigInt(random.int(1000));
    default:
      return 1n + random.below(FIELD_MODULUS - 1n);
  }
}
