/**
 * Events: one list with filters by type (package, module, struct name or exact type),
 * emitting module, sender, transaction, and a checkpoint range; ordered by (global
 * transaction sequence number, event index).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, RouteContext } from "../context.ts";
import { ApiError, badParameter, errorResponses } from "../errors.ts";
import { Address, base58, Base64, base64, Digest, listEnvelope, U64 } from "../json.ts";
import { distinctModules, distinctTypes, typeRange } from "../lanes.ts";
import { listPage } from "../paging.ts";
import { address, digest, moduleFilter, paging, typeFilter, typeFilterKey, u64, type TypeFilter } from "../params.ts";
import { decimal, direction, type Params, type PipelineName } from "../sql.ts";

export const Event = z
  .object({
    transaction_digest: Digest,
    event_index: z.number().int().openapi({ description: "Position in the transaction's events (Sui's event sequence)" }),
    tx_sequence_number: U64,
    checkpoint: U64,
    timestamp_ms: U64,
    package: Address.openapi({ description: "Package of the emitting module, as called" }),
    module: z.string(),
    type: z.string().openapi({ description: "Event struct type, with its defining package ids" }),
    sender: Address,
    contents: Base64.openapi({ description: "BCS of the event struct" }),
  })
  .openapi("Event");
export type Event = z.infer<typeof Event>;

interface EventRow extends Record<string, unknown> {
  tx_sequence_number: bigint;
  event_index: number;
  checkpoint: bigint;
  timestamp_ms: bigint;
  package: string;
  module: string;
  type: string;
  sender: string;
  contents: Uint8Array;
  transaction_digest: Uint8Array;
}

function toJson(row: EventRow): Event {
  return {
    transaction_digest: base58(row.transaction_digest),
    event_index: Number(row.event_index),
    tx_sequence_number: decimal(row.tx_sequence_number),
    checkpoint: decimal(row.checkpoint),
    timestamp_ms: decimal(row.timestamp_ms),
    package: row.package,
    module: row.module,
    type: row.type,
    sender: row.sender,
    contents: base64(row.contents),
  };
}

const ListQuery = z
  .object({
    type: typeFilter(
      "Event type: a package id, package::module, package::module::Type (every instantiation) or a full type",
    ).optional(),
    module: moduleFilter("Emitting module: a package id (as called) or package::module").optional(),
    sender: address("Only events of transactions sent by this address").optional(),
    transaction: digest("Only events of this transaction (base58 digest)").optional(),
    from_checkpoint: u64("Only events at or after this checkpoint").optional(),
    to_checkpoint: u64("Only events at or before this checkpoint").optional(),
    ...paging("desc"),
  })
  .strict();

const listRoute = createRoute({
  method: "get",
  path: "/v1/events",
  tags: ["events"],
  summary: "Events, newest first by default; at most one of type, module, sender, transaction, plus a checkpoint range",
  request: { query: ListQuery },
  responses: {
    200: { description: "A page of events", content: { "application/json": { schema: listEnvelope("EventPage", Event) } } },
    ...errorResponses,
  },
});

/** The condition for a type filter on alias `e`, as a range on events_type_idx. */
function typeCondition(q: Params, filter: TypeFilter): string {
  if (filter.kind === "exact") return `e.type = ${q.bind(filter.type)}`;
  if (filter.kind === "name") {
    return `(e.type = ${q.bind(filter.name)} OR (e.type ~>=~ ${q.bind(`${filter.name}<`)} AND e.type ~<~ ${q.bind(`${filter.name}=`)}))`;
  }
  const [lo, hi] = typeRange(filter);
  return `e.type ~>=~ ${q.bind(lo)} AND e.type ~<~ ${q.bind(hi)}`;
}

/** Index keys read one by one in order, then merged (see api/lanes.ts). */
interface Lanes {
  column: "type" | "module";
  values: string[];
}

/**
 * @example
 * registerEventRoutes(app, ctx); // GET /v1/events
 */
export function registerEventRoutes(app: ApiApp, ctx: RouteContext): void {
  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const filters = (["type", "module", "sender", "transaction"] as const).filter((k) => query[k] !== undefined);
    if (filters.length > 1) {
      throw new ApiError(400, "invalid_parameter", `at most one of type, module, sender, transaction; got ${filters.join(", ")}`, {
        parameter: filters[1],
      });
    }
    const { from_checkpoint: from, to_checkpoint: to } = query;
    if (from !== undefined && to !== undefined && from > to) {
      throw badParameter("from_checkpoint", "from_checkpoint is after to_checkpoint");
    }
    const pipelines: PipelineName[] = ["events", "transactions"];
    if (from !== undefined || to !== undefined) pipelines.push("checkpoints");
    // Prefix filters read per-key lanes when the keys are few (api/lanes.ts).
    let lanes: Lanes | null = null;
    if (query.type && query.type.kind !== "exact") {
      const values = await distinctTypes(ctx.database, "events", query.type);
      if (values) lanes = { column: "type", values };
    } else if (query.module && query.module.module === null) {
      const values = await distinctModules(ctx.database, query.module.package);
      if (values) lanes = { column: "module", values };
    }
    const page = await listPage(ctx, query, {
      kind: "events",
      filters: {
        type: query.type ? `${query.type.kind}:${typeFilterKey(query.type)}` : undefined,
        module: query.module ? `${query.module.package}::${query.module.module ?? ""}` : undefined,
        sender: query.sender,
        transaction: query.transaction ? base58(query.transaction) : undefined,
        from,
        to,
      },
      shape: ["u64", "u64"],
      pipelines,
      query: ({ q, pin, after, order, limit }) => {
        const { cmp, dir } = direction(order);
        const where = [`e.tx_sequence_number < ${pin.txHi}`];
        if (after) where.push(`(e.tx_sequence_number, e.event_index) ${cmp} (${q.bind(after[0])}, ${q.bind(Number(after[1]))})`);
        if (query.type && !lanes) where.push(typeCondition(q, query.type));
        if (query.module) {
          where.push(`e.package = ${q.bind(query.module.package)}`);
          if (query.module.module !== null) where.push(`e.module = ${q.bind(query.module.module)}`);
        }
        if (query.sender) where.push(`e.sender = ${q.bind(query.sender)}`);
        if (query.transaction) {
          where.push(
            `e.tx_sequence_number = (SELECT tx_sequence_number FROM transactions WHERE digest = ${q.bind(query.transaction)})`,
          );
        }
        // A checkpoint range is a transaction range: bounds from the checkpoints table, so
        // every index that ends in (tx_sequence_number, event_index) serves it.
        if (from !== undefined || to !== undefined) {
          const pinned = pin.checkpoint;
          if (from !== undefined) {
            where.push(`e.tx_sequence_number >= (SELECT tx_lo FROM checkpoints
              WHERE sequence_number >= ${q.bind(from)} AND sequence_number <= ${pinned}
              ORDER BY sequence_number LIMIT 1)`);
          }
          if (to !== undefined) {
            where.push(`e.tx_sequence_number < (SELECT tx_lo + tx_count FROM checkpoints
              WHERE sequence_number <= LEAST(${q.bind(to)}::bigint, ${pinned}::bigint)
              ORDER BY sequence_number DESC LIMIT 1)`);
          }
        }
        const order_ = `e.tx_sequence_number ${dir}, e.event_index ${dir}`;
        const n = q.bind(limit);
        const source = lanes
          ? `unnest(${q.bind(lanes.values)}::text[]) AS lane(v) CROSS JOIN LATERAL (
               SELECT e.* FROM events e WHERE e.${lanes.column} = lane.v AND ${where.join(" AND ")}
               ORDER BY ${order_} LIMIT ${n}
             ) e`
          : "events e";
        return `SELECT e.tx_sequence_number, e.event_index, e.checkpoint, e.timestamp_ms, e.package, e.module, e.type,
                  e.sender, e.contents, t.digest AS transaction_digest
           FROM ${source} JOIN transactions t ON t.tx_sequence_number = e.tx_sequence_number
           ${lanes ? "" : `WHERE ${where.join(" AND ")}`}
           ORDER BY ${order_} LIMIT ${n}`;
      },
      keyOf: (row: EventRow): [bigint, bigint] => [BigInt(row.tx_sequence_number), BigInt(row.event_index)],
      toJson,
    });
    return c.json(page, 200);
  });
}
