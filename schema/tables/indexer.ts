/**
 * The indexer's tables. Conventions: snake_case; u64 sequence numbers, versions and gas as
 * `bigint`; i128 amounts as `numeric`; digests and BCS as `bytea`; Sui addresses, object
 * ids and Move types as text in canonical `0x` + 64 hex form.
 *
 * Global order: a transaction's `tx_sequence_number` is its position in the whole chain
 * (checkpoint's network_total_transactions - transactions in it + index in it).
 *
 * Citus: the tables keyed by transaction distribute on `tx_sequence_number`
 * (transactions, tx_calls, events, balance_changes), the object tables on `object_id`
 * (object_versions, objects); checkpoints, packages and watermarks are small reference
 * tables. A distributed table's unique constraints must include its distribution key, so
 * `transactions_digest_key` would become a lookup table (digest -> tx_sequence_number).
 *
 * Indexes are only those the API queries need; every one costs ingest throughput.
 */
import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { amount, bytea, u64 } from "../columns.ts";

/** One row per checkpoint. Transactions of a checkpoint: tx_lo <= tx_sequence_number < tx_lo + tx_count. */
export const checkpoints = pgTable(
  "checkpoints",
  {
    sequenceNumber: u64("sequence_number").primaryKey(),
    epoch: u64("epoch").notNull(),
    timestampMs: u64("timestamp_ms").notNull(),
    digest: bytea("digest").notNull(),
    previousDigest: bytea("previous_digest"),
    contentDigest: bytea("content_digest").notNull(),
    networkTotalTransactions: u64("network_total_transactions").notNull(),
    /** Global sequence number of the checkpoint's first transaction. */
    txLo: u64("tx_lo").notNull(),
    txCount: integer("tx_count").notNull(),
    endOfEpoch: boolean("end_of_epoch").notNull(),
    /** `CheckpointSummary` BCS exactly as signed, with its quorum signature: auditors re-check them. */
    summaryBcs: bytea("summary_bcs").notNull(),
    validatorSignature: bytea("validator_signature").notNull(),
    signersMap: bytea("signers_map").notNull(),
  },
  // API: a checkpoint by digest (not unique: synthetic test checkpoints may repeat digests).
  (t) => [index("checkpoints_digest_idx").on(t.digest)],
);

/** Distribution key: tx_sequence_number. */
export const transactions = pgTable(
  "transactions",
  {
    txSequenceNumber: u64("tx_sequence_number").primaryKey(),
    digest: bytea("digest").notNull(),
    checkpoint: u64("checkpoint").notNull(),
    timestampMs: u64("timestamp_ms").notNull(),
    sender: text("sender").notNull(),
    kind: text("kind").notNull(),
    success: boolean("success").notNull(),
    error: text("error"),
    gasOwner: text("gas_owner").notNull(),
    gasPrice: u64("gas_price").notNull(),
    gasBudget: u64("gas_budget").notNull(),
    computationCost: u64("computation_cost").notNull(),
    storageCost: u64("storage_cost").notNull(),
    storageRebate: u64("storage_rebate").notNull(),
    nonRefundableStorageFee: u64("non_refundable_storage_fee").notNull(),
  },
  (t) => [
    uniqueIndex("transactions_digest_key").on(t.digest),
    // Transactions by sender, newest first, paged by sequence number.
    index("transactions_sender_idx").on(t.sender, t.txSequenceNumber),
    // By checkpoint: no index, the checkpoint's [tx_lo, tx_lo + tx_count) range scans the key.
  ],
);

/**
 * Move calls of a transaction, one row per distinct (package, module, function): serves
 * "transactions that called package P" in sequence order. `package` is the id written in
 * the call (a storage id); the packages table maps it to the original id.
 * Distribution key: tx_sequence_number.
 */
export const txCalls = pgTable(
  "tx_calls",
  {
    package: text("package").notNull(),
    txSequenceNumber: u64("tx_sequence_number").notNull(),
    module: text("module").notNull(),
    function: text("function").notNull(),
    checkpoint: u64("checkpoint").notNull(),
  },
  (t) => [primaryKey({ name: "tx_calls_pkey", columns: [t.package, t.txSequenceNumber, t.module, t.function] })],
);

/**
 * Events. `package`/`module` are the emitting module (the package as called); `type` is
 * the event struct type with its defining package id. Distribution key: tx_sequence_number.
 */
export const events = pgTable(
  "events",
  {
    txSequenceNumber: u64("tx_sequence_number").notNull(),
    eventIndex: integer("event_index").notNull(),
    checkpoint: u64("checkpoint").notNull(),
    timestampMs: u64("timestamp_ms").notNull(),
    package: text("package").notNull(),
    module: text("module").notNull(),
    type: text("type").notNull(),
    sender: text("sender").notNull(),
    contents: bytea("contents").notNull(),
  },
  (t) => [
    primaryKey({ name: "events_pkey", columns: [t.txSequenceNumber, t.eventIndex] }),
    // By emitting package, or package + module.
    index("events_module_idx").on(t.package, t.module, t.txSequenceNumber, t.eventIndex),
    // By type: exact, or a prefix (`0x…::module::`), hence text_pattern_ops.
    index("events_type_idx").using("btree", t.type.op("text_pattern_ops"), t.txSequenceNumber, t.eventIndex),
    index("events_sender_idx").on(t.sender, t.txSequenceNumber, t.eventIndex),
  ],
);

/**
 * Every object version written (or deleted / wrapped) by a transaction, from the effects'
 * changed objects. Deleted and wrapped rows carry the transaction's lamport version and no
 * digest or owner; their type is the input object's. Distribution key: object_id.
 */
export const objectVersions = pgTable(
  "object_versions",
  {
    objectId: text("object_id").notNull(),
    version: u64("version").notNull(),
    digest: bytea("digest"),
    changeKind: text("change_kind").notNull(),
    ownerKind: text("owner_kind"),
    ownerAddress: text("owner_address"),
    initialSharedVersion: u64("initial_shared_version"),
    type: text("type"),
    checkpoint: u64("checkpoint").notNull(),
    txSequenceNumber: u64("tx_sequence_number").notNull(),
  },
  (t) => [
    primaryKey({ name: "object_versions_pkey", columns: [t.objectId, t.version] }),
    // API: live objects of an owner / of a type as of a checkpoint. Candidates stream in
    // object id order (type, then id), and each is checked against its latest version at
    // or below the checkpoint on the primary key.
    index("object_versions_owner_idx").on(t.ownerAddress, t.objectId).where(sql`${t.ownerAddress} IS NOT NULL`),
    index("object_versions_type_idx")
      .using("btree", t.type.op("text_pattern_ops"), t.objectId)
      .where(sql`${t.type} IS NOT NULL`),
    // Settler: the change stream in its order (checkpoint, transaction, object id in byte
    // order, whatever the database's collation), read from a cursor with a keyset. Keys
    // only grow, so inserts append at the right edge of the btree.
    index("object_versions_stream_idx").on(t.checkpoint, t.txSequenceNumber, sql`${t.objectId} COLLATE "C"`),
  ],
);

/** Live objects: the latest version of every object that exists now. Distribution key: object_id. */
export const objects = pgTable(
  "objects",
  {
    objectId: text("object_id").primaryKey(),
    version: u64("version").notNull(),
    digest: bytea("digest").notNull(),
    ownerKind: text("owner_kind").notNull(),
    ownerAddress: text("owner_address"),
    initialSharedVersion: u64("initial_shared_version"),
    type: text("type"),
    checkpoint: u64("checkpoint").notNull(),
    txSequenceNumber: u64("tx_sequence_number").notNull(),
  },
  (t) => [
    index("objects_owner_idx").on(t.ownerAddress, t.objectId).where(sql`${t.ownerAddress} IS NOT NULL`),
    index("objects_type_idx").using("btree", t.type.op("text_pattern_ops"), t.objectId),
  ],
);

/**
 * Balance changes per transaction, owner and coin type: `coin` rows from Coin<T> objects
 * (outputs minus inputs), `address_balance` rows from the effects' accumulator writes.
 * Distribution key: tx_sequence_number.
 */
export const balanceChanges = pgTable(
  "balance_changes",
  {
    txSequenceNumber: u64("tx_sequence_number").notNull(),
    owner: text("owner").notNull(),
    coinType: text("coin_type").notNull(),
    /** `coin` or `address_balance`. */
    source: text("source").notNull(),
    amount: amount("amount").notNull(),
    checkpoint: u64("checkpoint").notNull(),
  },
  (t) => [
    primaryKey({ name: "balance_changes_pkey", columns: [t.txSequenceNumber, t.owner, t.coinType, t.source] }),
    // An owner's changes of one coin, newest first, in the API's exact order (the key): no
    // sort however many rows the owner has, whatever plan a prepared statement gets.
    index("balance_changes_owner_coin_idx").on(t.owner, t.coinType, t.txSequenceNumber, t.source),
  ],
);

/**
 * Every package version published or upgraded (system packages are upgraded in place,
 * hence the version in the key). Filter by `original_id` to match every upgrade.
 */
export const packages = pgTable(
  "packages",
  {
    storageId: text("storage_id").notNull(),
    version: u64("version").notNull(),
    originalId: text("original_id").notNull(),
    checkpoint: u64("checkpoint").notNull(),
    txSequenceNumber: u64("tx_sequence_number").notNull(),
  },
  (t) => [
    primaryKey({ name: "packages_pkey", columns: [t.storageId, t.version] }),
    index("packages_original_idx").on(t.originalId, t.version),
  ],
);

/**
 * One row per pipeline: everything up to and including `checkpoint_hi_inclusive` is
 * committed. `tx_hi` is exclusive (the network's total transactions at that checkpoint).
 */
export const watermarks = pgTable("watermarks", {
  pipeline: text("pipeline").primaryKey(),
  epochHi: u64("epoch_hi").notNull(),
  checkpointHiInclusive: u64("checkpoint_hi_inclusive").notNull(),
  txHi: u64("tx_hi").notNull(),
  timestampMsHi: u64("timestamp_ms_hi").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
});
