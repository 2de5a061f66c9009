/**
 * The API's read access: raw parameterized SQL (every input is a bound parameter; only
 * fixed fragments chosen from whitelists are spliced into the text) and the conversion of
 * column values. Reads are pinned to the indexer's watermarks (api/paging.ts): rows at
 * or below a watermark never change, since a checkpoint is final and its rows commit
 * atomically with the watermark.
 */
import type { Database, SqlRow, SqlValue } from "../schema/db.ts";
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

/**
 * The SQL fragments of a keyset order: comparison towards the next page and sort direction.
 *
 * @example
 * const { cmp, dir } = direction("desc"); // "<", "DESC"
 */
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
 * A column value the drivers hand back as bigint, number or string, as a decimal string.
 *
 * @example
 * decimal(2948762578n); // "2948762578"
 */
export function decimal(value: unknown): string {
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "string") return String(value);
  throw new TypeError(`expected an integer column, got ${typeof value}`);
}

/** @example decimalOrNull(null); // null */
export function decimalOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : decimal(value);
}

/**
 * A bytea column (Buffer on postgres.js, Uint8Array on PGlite, `\x…` text from a raw cast).
 *
 * @example
 * bytes("\\x0102"); // Uint8Array [1, 2]
 */
export function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string" && value.startsWith("\\x")) return Buffer.from(value.slice(2), "hex");
  throw new TypeError(`expected a bytea column, got ${typeof value}`);
}

export type { SqlRow };
