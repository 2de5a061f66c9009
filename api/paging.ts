/**
 * Keyset pagination shared by every list: the first page pins the upper bound (the
 * watermark it reads), later pages take it from the cursor, and every page asks for one
 * row more than it returns to know whether another page exists.
 */
import { cursorScope, type CursorCodec, type KeyPart, type KeyShape, type Pin } from "./cursor.ts";
import type { Order } from "./params.ts";
import { readPin, type ApiDatabase, type PipelineName } from "./sql.ts";

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

export interface ListSpec<Row, S extends KeyShape, Item> {
  /** Names the listing in its cursors; with `filters` it makes the cursor's scope. */
  kind: string;
  filters: Record<string, string | bigint | null | undefined>;
  shape: S;
  /** Pipelines whose tables the listing reads: the pin is the lowest of their watermarks. */
  pipelines: readonly PipelineName[];
  /** Rows strictly after `after` in `order`, at or below `pin`, at most `limit`. */
  fetch(args: { pin: Pin; after: KeyOf<S> | null; order: Order; limit: number }): Promise<Row[]>;
  keyOf(row: Row): KeyOf<S>;
  toJson(row: Row): Item;
}

export interface PagingContext {
  database: ApiDatabase;
  cursors: CursorCodec;
}

/**
 * @example
 * const page = await listPage(ctx, query, {
 *   kind: "checkpoints", filters: { order: query.order }, shape: ["u64"], pipelines: ["checkpoints"],
 *   fetch: ({ pin, after, order, limit }) => …, keyOf: (row) => [row.sequence_number], toJson,
 * });
 */
export async function listPage<Row, const S extends KeyShape, Item>(
  ctx: PagingContext,
  query: PageQuery,
  spec: ListSpec<Row, S, Item>,
): Promise<Page<Item>> {
  const scope = cursorScope(spec.kind, { ...spec.filters, order: query.order });
  let pin: Pin | null;
  let after: KeyOf<S> | null = null;
  if (query.cursor !== undefined) {
    const state = ctx.cursors.decode(query.cursor, spec.kind, scope, spec.shape);
    pin = state.pin;
    after = state.key as KeyOf<S>;
  } else {
    pin = await readPin(ctx.database, spec.pipelines);
  }
  if (pin === null) return { checkpoint: null, data: [], next_cursor: null };
  const rows = await spec.fetch({ pin, after, order: query.order, limit: query.limit + 1 });
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
