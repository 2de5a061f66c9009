/**
 * The settlement_batches rows and their state machine. Every transition is a
 * compare-and-set on the current state, so two processes (or a process and its restarted
 * self) can never move one batch twice:
 *
 *   planned --markProved--> proved --markSigned--> signed --markPosted--> posted
 *   signed | posted --markConfirmed--> confirmed
 *   posted --markPosted--> posted            (a resend of the stored bytes: attempts + 1)
 *   planned | proved | signed | posted --markFailed--> failed
 *
 * A failed batch number is planned again after the pipeline rolls back (rollback.ts).
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database, SqlTransaction, SqlValue } from "../../schema/db.ts";
import { bytesToField, fieldToBytes } from "../store/field-bytes.ts";

export const BATCH_STATES = ["planned", "proved", "signed", "posted", "confirmed", "failed"] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export interface BatchRecord {
  /** Row id: failed attempts keep their rows, so a batch number may have several. */
  id: bigint;
  batch: bigint;
  state: BatchState;
  fromCursor: bigint;
  toCursor: bigint;
  oldRoot: bigint;
  newRoot: bigint;
  oldNextIndex: bigint;
  newNextIndex: bigint;
  commitment: bigint;
  changes: number;
  distinctKeys: number;
  inserts: number;
  updates: number;
  skipped: number;
  proof: Uint8Array | null;
  publicInputs: Uint8Array | null;
  provingMs: number | null;
  prover: string | null;
  txBytes: Uint8Array | null;
  txSignatures: string[] | null;
  txDigest: string | null;
  attempts: number;
  error: string | null;
  createdAt: string;
  provedAt: string | null;
  signedAt: string | null;
  postedAt: string | null;
  confirmedAt: string | null;
}

/** What the planner writes for a new batch. */
export interface PlannedBatch {
  batch: bigint;
  fromCursor: bigint;
  toCursor: bigint;
  oldRoot: bigint;
  newRoot: bigint;
  oldNextIndex: bigint;
  newNextIndex: bigint;
  commitment: bigint;
  changes: number;
  distinctKeys: number;
  inserts: number;
  updates: number;
  skipped: number;
  circuitInput: string;
}

export interface ProvedFields {
  proof: Uint8Array;
  publicInputs: Uint8Array;
  provingMs: number;
  prover: string;
}

export interface SignedFields {
  txBytes: Uint8Array;
  txSignatures: string[];
  txDigest: string;
}

export interface ListBatchesOptions {
  states?: readonly BatchState[];
  /** Only batches numbered above this. */
  afterBatch?: bigint;
  limit?: number;
}

export interface BatchRepository {
  /** The batch's live row (not failed), or null. */
  get(batch: bigint): Promise<BatchRecord | null>;
  /** Live rows in batch order. */
  list(options?: ListBatchesOptions): Promise<BatchRecord[]>;
  /** The highest live batch: the tree's head. */
  head(): Promise<BatchRecord | null>;
  /** The highest confirmed batch: the settled root. */
  lastConfirmed(): Promise<BatchRecord | null>;
  /** The lowest live batch that is not confirmed: the next the poster handles. */
  nextUnconfirmed(): Promise<BatchRecord | null>;
  /** Live batches per state. */
  countByState(): Promise<Record<BatchState, number>>;
  /** The circuit input of a batch that still has one. */
  circuitInput(batch: bigint): Promise<string | null>;
  insertPlanned(tx: SqlTransaction, planned: PlannedBatch): Promise<void>;
  markProved(batch: bigint, fields: ProvedFields): Promise<BatchRecord>;
  markSigned(batch: bigint, fields: SignedFields): Promise<BatchRecord>;
  markPosted(batch: bigint): Promise<BatchRecord>;
  markConfirmed(batch: bigint): Promise<BatchRecord>;
  markFailed(batch: bigint, error: string): Promise<BatchRecord>;
  /** Records a transient error (kept for `settle status`) without changing the state. */
  noteError(batch: bigint, error: string): Promise<void>;
}

/** A settlement_batches row as BATCH_COLUMNS selects it. */
export interface BatchRow extends Record<string, unknown> {
  id: bigint;
  batch: bigint;
  state: BatchState;
  from_cursor: string | bigint;
  to_cursor: string | bigint;
  old_root: Uint8Array;
  new_root: Uint8Array;
  old_next_index: bigint;
  new_next_index: bigint;
  commitment: Uint8Array;
  changes: number;
  distinct_keys: number;
  inserts: number;
  updates: number;
  skipped: number;
  proof: Uint8Array | null;
  public_inputs: Uint8Array | null;
  proving_ms: number | null;
  prover: string | null;
  tx_bytes: Uint8Array | null;
  tx_signatures: string[] | null;
  tx_digest: string | null;
  attempts: number;
  error: string | null;
  created_at: unknown;
  proved_at: unknown;
  signed_at: unknown;
  posted_at: unknown;
  confirmed_at: unknown;
}

/** Every column but the circuit input (large, read on its own). */
export const BATCH_COLUMNS = `id, batch, state, from_cursor::text AS from_cursor, to_cursor::text AS to_cursor, old_root,
  new_root, old_next_index, new_next_index, commitment, changes, distinct_keys, inserts, updates, skipped, proof,
  public_inputs, proving_ms, prover, tx_bytes, tx_signatures, tx_digest, attempts, error, created_at, proved_at,
  signed_at, posted_at, confirmed_at`;

/**
 * Turns a raw settlement_batches row (BATCH_COLUMNS) into a record.
 *
 * @example
 * const [row] = await database.query<BatchRow>(`SELECT ${BATCH_COLUMNS} FROM settlement_batches LIMIT 1`);
 * const batch = toBatchRecord(row);
 */
export function toBatchRecord(row: BatchRow): BatchRecord {
  return {
    id: BigInt(row.id),
    batch: BigInt(row.batch),
    state: row.state,
    fromCursor: BigInt(row.from_cursor),
    toCursor: BigInt(row.to_cursor),
    oldRoot: bytesToField(row.old_root),
    newRoot: bytesToField(row.new_root),
    oldNextIndex: BigInt(row.old_next_index),
    newNextIndex: BigInt(row.new_next_index),
    commitment: bytesToField(row.commitment),
    changes: Number(row.changes),
    distinctKeys: Number(row.distinct_keys),
    inserts: Number(row.inserts),
    updates: Number(row.updates),
    skipped: Number(row.skipped),
    proof: row.proof,
    publicInputs: row.public_inputs,
    provingMs: row.proving_ms === null ? null : Number(row.proving_ms),
    prover: row.prover,
    txBytes: row.tx_bytes,
    txSignatures: row.tx_signatures,
    txDigest: row.tx_digest,
    attempts: Number(row.attempts),
    error: row.error,
    createdAt: iso(row.created_at)!,
    provedAt: iso(row.proved_at),
    signedAt: iso(row.signed_at),
    postedAt: iso(row.posted_at),
    confirmedAt: iso(row.confirmed_at),
  };
}

/**
 * @example
 * const batches = createBatchRepository(database);
 * const next = await batches.nextUnconfirmed();
 */
export function createBatchRepository(database: Pick<Database, "query">): BatchRepository {
  const one = async (text: string, params: SqlValue[]): Promise<BatchRecord | null> => {
    const [row] = await database.query<BatchRow>(text, params);
    return row ? toBatchRecord(row) : null;
  };

  const transition = async (
    batch: bigint,
    to: BatchState,
    from: readonly BatchState[],
    set: string,
    params: SqlValue[],
  ): Promise<BatchRecord> => {
    const updated = await one(
      `UPDATE settlement_batches SET state = $1, updated_at = now()${set ? `, ${set}` : ""}
       WHERE batch = $2 AND state = ANY($3::text[]) RETURNING ${BATCH_COLUMNS}`,
      [to, batch, [...from], ...params],
    );
    if (updated) return updated;
    const current = await one(`SELECT ${BATCH_COLUMNS} FROM settlement_batches WHERE batch = $1 AND state <> 'failed'`, [batch]);
    throw new NonRetryableError(`batch cannot move to ${to} from its current state`, {
      details: { batch, state: current?.state ?? "none", to, allowedFrom: from.join("|") },
    });
  };

  return {
    get: (batch) => one(`SELECT ${BATCH_COLUMNS} FROM settlement_batches WHERE batch = $1 AND state <> 'failed'`, [batch]),
    async list(options = {}) {
      const rows = await database.query<BatchRow>(
        `SELECT ${BATCH_COLUMNS} FROM settlement_batches
         WHERE state <> 'failed' AND batch > $1 AND ($2::text[] IS NULL OR state = ANY($2::text[]))
         ORDER BY batch LIMIT $3`,
        [options.afterBatch ?? -1n, options.states ? [...options.states] : null, options.limit ?? 1000],
      );
      return rows.map(toBatchRecord);
    },
    head: () => one(`SELECT ${BATCH_COLUMNS} FROM settlement_batches WHERE state <> 'failed' ORDER BY batch DESC LIMIT 1`, []),
    lastConfirmed: () =>
      one(`SELECT ${BATCH_COLUMNS} FROM settlement_batches WHERE state = 'confirmed' ORDER BY batch DESC LIMIT 1`, []),
    nextUnconfirmed: () =>
      one(
        `SELECT ${BATCH_COLUMNS} FROM settlement_batches WHERE state NOT IN ('failed', 'confirmed') ORDER BY batch LIMIT 1`,
        [],
      ),
    async countByState() {
      const counts = Object.fromEntries(BATCH_STATES.map((s) => [s, 0])) as Record<BatchState, number>;
      const rows = await database.query<{ state: BatchState; n: bigint }>(
        `SELECT state, count(*) AS n FROM settlement_batches GROUP BY state`,
      );
      for (const row of rows) counts[row.state] = Number(row.n);
      return counts;
    },
    async circuitInput(batch) {
      const [row] = await database.query<{ circuit_input: string | null }>(
        `SELECT circuit_input FROM settlement_batches WHERE batch = $1 AND state <> 'failed'`,
        [batch],
      );
      return row?.circuit_input ?? null;
    },
    async insertPlanned(tx, p) {
      await tx.query(
        `INSERT INTO settlement_batches (batch, state, from_cursor, to_cursor, old_root, new_root, old_next_index,
           new_next_index, commitment, changes, distinct_keys, inserts, updates, skipped, circuit_input)
         VALUES ($1, 'planned', $2::numeric, $3::numeric, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          p.batch,
          p.fromCursor.toString(),
          p.toCursor.toString(),
          fieldToBytes(p.oldRoot),
          fieldToBytes(p.newRoot),
          p.oldNextIndex,
          p.newNextIndex,
          fieldToBytes(p.commitment),
          p.changes,
          p.distinctKeys,
          p.inserts,
          p.updates,
          p.skipped,
          p.circuitInput,
        ],
      );
    },
    markProved: (batch, f) =>
      transition(
        batch,
        "proved",
        ["planned"],
        `proof = $4, public_inputs = $5, proving_ms = $6, prover = $7, proved_at = now(), error = NULL`,
        [f.proof, f.publicInputs, f.provingMs, f.prover],
      ),
    markSigned: (batch, f) =>
      transition(batch, "signed", ["proved"], `tx_bytes = $4, tx_signatures = $5::text[], tx_digest = $6, signed_at = now()`, [
        f.txBytes,
        f.txSignatures,
        f.txDigest,
      ]),
    markPosted: (batch) =>
      transition(batch, "posted", ["signed", "posted"], `attempts = attempts + 1, posted_at = now()`, []),
    markConfirmed: (batch) =>
      transition(batch, "confirmed", ["signed", "posted"], `confirmed_at = now(), circuit_input = NULL, error = NULL`, []),
    markFailed: (batch, error) =>
      transition(batch, "failed", ["planned", "proved", "signed", "posted"], `error = $4`, [error]),
    async noteError(batch, error) {
      await database.query(`UPDATE settlement_batches SET error = $2, updated_at = now() WHERE batch = $1 AND state <> 'failed'`, [
        batch,
        error,
      ]);
    },
  };
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const date = new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
