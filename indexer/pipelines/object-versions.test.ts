import { describe, expect, it } from "vitest";
import type { ChangedObject } from "../model.ts";
import { objectVersionsPipeline } from "./object-versions.ts";
import { objectsPipeline, mergeLiveObjectChanges } from "./objects.ts";
import { addr, buildCheckpoint, buildObject, buildTransaction, change } from "./test-builders.ts";

const A = addr(0xa);
const B = addr(0xb);
const C = addr(0xc);
const accumulator: ChangedObject = {
  ...change("mutated", null, null, addr(0xacc)),
  accumulatorWrite: { address: addr(0xa11ce), type: `${addr(2)}::balance::Balance<${addr(2)}::sui::SUI>`, operation: "merge", amount: 5n },
};

function scenario() {
  const aIn = buildObject({ objectId: A, version: 3n, type: "0x1::a::In" });
  const aOut = buildObject({ objectId: A, version: 10n, owner: { kind: "shared", initialSharedVersion: 2n }, type: `${addr(0xabc)}::a::A` });
  const bIn = buildObject({ objectId: B, version: 4n, type: `${addr(0xabc)}::b::B` });
  const cOut = buildObject({ objectId: C, version: 10n, owner: { kind: "object", address: A } });
  return buildTransaction({
    lamportVersion: 10n,
    inputObjects: [aIn, bIn],
    outputObjects: [aOut, cOut],
    changedObjects: [change("mutated", aIn, aOut), change("deleted", bIn, null), change("created", null, cOut), accumulator],
  });
}

describe("object_versions pipeline", () => {
  it("takes versions from the effects, types and owners from the output objects", () => {
    const rows = objectVersionsPipeline.process(buildCheckpoint(1n, { txBefore: 0n, transactions: [scenario()] }), null);
    expect(rows.map((r) => [r.objectId, r.version, r.changeKind, r.ownerKind, r.ownerAddress, r.initialSharedVersion, r.type])).toEqual([
      [A, 10n, "mutated", "shared", null, 2n, `${addr(0xabc)}::a::A`],
      // Deleted: the lamport version, no owner or digest, the type it had as an input.
      [B, 10n, "deleted", null, null, null, `${addr(0xabc)}::b::B`],
      [C, 10n, "created", "object", A, null, `${addr(0xabc)}::thing::Thing`],
    ]);
    expect(rows[1]?.digest).toBeNull();
    expect(rows[0]?.digest?.[0]).toBe(10);
    expect(rows.every((r) => r.txSequenceNumber === 0n && r.checkpoint === 1n)).toBe(true);
  });
});

describe("objects pipeline (live state)", () => {
  it("upserts written objects and deletes removed ones", () => {
    const { upserts, deletes } = objectsPipeline.process(buildCheckpoint(1n, { transactions: [scenario()] }), null);
    expect(upserts.map((r) => [r.objectId, r.version, r.ownerKind])).toEqual([
      [A, 10n, "shared"],
      [C, 10n, "object"],
    ]);
    expect(deletes).toEqual([B]);
  });

  it("nets changes within a checkpoint: the last state of an object wins", () => {
    const created = buildObject({ objectId: A, version: 5n });
    const mutated = buildObject({ objectId: A, version: 6n, owner: { kind: "address", address: addr(0xb0b) } });
    const tx1 = buildTransaction({ lamportVersion: 5n, outputObjects: [created], changedObjects: [change("created", null, created)] });
    const tx2 = buildTransaction({ lamportVersion: 6n, inputObjects: [created], outputObjects: [mutated], changedObjects: [change("mutated", created, mutated)] });
    const tx3 = buildTransaction({ lamportVersion: 7n, inputObjects: [mutated], changedObjects: [change("wrapped", mutated, null)] });
    const checkpoint = buildCheckpoint(1n, { txBefore: 0n, transactions: [tx1, tx2, tx3] });
    expect(objectsPipeline.process(checkpoint, null)).toEqual({ upserts: [], deletes: [A] });
    const upToTx2 = objectsPipeline.process(checkpoint, [true, true, false]);
    expect(upToTx2.upserts.map((r) => [r.objectId, r.version, r.ownerAddress, r.txSequenceNumber])).toEqual([[A, 6n, addr(0xb0b), 1n]]);
  });

  it("merges consecutive checkpoints in order", () => {
    const v1 = buildObject({ objectId: A, version: 1n });
    const v2 = buildObject({ objectId: A, version: 2n });
    const cp1 = objectsPipeline.process(buildCheckpoint(1n, { transactions: [buildTransaction({ outputObjects: [v1], changedObjects: [change("created", null, v1)] })] }), null);
    const cp2 = objectsPipeline.process(buildCheckpoint(2n, { transactions: [buildTransaction({ lamportVersion: 2n, inputObjects: [v1], changedObjects: [change("deleted", v1, null)] })] }), null);
    const cp3 = objectsPipeline.process(buildCheckpoint(3n, { transactions: [buildTransaction({ outputObjects: [v2], changedObjects: [change("unwrapped", null, v2)] })] }), null);
    expect(mergeLiveObjectChanges([cp1, cp2])).toEqual({ upserts: [], deletes: [A] });
    const all = mergeLiveObjectChanges([cp1, cp2, cp3]);
    expect(all.deletes).toEqual([]);
    expect(all.upserts.map((r) => [r.objectId, r.version, r.checkpoint])).toEqual([[A, 2n, 3n]]);
  });
});
