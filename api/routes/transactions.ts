/**
 * Transactions: by digest, and lists (all, or by sender, checkpoint, affected object, or
 * package called), ordered by global sequence number.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, RouteContext } from "../context.ts";
import { ApiError, errorResponses, notFound } from "../errors.ts";
import { Address, base58, Digest, itemEnvelope, listEnvelope, U64 } from "../json.ts";
import { listPage, queryPinned, type ListSpec } from "../paging.ts";
import { address, digest, paging, u64 } from "../params.ts";
import { decimal, direction, type PipelineName } from "../sql.ts";

export const Transaction = z
  .object({
    digest: Digest,
    sequence_number: U64.openapi({ description: "Global transaction sequence number" }),
    checkpoint: U64,
    timestamp_ms: U64,
    sender: Address,
    kind: z.string().openapi({ example: "ProgrammableTransaction" }),
    success: z.boolean(),
    error: z.string().nullable(),
    gas: z.object({
      owner: Address,
      price: U64,
      budget: U64,
      computation_cost: U64,
      storage_cost: U64,
      storage_rebate: U64,
      non_refundable_storage_fee: U64,
    }),
  })
  .openapi("Transaction");
export type Transaction = z.infer<typeof Transaction>;

export interface TransactionRow {
  tx_sequence_number: bigint;
  digest: Uint8Array;
  checkpoint: bigint;
  timestamp_ms: bigint;
  sender: string;
  kind: string;
  success: boolean;
  error: string | null;
  gas_owner: string;
  gas_price: bigint;
  gas_budget: bigint;
  computation_cost: bigint;
  storage_cost: bigint;
  storage_rebate: bigint;
  non_refundable_storage_fee: bigint;
}

/** The transactions columns, qualified with alias `t`. */
const COLUMNS = [
  "tx_sequence_number",
  "digest",
  "checkpoint",
  "timestamp_ms",
  "sender",
  "kind",
  "success",
  "error",
  "gas_owner",
  "gas_price",
  "gas_budget",
  "computation_cost",
  "storage_cost",
  "storage_rebate",
  "non_refundable_storage_fee",
]
  .map((c) => `t.${c}`)
  .join(", ");

/**
 * A transactions row as the API's JSON.
 *
 * @example
 * transactionJson(row).digest; // base58
 */
export function transactionJson(row: TransactionRow): Transaction {
  return {
    digest: base58(row.digest),
    sequence_number: decimal(row.tx_sequence_number),
    checkpoint: decimal(row.checkpoint),
    timestamp_ms: decimal(row.timestamp_ms),
    sender: row.sender,
    kind: row.kind,
    success: Boolean(row.success),
    error: row.error,
    gas: {
      owner: row.gas_owner,
      price: decimal(row.gas_price),
      budget: decimal(row.gas_budget),
      computation_cost: decimal(row.computation_cost),
      storage_cost: decimal(row.storage_cost),
      storage_rebate: decimal(row.storage_rebate),
      non_refundable_storage_fee: decimal(row.non_refundable_storage_fee),
    },
  };
}

const tags = ["transactions"];

const byDigestRoute = createRoute({
  method: "get",
  path: "/v1/transactions/{digest}",
  tags,
  summary: "A transaction by digest",
  request: { params: z.object({ digest: digest("Transaction digest (base58)") }), query: z.object({}).strict() },
  responses: {
    200: {
      description: "The transaction",
      content: { "application/json": { schema: itemEnvelope("TransactionResponse", Transaction) } },
    },
    ...errorResponses,
  },
});

const ListQuery = z
  .object({
    sender: address("Only transactions sent by this address").optional(),
    checkpoint: u64("Only transactions in this checkpoint").optional(),
    object: address("Only transactions that wrote, deleted or wrapped this object").optional(),
    package: address(
      "Only transactions that called this package (any upgrade of it, given its original id or any version's id)",
    ).optional(),
    ...paging("desc"),
  })
  .strict();

const listRoute = createRoute({
  method: "get",
  path: "/v1/transactions",
  tags,
  summary: "Transactions, newest first by default; at most one filter",
  request: { query: ListQuery },
  responses: {
    200: {
      description: "A page of transactions",
      content: { "application/json": { schema: listEnvelope("TransactionPage", Transaction) } },
    },
    ...errorResponses,
  },
});

type Row = TransactionRow & Record<string, unknown>;
type Spec = ListSpec<Row & { cursor_key: bigint }, readonly ["u64"], Transaction>;

/**
 * @example
 * registerTransactionRoutes(app, ctx); // GET /v1/transactions, /v1/transactions/{digest}
 */
export function registerTransactionRoutes(app: ApiApp, ctx: RouteContext): void {
  const { database } = ctx;

  app.openapi(byDigestRoute, async (c) => {
    const { digest: value } = c.req.valid("param");
    const { pin, rows } = await queryPinned<Row>(
      database,
      ["transactions"],
      (q, pinSql) => `SELECT ${COLUMNS} FROM transactions t WHERE t.digest = ${q.bind(value)} AND t.tx_sequence_number < ${pinSql.txHi}`,
    );
    const row = rows[0];
    if (!pin || !row) throw notFound("transaction not indexed", { digest: c.req.param("digest") });
    return c.json({ checkpoint: pin.checkpoint.toString(), data: transactionJson(row) }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const filters = (["sender", "checkpoint", "object", "package"] as const).filter((k) => query[k] !== undefined);
    if (filters.length > 1) {
      throw new ApiError(400, "invalid_parameter", `at most one of sender, checkpoint, object, package; got ${filters.join(", ")}`, {
        parameter: filters[1],
      });
    }
    const base = { keyOf: (row: Row & { cursor_key: bigint }): [bigint] => [BigInt(row.cursor_key)], toJson: transactionJson };
    let spec: Spec;
    if (query.object !== undefined) {
      spec = { ...base, ...byObject(query.object) };
    } else if (query.package !== undefined) {
      spec = { ...base, ...byPackage(query.package) };
    } else {
      spec = { ...base, ...bySequence(query.sender, query.checkpoint) };
    }
    return c.json(await listPage(ctx, query, spec), 200);
  });
}

type Part = Pick<Spec, "kind" | "filters" | "shape" | "pipelines" | "query">;

/** All, by sender (transactions_sender_idx) or by checkpoint (its tx range on the key). */
function bySequence(sender: string | undefined, checkpoint: bigint | undefined): Part {
  const pipelines: PipelineName[] = checkpoint === undefined ? ["transactions"] : ["transactions", "checkpoints"];
  return {
    kind: "transactions",
    filters: { sender, checkpoint },
    shape: ["u64"],
    pipelines,
    query: ({ q, pin, after, order, limit }) => {
      const { cmp, dir } = direction(order);
      const where = [`t.tx_sequence_number < ${pin.txHi}`];
      if (after) where.push(`t.tx_sequence_number ${cmp} ${q.bind(after[0])}`);
      if (sender !== undefined) where.push(`t.sender = ${q.bind(sender)}`);
      if (checkpoint !== undefined) {
        // One checkpoint's transactions are [tx_lo, tx_lo + tx_count): a range on the key.
        const cp = q.bind(checkpoint);
        const pinned = pin.checkpoint;
        where.push(
          `t.tx_sequence_number >= (SELECT tx_lo FROM checkpoints WHERE sequence_number = ${cp} AND sequence_number <= ${pinned})`,
          `t.tx_sequence_number < (SELECT tx_lo + tx_count FROM checkpoints WHERE sequence_number = ${cp} AND sequence_number <= ${pinned})`,
        );
      }
      return `SELECT ${COLUMNS}, t.tx_sequence_number AS cursor_key FROM transactions t
         WHERE ${where.join(" AND ")}
         ORDER BY t.tx_sequence_number ${dir} LIMIT ${q.bind(limit)}`;
    },
  };
}

/**
 * Transactions that changed an object, through its version history (the object_versions
 * primary key): an object's versions grow with the transactions that write it, so the
 * version is the key and the order is the transactions' order.
 */
function byObject(object: string): Part {
  return {
    kind: "transactions_by_object",
    filters: { object },
    shape: ["u64"],
    pipelines: ["transactions", "object_versions"],
    query: ({ q, pin, after, order, limit }) => {
      const { cmp, dir } = direction(order);
      const bound = after ? `AND ov.version ${cmp} ${q.bind(after[0])}` : "";
      return `SELECT ${COLUMNS}, ov.version AS cursor_key
         FROM object_versions ov JOIN transactions t ON t.tx_sequence_number = ov.tx_sequence_number
         WHERE ov.object_id = ${q.bind(object)} AND ov.tx_sequence_number < ${pin.txHi} ${bound}
         ORDER BY ov.version ${dir} LIMIT ${q.bind(limit)}`;
    },
  };
}

/**
 * Transactions that called a package, or any upgrade of it: the ids are resolved through
 * the packages table as of the pin, then each id's tx_calls range is read in key order
 * (a LATERAL per id keeps every scan on tx_calls_pkey, with no sort of a whole history).
 */
function byPackage(pkg: string): Part {
  return {
    kind: "transactions_by_package",
    filters: { package: pkg },
    shape: ["u64"],
    pipelines: ["transactions", "packages"],
    query: ({ q, pin, after, order, limit }) => {
      const { cmp, dir } = direction(order);
      const id = q.bind(pkg);
      const pinned = pin.checkpoint;
      const hi = pin.txHi;
      const bound = after ? `AND c.tx_sequence_number ${cmp} ${q.bind(after[0])}` : "";
      const n = q.bind(limit);
      return `WITH original AS (
           SELECT original_id FROM packages WHERE storage_id = ${id} AND checkpoint <= ${pinned} LIMIT 1
         ), ids AS (
           SELECT ${id}::text AS id
           UNION
           SELECT p.storage_id FROM packages p
           WHERE p.checkpoint <= ${pinned}
             AND (p.original_id = ${id} OR p.original_id = (SELECT original_id FROM original))
         ), hits AS (
           SELECT DISTINCT hit.tx_sequence_number
           FROM ids CROSS JOIN LATERAL (
             SELECT DISTINCT c.tx_sequence_number FROM tx_calls c
             WHERE c.package = ids.id AND c.tx_sequence_number < ${hi} ${bound}
             ORDER BY c.tx_sequence_number ${dir} LIMIT ${n}
           ) hit
         )
         SELECT ${COLUMNS}, t.tx_sequence_number AS cursor_key
         FROM hits JOIN transactions t ON t.tx_sequence_number = hits.tx_sequence_number
         ORDER BY t.tx_sequence_number ${dir} LIMIT ${n}`;
    },
  };
}
