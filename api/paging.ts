/**
 * Keyset pagination shared by every list: the first page pins the upper bound (the
 * watermark it reads), later pages take it from the cursor, and every page asks for one
 * row more than it returns to know whether another page exists.
 *
 * The first page reads the watermarks and the rows in ONE statement (the pin is a CTE the
 * row query refers to): one round trip, and one snapshot, so the rows and the checkpoint
 * the response names are consistent even without the immutability of committed rows.
 */
import { cursorScope, type CursorCodec, type KeyPart, type KeyShape, type Pin } from "./cursor.ts";
import type { Order } from "./params.ts";
import { Params, type ApiDatabase, type PipelineName } from "./sql.ts";

export interface PageQuery {
  cursor?: string | undefined;
  limit: number;
  order: Order;
}

export interface Page<T> {
  checkpoint: string | null;
  data: T[];
  next_cursor: string | null;
}

/** The key a shape describes: bigint for u64 components, strings otherwise. */
export type KeyOf<S extends KeyShape> = { -readonly [I in keyof S]: S[I] extends "u64" ? bigint : string };

/** SQL expressions for the pin's checkpoint and exclusive transaction bound (bigint). */
export interface PinSql {
  checkpoint: string;
  txHi: string;
}

export interface ListSpec<Row, S extends KeyShape, Item> {
  /** Names the listing in its cursors; with `filters` it makes the cursor's scope. */
  kind: string;
  filters: Record<string, string | bigint | null | undefined>;
  shape: S;
  /** Pipelines whose tables the listing reads: the pin is the lowest of their watermarks. */
  pipelines: readonly PipelineName[];
  /**
   * The SELECT of the rows strictly after `after` in `order`, at or below the pin, at most
   * `limit`, in order. Values go through `q.bind`; the pin is given as SQL expressions.
   */
  query(args: { q: Params; pin: PinSql; after: KeyOf<S> | null; order: Order; limit: number }): string;
  keyOf(row: Row): KeyOf<S>;
  toJson(row: Row): Item;
}

export interface PagingContext {
  database: ApiDatabase;
  cursors: CursorCodec;
}

/**
 * A statement prefix defining the CTE `pin` (columns checkpoint, tx_hi): the lowest
 * watermark of the pipelines, and no row unless every one of them has a watermark.
 *
 * @example
 * const text = `${pinCte(q, ["events", "transactions"])} SELECT … WHERE tx_sequence_number < ${PIN_FROM_CTE.txHi}`;
 */
export function pinCte(q: Params, pipelines: readonly PipelineName[]): string {
  const names = [...new Set(pipelines)];
  return `WITH pin_marks AS (
      SELECT checkpoint_hi_inclusive, tx_hi FROM watermarks WHERE pipeline = ANY(${q.bind(names)}::text[])
    ), pin AS MATERIALIZED (
      SELECT checkpoint_hi_inclusive AS checkpoint, tx_hi FROM pin_marks
      WHERE (SELECT count(*) FROM pin_marks) = ${q.bind(names.length)}
      ORDER BY checkpoint_hi_inclusive LIMIT 1
    )`;
}

/** The pin CTE's values as SQL expressions usable anywhere in the statement. */
export const PIN_FROM_CTE: PinSql = { checkpoint: "(SELECT checkpoint FROM pin)", txHi: "(SELECT tx_hi FROM pin)" };

/** The pin as bound parameters, bound only when the query uses them (an unused parameter has no type). */
function boundPin(q: Params, pin: Pin): PinSql {
  let checkpoint: string | undefined;
  let txHi: string | undefined;
  return {
    get checkpoint() {
      return (checkpoint ??= `${q.bind(pin.checkpoint)}::bigint`);
    },
    get txHi() {
      return (txHi ??= `${q.bind(pin.txHi)}::bigint`);
    },
  };
}

interface PinnedRow {
  pin_checkpoint_: bigint;
  pin_tx_hi_: bigint;
  row_present_: boolean | null;
}

/**
 * Runs a row query under the current pin in one statement: returns the pin (null while a
 * pipeline has no watermark) and the rows, in the row query's order.
 *
 * @example
 * const { pin, rows } = await queryPinned(database, ["transactions"], (q, pin) =>
 *   `SELECT * FROM transactions WHERE digest = ${q.bind(digest)} AND tx_sequence_number < ${pin.txHi}`);
 */
export async function queryPinned<Row>(
  database: ApiDatabase,
  pipelines: readonly PipelineName[],
  rowQuery: (q: Params, pin: PinSql) => string,
): Promise<{ pin: Pin | null; rows: Row[] }> {
  const q = new Params();
  const cte = pinCte(q, pipelines);
  const inner = rowQuery(q, PIN_FROM_CTE);
  // row_number() keeps the inner order through the join; the join keeps the pin when no row matches.
  const result = await database.query<PinnedRow & Record<string, unknown>>(
    `${cte}
     SELECT pin.checkpoint AS pin_checkpoint_, pin.tx_hi AS pin_tx_hi_, r.*
     FROM pin LEFT JOIN (SELECT true AS row_present_, row_number() OVER () AS row_number_, x.* FROM (${inner}) x) r ON true
     ORDER BY r.row_number_`,
    q.values,
  );
  const first = result[0];
  if (first === undefined) return { pin: null, rows: [] };
  const pin = { checkpoint: BigInt(first.pin_checkpoint_), txHi: BigInt(first.pin_tx_hi_) };
  return { pin, rows: result.filter((row) => row.row_present_ === true) as unknown as Row[] };
}

/**
 * @example
 * const page = await listPage(ctx, query, {
 *   kind: "checkpoints", filters: {}, shape: ["u64"], pipelines: ["checkpoints"],
 *   query: ({ q, pin, after, order, limit }) => `SELECT … LIMIT ${q.bind(limit)}`,
 *   keyOf: (row) => [row.sequence_number], toJson,
 * });
 */
export async function listPage<Row, const S extends KeyShape, Item>(
  ctx: PagingContext,
  query: PageQuery,
  spec: ListSpec<Row, S, Item>,
): Promise<Page<Item>> {
  const scope = cursorScope(spec.kind, { ...spec.filters, order: query.order });
  const args = { order: query.order, limit: query.limit + 1 };
  let pin: Pin | null;
  let rows: Row[];
  if (query.cursor !== undefined) {
    const state = ctx.cursors.decode(query.cursor, spec.kind, scope, spec.shape);
    pin = state.pin;
    const q = new Params();
    const pinSql = boundPin(q, pin);
    const text = spec.query({ q, pin: pinSql, after: state.key as KeyOf<S>, ...args });
    rows = await ctx.database.query<Row & Record<string, unknown>>(text, q.values);
  } else {
    ({ pin, rows } = await queryPinned<Row>(ctx.database, spec.pipelines, (q, pinSql) =>
      spec.query({ q, pin: pinSql, after: null, ...args }),
    ));
  }
  if (pin === null) return { checkpoint: null, data: [], next_cursor: null };
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return {
    checkpoint: pin.checkpoint.toString(),
    data: page.map((row) => spec.toJson(row)),
    next_cursor:
      more && last !== undefined
        ? ctx.cursors.encode(spec.kind, scope, { pin, key: spec.keyOf(last) as readonly KeyPart[] })
        : null,
  };
}
