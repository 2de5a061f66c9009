import { firstTxSequenceNumber, type CheckpointModel, type ObjectModel, type TransactionModel } from "../model.ts";
import type { BalanceChangeRow, Pipeline, TransactionSelection } from "./types.ts";

const SUI_FRAMEWORK = "0x0000000000000000000000000000000000000000000000000000000000000002";
const BALANCE_PREFIX = `${SUI_FRAMEWORK}::balance::Balance<`;

/**
 * Balance changes per (transaction, owner, coin type):
 * - `coin`: for Coin<T> objects owned by an address (or consensus address), the sum of the
 *   output balances minus the sum of the input balances; zero changes are left out.
 * - `address_balance`: the effects' accumulator writes to `Balance<T>` (merge adds, split
 *   subtracts), summed per owner and T; zero sums are left out.
 *
 * @example
 * const rows = balanceChangesPipeline.process(checkpoint, null);
 */
export const balanceChangesPipeline: Pipeline<"balance_changes"> = {
  name: "balance_changes",
  process(checkpoint: CheckpointModel, selection: TransactionSelection): BalanceChangeRow[] {
    const first = firstTxSequenceNumber(checkpoint);
    const rows: BalanceChangeRow[] = [];
    checkpoint.transactions.forEach((tx, index) => {
      if (selection && !selection[index]) return;
      const txSequenceNumber = first + BigInt(index);
      const push = (source: "coin" | "address_balance", sums: Map<string, Sum>) => {
        for (const { owner, coinType, amount } of sums.values()) {
          if (amount === 0n) continue;
          rows.push({ txSequenceNumber, owner, coinType, source, amount, checkpoint: checkpoint.sequenceNumber });
        }
      };
      push("coin", coinChanges(tx));
      push("address_balance", addressBalanceChanges(tx));
    });
    return rows;
  },
};

interface Sum {
  owner: string;
  coinType: string;
  amount: bigint;
}

function add(sums: Map<string, Sum>, owner: string, coinType: string, amount: bigint): void {
  const key = `${owner}|${coinType}`;
  const sum = sums.get(key);
  if (sum) sum.amount += amount;
  else sums.set(key, { owner, coinType, amount });
}

function addressOf(object: ObjectModel): string | null {
  const owner = object.owner;
  return owner.kind === "address" || owner.kind === "consensusAddress" ? owner.address : null;
}

function coinChanges(tx: TransactionModel): Map<string, Sum> {
  const sums = new Map<string, Sum>();
  for (const [objects, sign] of [
    [tx.inputObjects, -1n],
    [tx.outputObjects, 1n],
  ] as const) {
    for (const object of objects) {
      if (object.coinType === null || object.coinBalance === null) continue;
      const owner = addressOf(object);
      if (owner !== null) add(sums, owner, object.coinType, sign * object.coinBalance);
    }
  }
  return sums;
}

function addressBalanceChanges(tx: TransactionModel): Map<string, Sum> {
  const sums = new Map<string, Sum>();
  for (const change of tx.changedObjects) {
    const write = change.accumulatorWrite;
    if (!write || write.amount === null) continue;
    const coinType = balanceCoinType(write.type);
    if (coinType === null) continue;
    add(sums, write.address, coinType, write.operation === "merge" ? write.amount : -write.amount);
  }
  return sums;
}

/**
 * `0x…2::balance::Balance<T>` -> T; null for any other accumulated type.
 *
 * @example
 * balanceCoinType(`${SUI_FRAMEWORK}::balance::Balance<${usdc}>`); // usdc
 */
export function balanceCoinType(type: string): string | null {
  return type.startsWith(BALANCE_PREFIX) && type.endsWith(">") ? type.slice(BALANCE_PREFIX.length, -1) : null;
}
