/**
 * Rows -> one text value per column, and the INSERT that takes them:
 * `INSERT INTO t (…) SELECT … FROM unnest(string_to_array($1, E'\x1f', E'\x1e'), …)`.
 * One statement carries thousands of rows with one bind parameter per column, far under
 * Postgres's 65,535, on both drivers. Each column travels as its values joined by the
 * unit separator (0x1F), NULL as the record separator (0x1E): joining is nearly free in
 * JS and splitting nearly free in Postgres, where a `text[]` parameter costs quoting and
 * escaping per element on both sides (this made the write path ~25% slower). A column
 * with a value containing either separator falls back to a `text[]` parameter.
 *
 * Why not COPY FROM STDIN on postgres.js: when the server rejects a COPY (a duplicate
 * key, say), postgres.js 3.4 never settles the writable, so the transaction neither
 * commits nor rolls back and the error is lost (porsager/postgres#1173). An INSERT fails
 * like any statement, with the server's message. The encoder is driven by the drizzle
 * table, so the schema stays the one source of column names and types.
 */
import { getTableColumns, getTableName, type Column } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { NonRetryableError } from "../../common/errors.ts";

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export type ColumnData = (string | null)[];

const UNIT = "\x1f";
const NULL_MARK = "\x1e";
const SEPARATORS = /[\x1e\x1f]/;

export interface ColumnarEncoder<Row> {
  readonly table: string;
  /** Column names (snake_case), in the order of `encodeInto`'s arrays. */
  readonly columns: readonly string[];
  /** Empty arrays, one per column, to append rows to. */
  empty(): ColumnData[];
  /** Appends each row's values, as text, to the column arrays. */
  encodeInto(rows: readonly Row[], data: ColumnData[]): void;
  /** The INSERT statement for columns as `text[]` parameters (the general form). */
  readonly insertSql: string;
  /**
   * The INSERT (or `prefix` … `suffix` around its SELECT) and its parameters for the
   * encoded columns, in the compact joined form where possible.
   */
  statement(data: ColumnData[], suffix?: string): { sql: string; params: (string | (string | null)[])[] };
  /** Columns holding bytea (as hex in the text arrays). */
  readonly byteaColumns: ReadonlySet<string>;
}

interface ColumnSpec {
  key: string;
  name: string;
  encode: (value: unknown) => string;
  /** SQL turning the unnested text into the column's type. */
  cast: (ref: string) => string;
  bytea?: boolean;
  /** Free text (may hold any character); the other encodings never produce a separator. */
  text?: boolean;
}

/**
 * @example
 * const encoder = createColumnarEncoder(transactions);
 * const data = encoder.empty();
 * encoder.encodeInto(rows, data);
 * await tx.query(encoder.insertSql, data);
 */
export function createColumnarEncoder<T extends PgTable>(table: T): ColumnarEncoder<T["$inferSelect"]> {
  const name = getTableName(table);
  const specs = Object.entries(getTableColumns(table) as Record<string, Column>).map(([key, column]) =>
    columnSpec(name, key, column),
  );
  const width = specs.length;
  const columns = specs.map((s) => s.name);
  const quoted = columns.map((c) => `"${c}"`).join(", ");
  const params = specs.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const aliases = specs.map((_, i) => `c${i}`).join(", ");
  const casts = specs.map((s, i) => s.cast(`u.c${i}`)).join(", ");
  const textColumns = specs.map((s) => s.text === true);
  const statements = new Map<string, string>();
  return {
    table: name,
    columns,
    byteaColumns: new Set(specs.filter((s) => s.bytea).map((s) => s.name)),
    insertSql: `INSERT INTO "${name}" (${quoted}) SELECT ${casts} FROM unnest(${params}) AS u(${aliases})`,
    empty: () => specs.map(() => []),
    statement(data, suffix = "") {
      const params: (string | (string | null)[])[] = [];
      let shape = "";
      for (let i = 0; i < data.length; i++) {
        const column = data[i]!;
        const joined = textColumns[i] && column.some((v) => v !== null && SEPARATORS.test(v)) ? null : joinColumn(column);
        // A lone empty string would split into no element at all: send that column as an array.
        if (joined === null || joined === "") {
          params.push(column);
          shape += "a";
        } else {
          params.push(joined);
          shape += "j";
        }
      }
      const key = shape + suffix;
      let sql = statements.get(key);
      if (!sql) {
        const sources = [...shape].map((kind, i) => (kind === "a" ? `$${i + 1}::text[]` : `string_to_array($${i + 1}, E'\\x1f', E'\\x1e')`));
        sql = `INSERT INTO "${name}" (${quoted}) SELECT ${casts} FROM unnest(${sources.join(", ")}) AS u(${aliases})${suffix}`;
        statements.set(key, sql);
      }
      return { sql, params };
    },
    encodeInto(rows, data) {
      // Consecutive rows repeat values (checkpoint, transaction number, timestamp, sender):
      // reuse the last encoding of each column instead of converting again.
      const lastValue: unknown[] = new Array(width).fill(undefined);
      const lastText: (string | null)[] = new Array(width).fill(null);
      for (const row of rows) {
        const record = row as Record<string, unknown>;
        for (let i = 0; i < width; i++) {
          const value = record[specs[i]!.key];
          if (value === null || value === undefined) {
            data[i]!.push(null);
          } else if (value === lastValue[i]) {
            data[i]!.push(lastText[i]!);
          } else {
            const text = specs[i]!.encode(value);
            lastValue[i] = value;
            lastText[i] = text;
            data[i]!.push(text);
          }
        }
      }
    },
  };
}

function columnSpec(table: string, key: string, column: Column): ColumnSpec {
  const base = { key, name: column.name };
  switch (column.columnType) {
    case "PgBigInt64":
      return {
        ...base,
        cast: (ref) => `${ref}::bigint`,
        encode: (value) => {
          const n = value as bigint;
          if (n < I64_MIN || n > I64_MAX) {
            throw new NonRetryableError("Value does not fit a bigint column", {
              details: { table, column: column.name, value: n },
            });
          }
          return n.toString();
        },
      };
    case "PgNumericBigInt":
      return { ...base, cast: (ref) => `${ref}::numeric`, encode: (value) => (value as bigint).toString() };
    case "PgInteger":
      return { ...base, cast: (ref) => `${ref}::integer`, encode: (value) => String(value) };
    case "PgBoolean":
      return { ...base, cast: (ref) => `${ref}::boolean`, encode: (value) => (value ? "t" : "f") };
    case "PgText":
      return { ...base, text: true, cast: (ref) => ref, encode: (value) => value as string };
    case "PgCustomColumn":
      if (column.getSQLType() === "bytea") {
        return { ...base, bytea: true, cast: (ref) => `decode(${ref}, 'hex')`, encode: (value) => toHex(value as Uint8Array) };
      }
  }
  throw new NonRetryableError("No encoding for column type", {
    details: { table, column: column.name, type: column.columnType },
  });
}

function joinColumn(column: ColumnData): string {
  let out = "";
  for (let i = 0; i < column.length; i++) {
    const value = column[i];
    out += (i === 0 ? "" : UNIT) + (value === null || value === undefined ? NULL_MARK : value);
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/**
 * The same columns as COPY text (tab-separated lines, `\N` for null, bytea as `\\x…`):
 * the benchmark's raw-COPY baseline writes exactly the rows the indexer writes.
 *
 * @example
 * await tx.copyIn(encoder.table, encoder.columns, toCopyText(encoder, data));
 */
export function toCopyText(encoder: Pick<ColumnarEncoder<unknown>, "columns" | "byteaColumns">, data: ColumnData[]): string {
  const rows = data[0]?.length ?? 0;
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = "";
    for (let c = 0; c < data.length; c++) {
      const value = data[c]![r];
      const text =
        value === null || value === undefined
          ? "\\N"
          : encoder.byteaColumns.has(encoder.columns[c]!)
            ? "\\\\x" + value
            : NEEDS_ESCAPE.test(value)
              ? value.replace(/[\\\t\n\r]/g, (ch) => (ch === "\\" ? "\\\\" : ch === "\t" ? "\\t" : ch === "\n" ? "\\n" : "\\r"))
              : value;
      line += (c === 0 ? "" : "\t") + text;
    }
    out.push(line + "\n");
  }
  return out.join("");
}
