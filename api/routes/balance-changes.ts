/**
 * Balance changes of an owner, optionally of one coin type, in transaction order.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, RouteContext } from "../context.ts";
import { errorResponses } from "../errors.ts";
import { Address, base58OrNull, Digest, I128, listEnvelope, U64 } from "../json.ts";
import { listPage } from "../paging.ts";
import { address, paging, structType } from "../params.ts";
import { decimal, direction } from "../sql.ts";

export const BalanceChange = z
  .object({
    transaction_digest: Digest.nullable(),
    tx_sequence_number: U64,
    checkpoint: U64,
    owner: Address,
    coin_type: z.string().openapi({ example: "0x0000000000000000000000000000000000000000000000000000000000000002::sui::SUI" }),
    source: z.enum(["coin", "address_balance"]).openapi({
      description: "`coin`: Coin<T> objects (outputs minus inputs); `address_balance`: accumulator writes",
    }),
    amount: I128.openapi({ description: "Signed change, in the coin's smallest unit" }),
  })
  .openapi("BalanceChange");
export type BalanceChange = z.infer<typeof BalanceChange>;

interface BalanceChangeRow extends Record<string, unknown> {
  tx_sequence_number: bigint;
  owner: string;
  coin_type: string;
  source: string;
  amount: unknown;
  checkpoint: bigint;
  tx_digest: Uint8Array | null;
}

function toJson(row: BalanceChangeRow): BalanceChange {
  return {
    transaction_digest: base58OrNull(row.tx_digest),
    tx_sequence_number: decimal(row.tx_sequence_number),
    checkpoint: decimal(row.checkpoint),
    owner: row.owner,
    coin_type: row.coin_type,
    source: row.source as BalanceChange["source"],
    amount: decimal(row.amount),
  };
}

const listRoute = createRoute({
  method: "get",
  path: "/v1/balance-changes",
  tags: ["balances"],
  summary: "Balance changes of an owner (optionally of one coin type), newest first by default",
  request: {
    query: z
      .object({
        owner: address("The address whose balances changed"),
        coin_type: structType("Coin type T (as in Coin<T>), e.g. 0x2::sui::SUI").optional(),
        ...paging("desc"),
      })
      .strict(),
  },
  responses: {
    200: {
      description: "A page of balance changes",
      content: { "application/json": { schema: listEnvelope("BalanceChangePage", BalanceChange) } },
    },
    ...errorResponses,
  },
});

/**
 * @example
 * registerBalanceChangeRoutes(app, ctx); // GET /v1/balance-changes?owner=0x…&coin_type=0x2::sui::SUI
 */
export function registerBalanceChangeRoutes(app: ApiApp, ctx: RouteContext): void {
  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listPage(ctx, query, {
      kind: "balance_changes",
      filters: { owner: query.owner, coin_type: query.coin_type },
      // (tx_sequence_number, coin_type, source) is unique for one owner: the primary key.
      shape: ["u64", "type", "word"],
      pipelines: ["balance_changes", "transactions"],
      query: ({ q, pin, after, order, limit }) => {
        const { cmp, dir } = direction(order);
        const where = [`b.owner = ${q.bind(query.owner)}`, `b.tx_sequence_number < ${pin.txHi}`];
        if (query.coin_type !== undefined) where.push(`b.coin_type = ${q.bind(query.coin_type)}`);
        if (after) {
          where.push(
            `(b.tx_sequence_number, b.coin_type, b.source) ${cmp} (${q.bind(after[0])}, ${q.bind(after[1])}, ${q.bind(after[2])})`,
          );
        }
        return `SELECT b.tx_sequence_number, b.owner, b.coin_type, b.source, b.amount::text AS amount, b.checkpoint,
                  t.digest AS tx_digest
           FROM balance_changes b LEFT JOIN transactions t ON t.tx_sequence_number = b.tx_sequence_number
           WHERE ${where.join(" AND ")}
           ORDER BY b.tx_sequence_number ${dir}, b.coin_type ${dir}, b.source ${dir} LIMIT ${q.bind(limit)}`;
      },
      keyOf: (row: BalanceChangeRow): [bigint, string, string] => [BigInt(row.tx_sequence_number), row.coin_type, row.source],
      toJson,
    });
    return c.json(page, 200);
  });
}
