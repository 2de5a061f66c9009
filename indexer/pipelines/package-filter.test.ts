import { describe, expect, it } from "vitest";
import { createPackageFilter, normalizeId } from "./package-filter.ts";
import { packagesPipeline } from "./packages.ts";
import { addr, buildCheckpoint, buildEvent, buildObject, buildPackage, buildTransaction, change } from "./test-builders.ts";

const ORIGINAL = addr(0xd1);
const V2 = addr(0xd2);
const V3 = addr(0xd3);
const OTHER = addr(0x07);

function upgrade(storageId: string, version: bigint) {
  const pkg = buildPackage(storageId, version, ORIGINAL);
  return buildTransaction({ outputObjects: [pkg], changedObjects: [change("created", null, pkg)] });
}

describe("packages pipeline", () => {
  it("records every package version with its original id, whatever the selection", () => {
    const publish = buildPackage(ORIGINAL, 1n);
    const tx = buildTransaction({ outputObjects: [publish, buildObject({ objectId: addr(0xca9), version: 1n })], changedObjects: [change("created", null, publish)] });
    const rows = packagesPipeline.process(buildCheckpoint(8n, { txBefore: 0n, transactions: [tx, upgrade(V2, 2n)] }), null);
    expect(rows.map((r) => [r.storageId, r.version, r.originalId, r.txSequenceNumber])).toEqual([
      [ORIGINAL, 1n, ORIGINAL, 0n],
      [V2, 2n, ORIGINAL, 1n],
    ]);
  });
});

describe("package filter", () => {
  it("normalizes ids", () => {
    expect(normalizeId("0x2")).toBe(addr(2));
    expect(normalizeId(" 0XD1 ")).toBe(ORIGINAL);
    expect(() => normalizeId("0xzz")).toThrow(/Not a Sui object id/);
  });

  it("matches an upgraded version by original id: calls, events, object types, publishes", () => {
    const filter = createPackageFilter([ORIGINAL], [{ storageId: V2, originalId: ORIGINAL }]);
    const obj = (type: string) => buildObject({ objectId: addr(0x55), version: 3n, type });
    const typed = (type: string) => {
      const o = obj(type);
      return buildTransaction({ outputObjects: [o], changedObjects: [change("mutated", o, o)] });
    };
    const deletedTyped = (type: string) => {
      const o = obj(type);
      return buildTransaction({ inputObjects: [o], changedObjects: [change("deleted", o, null)] });
    };
    const checkpoint = buildCheckpoint(1n, {
      transactions: [
        buildTransaction({ moveCalls: [{ package: V2, module: "pool", function: "swap" }] }), // call to v2
        buildTransaction({ moveCalls: [{ package: OTHER, module: "x", function: "y" }] }), // unrelated
        buildTransaction({ events: [buildEvent({ packageId: OTHER, type: `${V2}::pool::Swapped` })] }), // event type from v2
        buildTransaction({ events: [buildEvent({ packageId: ORIGINAL, type: `${OTHER}::e::E` })] }), // emitted by it
        typed(`${addr(2)}::dynamic_field::Field<u64,${V2}::order::Order>`), // type argument from v2
        deletedTyped(`${ORIGINAL}::pool::Pool`), // deleted object of its type
        typed(`${OTHER}::x::X`), // unrelated object
        upgrade(V3, 3n), // publishes v3 of it
        buildTransaction({ moveCalls: [{ package: V3, module: "pool", function: "swap" }] }), // v3 learned above
      ],
    });
    expect(filter.select(checkpoint)).toEqual([true, false, true, true, true, true, false, true, true]);
    expect(filter.originalOf(V3)).toBe(ORIGINAL);
    expect(filter.originalOf(OTHER)).toBe(OTHER);
  });

  it("does not know an upgrade it has never seen", () => {
    const filter = createPackageFilter([ORIGINAL]);
    const checkpoint = buildCheckpoint(1n, { transactions: [buildTransaction({ moveCalls: [{ package: V2, module: "m", function: "f" }] })] });
    expect(filter.select(checkpoint)).toEqual([false]);
  });
});
