/**
 * The settler's tables: its configuration, the batches it plans, proves and posts, and
 * the indexed Merkle tree (DESIGN.md, "Settlement") persisted with every node and leaf
 * versioned by the batch that wrote it.
 *
 * Versioning: a row (level, index, batch) is the node's hash after batch `batch`; the
 * tree as of batch b is, per position, the row with the largest batch <= b. So proofs can
 * run ahead of the chain (batches b+1.. are written while b is the last confirmed), the
 * API reads the tree as of the last confirmed batch, and a rejected batch k is undone by
 * deleting every row with batch >= k. Batch 0 is the genesis tree (the sentinel leaf).
 *
 * Field elements (keys, values, hashes, roots, commitments) are `bytea` of exactly 32
 * bytes, big-endian: the byte order is then the numeric order, so the sorted key list is a
 * plain btree on `key` ("largest key < k" is one backward index step), rows stay at 33
 * bytes where `numeric` takes about 45 and compares slower, and conversion to and from a
 * JS bigint is a hex round trip. Cursors are `numeric(20)`: they are u64 and a Postgres
 * bigint stops at 2^63 (checkpoint 2^31).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { bytea, u64 } from "../columns.ts";

/** A u64 stream cursor (checkpoint * 2^32 + offset) as a JS bigint. */
function cursor(name: string) {
  return numeric(name, { precision: 20, scale: 0, mode: "bigint" });
}

/** Leaf positions: < 2^depth, depth at most 62 for a persisted tree. */
function leafIndex(name: string) {
  return bigint(name, { mode: "bigint" });
}

function createdAt() {
  return timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow();
}

function at(name: string) {
  return timestamp(name, { withTimezone: true, mode: "string" });
}

/**
 * The settlement's configuration, one row (id = 1): what is tracked and how batches are
 * cut. `tracking_config` is the canonical JSON whose blake2b-256 (`tracking_config_hash`)
 * the registry stores; `registry_id` / `package_id` are set by `settle init`.
 */
export const settlementConfig = pgTable(
  "settlement_config",
  {
    id: smallint("id").primaryKey().default(1),
    trackingConfig: text("tracking_config").notNull(),
    trackingConfigHash: bytea("tracking_config_hash").notNull(),
    depth: integer("depth").notNull(),
    /** B: slots per batch (the circuit's parameter). */
    batchSize: integer("batch_size").notNull(),
    /** Most checkpoints one batch may advance the cursor by (the registry's max_span). */
    maxSpan: u64("max_span").notNull(),
    startCursor: cursor("start_cursor").notNull(),
    registryId: text("registry_id"),
    packageId: text("package_id"),
    /** Versions superseded at or below this batch have been deleted. */
    prunedThrough: u64("pruned_through").notNull().default(sql`0`),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("settlement_config_singleton", sql`${t.id} = 1`),
    check("settlement_config_depth", sql`${t.depth} BETWEEN 1 AND 62`),
    check("settlement_config_batch_size", sql`${t.batchSize} >= 1`),
    check("settlement_config_max_span", sql`${t.maxSpan} >= 1`),
  ],
);

/**
 * Settlement batches. `batch` is the batch number (1, 2, …; the registry's batch count
 * after it is confirmed). A batch moves through
 *   planned -> proved -> signed -> posted -> confirmed
 * and may end `failed` (rejected for good, or rolled back behind a rejected batch); a
 * failed batch number is planned again, hence the surrogate `id` and the uniqueness of
 * `batch` among rows that are not failed.
 */
export const settlementBatches = pgTable(
  "settlement_batches",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    batch: u64("batch").notNull(),
    state: text("state", { enum: ["planned", "proved", "signed", "posted", "confirmed", "failed"] }).notNull(),
    fromCursor: cursor("from_cursor").notNull(),
    toCursor: cursor("to_cursor").notNull(),
    oldRoot: bytea("old_root").notNull(),
    newRoot: bytea("new_root").notNull(),
    oldNextIndex: leafIndex("old_next_index").notNull(),
    newNextIndex: leafIndex("new_next_index").notNull(),
    commitment: bytea("commitment").notNull(),
    /** Rows of the change stream in [from, to): before filtering and coalescing. */
    changes: integer("changes").notNull(),
    /** Distinct objects among them (after coalescing, before skipping). */
    distinctKeys: integer("distinct_keys").notNull(),
    inserts: integer("inserts").notNull(),
    updates: integer("updates").notNull(),
    /** Keys that stayed absent (final value 0, not in the tree): no operation. */
    skipped: integer("skipped").notNull(),
    /** The circuit input (toCircuitInputJson), kept until the batch is confirmed. */
    circuitInput: text("circuit_input"),
    /** A || B || C in Sui's arkworks compressed form (128 bytes). */
    proof: bytea("proof"),
    /** The seven public inputs as 32-byte little-endian scalars (224 bytes). */
    publicInputs: bytea("public_inputs"),
    provingMs: integer("proving_ms"),
    /** Which prover made the proof (thread or queue worker). */
    prover: text("prover"),
    /** The poster's signed transaction: exactly what is (re)sent after a crash. */
    txBytes: bytea("tx_bytes"),
    /** Serialized signature(s) of txBytes, base64, as Sui's executeTransaction takes them. */
    txSignatures: text("tx_signatures").array(),
    /** Transaction digest (base58), known once signed. */
    txDigest: text("tx_digest"),
    /** Submissions tried (the poster's count). */
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    createdAt: createdAt(),
    provedAt: at("proved_at"),
    signedAt: at("signed_at"),
    postedAt: at("posted_at"),
    confirmedAt: at("confirmed_at"),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("settlement_batches_batch_key").on(t.batch).where(sql`${t.state} <> 'failed'`),
    // The API lists batches by number, failed attempts included.
    index("settlement_batches_batch_idx").on(t.batch, t.id),
    check(
      "settlement_batches_state",
      sql`${t.state} IN ('planned', 'proved', 'signed', 'posted', 'confirmed', 'failed')`,
    ),
  ],
);

/**
 * Tree nodes by version: level 0 holds leaf hashes, level depth the root. An absent
 * position is an empty subtree (its zero hash). BRIN on batch: rows arrive in batch order,
 * so rollback and pruning find a batch's rows for almost no write cost.
 */
export const treeNodes = pgTable(
  "tree_nodes",
  {
    level: smallint("level").notNull(),
    index: leafIndex("index").notNull(),
    batch: u64("batch").notNull(),
    hash: bytea("hash").notNull(),
  },
  (t) => [
    primaryKey({ name: "tree_nodes_pkey", columns: [t.level, t.index, t.batch] }),
    index("tree_nodes_batch_brin").using("brin", t.batch),
  ],
);

/**
 * Tree leaves by version. A leaf's key never changes once written, so the sorted key list
 * is the btree on (key, batch): a key's leaf, and its low leaf (largest key below it), as
 * of batch b are one index probe each.
 */
export const treeLeaves = pgTable(
  "tree_leaves",
  {
    index: leafIndex("index").notNull(),
    batch: u64("batch").notNull(),
    key: bytea("key").notNull(),
    value: bytea("value").notNull(),
    nextKey: bytea("next_key").notNull(),
    nextIndex: leafIndex("next_index").notNull(),
  },
  (t) => [
    primaryKey({ name: "tree_leaves_pkey", columns: [t.index, t.batch] }),
    index("tree_leaves_key_idx").on(t.key, t.batch),
    index("tree_leaves_batch_brin").using("brin", t.batch),
  ],
);
