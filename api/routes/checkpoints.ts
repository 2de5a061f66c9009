/**
 * Checkpoints: latest, by sequence number, by digest, and the paged list.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, RouteContext } from "../context.ts";
import { errorResponses, notFound } from "../errors.ts";
import { Base64, Digest, base58, base58OrNull, base64, itemEnvelope, listEnvelope, U64 } from "../json.ts";
import { listPage, queryPinned, type PinSql } from "../paging.ts";
import { digest, paging, u64 } from "../params.ts";
import { decimal, direction, type ApiDatabase, type Params } from "../sql.ts";
import type { Pin } from "../cursor.ts";

export const Checkpoint = z
  .object({
    sequence_number: U64,
    epoch: U64,
    timestamp_ms: U64,
    digest: Digest,
    previous_digest: Digest.nullable(),
    content_digest: Digest,
    network_total_transactions: U64,
    first_tx_sequence_number: U64.openapi({ description: "Global sequence number of its first transaction" }),
    transaction_count: z.number().int(),
    end_of_epoch: z.boolean(),
    summary_bcs: Base64.openapi({ description: "CheckpointSummary BCS exactly as signed" }),
    validator_signature: Base64.openapi({ description: "BLS12-381 aggregate signature (48 bytes)" }),
    signers_map: Base64.openapi({ description: "Signers as a serialized roaring bitmap" }),
  })
  .openapi("Checkpoint");
export type Checkpoint = z.infer<typeof Checkpoint>;

interface CheckpointRow {
  sequence_number: bigint;
  epoch: bigint;
  timestamp_ms: bigint;
  digest: Uint8Array;
  previous_digest: Uint8Array | null;
  content_digest: Uint8Array;
  network_total_transactions: bigint;
  tx_lo: bigint;
  tx_count: number;
  end_of_epoch: boolean;
  summary_bcs: Uint8Array;
  validator_signature: Uint8Array;
  signers_map: Uint8Array;
}

const COLUMNS = `sequence_number, epoch, timestamp_ms, digest, previous_digest, content_digest,
  network_total_transactions, tx_lo, tx_count, end_of_epoch, summary_bcs, validator_signature, signers_map`;

function toJson(row: CheckpointRow): Checkpoint {
  return {
    sequence_number: decimal(row.sequence_number),
    epoch: decimal(row.epoch),
    timestamp_ms: decimal(row.timestamp_ms),
    digest: base58(row.digest),
    previous_digest: base58OrNull(row.previous_digest),
    content_digest: base58(row.content_digest),
    network_total_transactions: decimal(row.network_total_transactions),
    first_tx_sequence_number: decimal(row.tx_lo),
    transaction_count: Number(row.tx_count),
    end_of_epoch: Boolean(row.end_of_epoch),
    summary_bcs: base64(row.summary_bcs),
    validator_signature: base64(row.validator_signature),
    signers_map: base64(row.signers_map),
  };
}

const CheckpointResponse = itemEnvelope("CheckpointResponse", Checkpoint);
const CheckpointPage = listEnvelope("CheckpointPage", Checkpoint);
const NoQuery = z.object({}).strict();
const tags = ["checkpoints"];

const latestRoute = createRoute({
  method: "get",
  path: "/v1/checkpoints/latest",
  tags,
  summary: "The latest indexed checkpoint",
  request: { query: NoQuery },
  responses: {
    200: { description: "The checkpoint at the indexer's watermark", content: { "application/json": { schema: CheckpointResponse } } },
    ...errorResponses,
  },
});

const bySequenceRoute = createRoute({
  method: "get",
  path: "/v1/checkpoints/{sequence_number}",
  tags,
  summary: "A checkpoint by sequence number",
  request: { params: z.object({ sequence_number: u64("Checkpoint sequence number") }), query: NoQuery },
  responses: {
    200: { description: "The checkpoint", content: { "application/json": { schema: CheckpointResponse } } },
    ...errorResponses,
  },
});

const byDigestRoute = createRoute({
  method: "get",
  path: "/v1/checkpoints/by-digest/{digest}",
  tags,
  summary: "A checkpoint by digest",
  request: { params: z.object({ digest: digest("Checkpoint digest (base58)") }), query: NoQuery },
  responses: {
    200: { description: "The checkpoint", content: { "application/json": { schema: CheckpointResponse } } },
    ...errorResponses,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/checkpoints",
  tags,
  summary: "Checkpoints by sequence number, paged",
  request: { query: z.object(paging("desc")).strict() },
  responses: {
    200: { description: "A page of checkpoints", content: { "application/json": { schema: CheckpointPage } } },
    ...errorResponses,
  },
});

async function readOne(
  database: ApiDatabase,
  where: (q: Params, pin: PinSql) => string,
): Promise<{ pin: Pin | null; row: CheckpointRow | undefined }> {
  const { pin, rows } = await queryPinned<CheckpointRow>(
    database,
    ["checkpoints"],
    (q, pinSql) => `SELECT ${COLUMNS} FROM checkpoints WHERE ${where(q, pinSql)} LIMIT 1`,
  );
  return { pin, row: rows[0] };
}

/**
 * @example
 * registerCheckpointRoutes(app, ctx); // GET /v1/checkpoints, /latest, /{sequence_number}, /by-digest/{digest}
 */
export function registerCheckpointRoutes(app: ApiApp, ctx: RouteContext): void {
  const { database } = ctx;

  app.openapi(latestRoute, async (c) => {
    // The newest checkpoint row at or below the watermark (the watermark's own row, unless
    // the indexer skipped checkpoints, as a sparse backfill does).
    const found = await readOne(
      database,
      (_q, pin) => `sequence_number <= ${pin.checkpoint} ORDER BY sequence_number DESC`,
    );
    if (!found.pin || !found.row) throw notFound("no checkpoint indexed yet");
    return c.json({ checkpoint: found.pin.checkpoint.toString(), data: toJson(found.row) }, 200);
  });

  app.openapi(bySequenceRoute, async (c) => {
    const { sequence_number } = c.req.valid("param");
    const found = await readOne(
      database,
      (q, pin) => `sequence_number = ${q.bind(sequence_number)} AND sequence_number <= ${pin.checkpoint}`,
    );
    if (!found.pin || !found.row) {
      throw notFound("checkpoint not indexed", {
        sequence_number: sequence_number.toString(),
        indexed_checkpoint: found.pin?.checkpoint.toString() ?? null,
      });
    }
    return c.json({ checkpoint: found.pin.checkpoint.toString(), data: toJson(found.row) }, 200);
  });

  app.openapi(byDigestRoute, async (c) => {
    const param = c.req.param("digest");
    const { digest: value } = c.req.valid("param");
    const found = await readOne(
      database,
      (q, pin) => `digest = ${q.bind(value)} AND sequence_number <= ${pin.checkpoint}`,
    );
    if (!found.pin || !found.row) throw notFound("checkpoint not indexed", { digest: param });
    return c.json({ checkpoint: found.pin.checkpoint.toString(), data: toJson(found.row) }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listPage(ctx, query, {
      kind: "checkpoints",
      filters: {},
      shape: ["u64"],
      pipelines: ["checkpoints"],
      query: ({ q, pin, after, order, limit }) => {
        const { cmp, dir } = direction(order);
        const bound = after ? `AND sequence_number ${cmp} ${q.bind(after[0])}` : "";
        return `SELECT ${COLUMNS} FROM checkpoints
           WHERE sequence_number <= ${pin.checkpoint} ${bound}
           ORDER BY sequence_number ${dir} LIMIT ${q.bind(limit)}`;
      },
      keyOf: (row: CheckpointRow): [bigint] => [BigInt(row.sequence_number)],
      toJson,
    });
    return c.json(page, 200);
  });
}
