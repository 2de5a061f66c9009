import { describe, expect, it } from "vitest";
import type { ChangedObject } from "../model.ts";
import { balanceChangesPipeline, balanceCoinType } from "./balance-changes.ts";
import { addr, buildCheckpoint, buildCoin, buildTransaction, change, SUI } from "./test-builders.ts";

const ALICE = addr(0xa11ce);
const BOB = addr(0xb0b);
const USDC = `${addr(0xdba)}::usdc::USDC`;
const owned = (address: string) => ({ kind: "address" as const, address });

function accumulatorWrite(address: string, type: string, operation: "merge" | "split", amount: bigint | null): ChangedObject {
  return {
    ...change("mutated", null, null, addr(0xacc)),
    accumulatorWrite: { address, type, operation, amount },
  };
}

describe("balance_changes pipeline", () => {
  it("sums coin outputs minus inputs per owner and coin type, leaving out zero changes", () => {
    const gasIn = buildCoin(addr(1), 1n, owned(ALICE), 1_000n);
    const gasOut = buildCoin(addr(1), 9n, owned(ALICE), 900n);
    const usdcIn = buildCoin(addr(2), 1n, owned(ALICE), 50n, USDC);
    const usdcOutAlice = buildCoin(addr(2), 9n, owned(ALICE), 20n, USDC);
    const usdcOutBob = buildCoin(addr(3), 9n, owned(BOB), 30n, USDC);
    // An unchanged balance (a coin merely moved between owners of the same address) nets to zero.
    const movedIn = buildCoin(addr(4), 1n, { kind: "consensusAddress", address: BOB, startVersion: 1n }, 7n);
    const movedOut = buildCoin(addr(4), 9n, owned(BOB), 7n);
    // Coins owned by objects (e.g. inside a dynamic field) are not an address's balance.
    const wrappedOut = buildCoin(addr(5), 9n, { kind: "object", address: addr(0x99) }, 1_000_000n);
    const tx = buildTransaction({
      inputObjects: [gasIn, usdcIn, movedIn],
      outputObjects: [gasOut, usdcOutAlice, usdcOutBob, movedOut, wrappedOut],
    });
    const rows = balanceChangesPipeline.process(buildCheckpoint(3n, { txBefore: 7n, transactions: [tx] }), null);
    expect(rows.map((r) => [r.owner, r.coinType, r.source, r.amount])).toEqual([
      [ALICE, SUI, "coin", -100n],
      [ALICE, USDC, "coin", -30n],
      [BOB, USDC, "coin", 30n],
    ]);
    expect(rows.every((r) => r.txSequenceNumber === 7n && r.checkpoint === 3n)).toBe(true);
  });

  it("turns Balance<T> accumulator writes into address_balance rows (merge +, split -)", () => {
    const balance = (t: string) => `${addr(2)}::balance::Balance<${t}>`;
    const tx = buildTransaction({
      changedObjects: [
        accumulatorWrite(ALICE, balance(SUI), "split", 2n ** 100n),
        accumulatorWrite(BOB, balance(SUI), "merge", 2n ** 100n),
        accumulatorWrite(BOB, balance(USDC), "merge", 3n),
        accumulatorWrite(BOB, balance(USDC), "split", 3n),
        accumulatorWrite(BOB, `${addr(0xabc)}::counter::Counter`, "merge", 9n),
        accumulatorWrite(BOB, balance(SUI), "merge", null),
      ],
    });
    const rows = balanceChangesPipeline.process(buildCheckpoint(1n, { txBefore: 0n, transactions: [tx] }), null);
    expect(rows.map((r) => [r.owner, r.coinType, r.source, r.amount])).toEqual([
      [ALICE, SUI, "address_balance", -(2n ** 100n)],
      [BOB, SUI, "address_balance", 2n ** 100n],
    ]);
  });

  it("parses only 0x2::balance::Balance<T>", () => {
    expect(balanceCoinType(`${addr(2)}::balance::Balance<${USDC}>`)).toBe(USDC);
    expect(balanceCoinType(`${addr(3)}::balance::Balance<${USDC}>`)).toBeNull();
  });
});
