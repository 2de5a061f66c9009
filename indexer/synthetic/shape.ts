/**
 * The shape of synthetic checkpoints. The defaults reproduce the real fixtures'
 * averages (23 mainnet/testnet checkpoints, 246 transactions): 10.7 transactions per
 * checkpoint of which 35% system transactions, 12.5 KiB per transaction in `.chk` form,
 * a programmable transaction reading 8.9 and writing 7.7 objects (mostly shared objects and
 * the dynamic fields under them, plus the gas coin), 4 events of ~126 bytes and 5 Move calls.
 */
export interface SyntheticShape {
  /** Transactions per checkpoint, system transactions included. */
  transactionsPerCheckpoint: number;
  /** Consensus commit prologues and randomness updates per checkpoint. */
  systemTransactionsPerCheckpoint: number;
  /** Shared objects (pools) each programmable transaction mutates. */
  sharedObjectsPerTransaction: number;
  /** Object-owned objects (dynamic fields under the pools) mutated per transaction. */
  childObjectsPerTransaction: number;
  /** Objects created per transaction (new coins for the sender, new dynamic fields). */
  createdObjectsPerTransaction: number;
  /** Objects deleted per transaction (filled orders, merged coins). */
  deletedObjectsPerTransaction: number;
  eventsPerTransaction: number;
  eventContentBytes: number;
  moveCallsPerTransaction: number;
  /** Mean Move contents size of non-coin objects (pools are larger, children smaller). */
  objectContentBytes: number;
  /** Distinct senders; activity is skewed towards a few of them. */
  senders: number;
  /** Distinct shared objects that transactions contend on. */
  sharedObjects: number;
  /** Distinct packages that Move calls, types and events come from. */
  packages: number;
  epoch: bigint;
}

export const DEFAULT_SHAPE: SyntheticShape = {
  transactionsPerCheckpoint: 10,
  systemTransactionsPerCheckpoint: 3,
  sharedObjectsPerTransaction: 2,
  childObjectsPerTransaction: 4,
  createdObjectsPerTransaction: 1,
  deletedObjectsPerTransaction: 3,
  eventsPerTransaction: 4,
  eventContentBytes: 126,
  moveCallsPerTransaction: 5,
  objectContentBytes: 690,
  senders: 2000,
  sharedObjects: 64,
  packages: 6,
  epoch: 1000n,
};
