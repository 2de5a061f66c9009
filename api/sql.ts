/**
 * The API's read access: raw parameterized SQL (every input is a bound parameter; only
 * fixed fragments chosen from whitelists are spliced into the text) and the reading of
 * the indexer's watermarks that pins what a response is consistent with.
 */
import type { Database, SqlRow, SqlValue } from "../schema/db.ts";
import type { Pin } from "./cursor.ts";
import type { Order } from "./params.ts";

/** What the API needs of a database: raw reads. */
export type ApiDatabase = Pick<Database, "query">;

/**
 * Collects bound parameters while a statement is assembled.
 *
 * @example
 * const q = new Params();
 * const text = `SELECT * FROM transactions WHERE sender = ${q.bind(sender)}`;
 * await database.query(text, q.values);
 */
export class Params {
  readonly values: SqlValue[] = [];
  bind(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The SQL fragments of a keyset order: comparison towards the next page and sort direction. */
export function direction(order: Order): { cmp: ">" | "<"; dir: "ASC" | "DESC" } {
  return order === "asc" ? { cmp: ">", dir: "ASC" } : { cmp: "<", dir: "DESC" };
}

/**
 * The indexer's pipeline names, as written in the watermarks table (the indexer's
 * pipelines/index.ts uses the same strings).
 */
export type PipelineName =
  | "checkpoints"
  | "transactions"
  | "events"
  | "object_versions"
  | "objects"
  | "balance_changes"
  | "packages";

/**
 * The pin of a read over several tables: the lowest watermark among the pipelines that
 * write them, so every row read is committed in all of them. Null until each of those
 * pipelines has committed something. Rows at or below a watermark never change (a
 * checkpoint is final and committed atomically with its watermark), so reads bounded by
 * the pin are consistent with it without holding a snapshot across statements.
 *
 * @example
 * const pin = await readPin(database, ["events", "transactions"]);
 */
export async function readPin(database: ApiDatabase, pipelines: readonly PipelineName[]): Promise<Pin | null> {
  const rows = await database.query<{ pipeline: string; checkpoint_hi_inclusive: bigint; tx_hi: bigint }>(
    `SELECT pipeline, checkpoint_hi_inclusive, tx_hi FROM watermarks WHERE pipeline = ANY($1::text[])`,
    [[...pipelines]],
  );
  if (rows.length < new Set(pipelines).size) return null;
  let pin: Pin | null = null;
  for (const row of rows) {
    const checkpoint = BigInt(row.checkpoint_hi_inclusive);
    if (pin === null || checkpoint < pin.checkpoint) pin = { checkpoint, txHi: BigInt(row.tx_hi) };
  }
  return pin;
}

/** A column value the drivers hand back as bigint, number or string, as a decimal string. */
export function decimal(value: unknown): string {
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "string") return String(value);
  throw new TypeError(`expected an integer column, got ${typeof value}`);
}

export function decimalOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : decimal(value);
}

/** A bytea column (Buffer on postgres.js, Uint8Array on PGlite, `\x…` text from a raw cast). */
export function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string" && value.startsWith("\\x")) return Buffer.from(value.slice(2), "hex");
  throw new TypeError(`expected a bytea column, got ${typeof value}`);
}

export type { SqlRow };
