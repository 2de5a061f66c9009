import { describe, expect, it } from "vitest";
import { checkpointsPipeline } from "./checkpoints.ts";
import { transactionsPipeline } from "./transactions.ts";
import { addr, buildCheckpoint, buildTransaction, digestOf } from "./test-builders.ts";

describe("checkpoints and transactions pipelines", () => {
  const checkpoint = buildCheckpoint(42n, {
    txBefore: 1000n,
    transactions: [
      buildTransaction({ digest: digestOf(1), kind: "ConsensusCommitPrologueV3", sender: addr(0) }),
      buildTransaction({
        digest: digestOf(2),
        status: { success: false, error: "MoveAbort in 1st command" },
        moveCalls: [
          { package: addr(0xd), module: "pool", function: "swap" },
          { package: addr(0xd), module: "pool", function: "swap" },
          { package: addr(0xd), module: "pool", function: "place" },
          { package: addr(2), module: "coin", function: "split" },
        ],
      }),
    ],
  });

  it("numbers transactions globally from network_total_transactions", () => {
    const [cp] = checkpointsPipeline.process(checkpoint, null);
    expect(cp).toMatchObject({ sequenceNumber: 42n, txLo: 1000n, txCount: 2, networkTotalTransactions: 1002n });
    const { transactions } = transactionsPipeline.process(checkpoint, null);
    expect(transactions.map((t) => [t.txSequenceNumber, t.digest[0], t.kind])).toEqual([
      [1000n, 1, "ConsensusCommitPrologueV3"],
      [1001n, 2, "ProgrammableTransaction"],
    ]);
    expect(transactions[0]).toMatchObject({ success: true, error: null, checkpoint: 42n, timestampMs: checkpoint.timestampMs });
    expect(transactions[1]).toMatchObject({ success: false, error: "MoveAbort in 1st command", gasPrice: 750n });
  });

  it("keeps one call row per distinct target of a transaction", () => {
    const { calls } = transactionsPipeline.process(checkpoint, null);
    expect(calls.map((c) => [c.txSequenceNumber, c.package, c.module, c.function])).toEqual([
      [1001n, addr(0xd), "pool", "swap"],
      [1001n, addr(0xd), "pool", "place"],
      [1001n, addr(2), "coin", "split"],
    ]);
  });

  it("skips unselected transactions but keeps their sequence numbers", () => {
    const { transactions, calls } = transactionsPipeline.process(checkpoint, [false, true]);
    expect(transactions.map((t) => t.txSequenceNumber)).toEqual([1001n]);
    expect(calls).toHaveLength(3);
    expect(transactionsPipeline.process(checkpoint, [true, false]).calls).toEqual([]);
  });
});
