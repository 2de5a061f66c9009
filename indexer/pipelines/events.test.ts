import { describe, expect, it } from "vitest";
import { eventsPipeline } from "./events.ts";
import { addr, buildCheckpoint, buildEvent, buildTransaction } from "./test-builders.ts";

describe("events pipeline", () => {
  it("numbers events within their transaction and copies package, module, type, sender, contents", () => {
    const checkpoint = buildCheckpoint(5n, {
      txBefore: 10n,
      transactions: [
        buildTransaction({ events: [buildEvent({ module: "a" }), buildEvent({ module: "b", sender: addr(0xb0b) })] }),
        buildTransaction(),
        buildTransaction({ events: [buildEvent({ type: `${addr(0xabc)}::thing::Other<${addr(2)}::sui::SUI>` })] }),
      ],
    });
    const rows = eventsPipeline.process(checkpoint, null);
    expect(rows.map((r) => [r.txSequenceNumber, r.eventIndex, r.module])).toEqual([
      [10n, 0, "a"],
      [10n, 1, "b"],
      [12n, 0, "thing"],
    ]);
    expect(rows[1]).toMatchObject({ sender: addr(0xb0b), package: addr(0xabc), checkpoint: 5n, timestampMs: checkpoint.timestampMs });
    expect(rows[2]?.type).toBe(`${addr(0xabc)}::thing::Other<${addr(2)}::sui::SUI>`);
    expect(Array.from(rows[0]!.contents)).toEqual([1, 2, 3]);
    expect(eventsPipeline.process(checkpoint, [false, true, true]).map((r) => r.txSequenceNumber)).toEqual([12n]);
  });
});
