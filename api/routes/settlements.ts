/**
 * Settlement: Merkle proofs of an object's state against the last settled root (the last
 * batch confirmed on chain), and the list of settlement batches with their state and Sui
 * transaction digest. Field elements (keys, values, hashes, roots) are decimal strings,
 * as Move's u256 takes them.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { BATCH_STATES, BATCH_COLUMNS, toBatchRecord, type BatchRecord, type BatchRow } from "../../settler/pipeline/batches.ts";
import { readSettledProof, type SettledObjectState } from "../../settler/pipeline/settled-proof.ts";
import { toBase58 } from "@mysten/sui/utils";
import { decodeCursor } from "../../settler/tree/cursor.ts";
import { loadPoseidon } from "../../settler/tree/poseidon.ts";
import type { ApiApp, RouteContext } from "../context.ts";
import { errorResponses, notFound } from "../errors.ts";
import { Address, itemEnvelope, listEnvelope, U64 } from "../json.ts";
import { listPage } from "../paging.ts";
import { address, paging } from "../params.ts";
import { direction } from "../sql.ts";

const Field = z.string().openapi({ type: "string", pattern: "^[0-9]+$", description: "BN254 scalar, decimal", example: "4213" });
const StreamCursor = U64.openapi({ description: "checkpoint * 2^32 + offset in the checkpoint's changed objects" });

const Leaf = z
  .object({
    index: U64,
    key: Field,
    value: Field.openapi({ description: "0 = absent (deleted, wrapped, or not tracked)" }),
    next_key: Field.openapi({ description: "Next larger key; 0 stands for +infinity" }),
    next_index: U64,
  })
  .openapi("TreeLeaf");

export const ObjectProof = z
  .object({
    object_id: Address,
    key: Field.openapi({ description: "Poseidon(id_hi, id_lo)" }),
    present: z.boolean(),
    kind: z.enum(["presence", "low_leaf", "zero_value"]).openapi({
      description: "presence: the object's leaf; low_leaf: the leaf with the largest key below it; zero_value: its leaf, valued 0",
    }),
    leaf: Leaf,
    siblings: z.array(Field).openapi({ description: "Leaf level first" }),
    object: z
      .object({
        version: U64,
        digest: z.string().openapi({ description: "base58" }),
        owner: z
          .object({
            kind: z.enum(["address", "object", "shared", "immutable", "consensusAddress"]),
            address: Address.optional(),
            initial_shared_version: U64.optional(),
            start_version: U64.optional(),
          })
          .openapi("ProofObjectOwner"),
        type: z.string().nullable(),
      })
      .optional()
      .openapi({ description: "Presence proofs: the object state the leaf's value commits to (object-encoding: version, digest, owner, type)" }),
    depth: z.number().int(),
    root: Field.openapi({ description: "The settled root the proof reaches" }),
    batch: U64.openapi({ description: "The confirmed batch that settled the root" }),
    cursor: StreamCursor.openapi({ description: "The settled stream ends here (exclusive)" }),
    cursor_checkpoint: U64,
    cursor_offset: U64,
    tx_digest: z.string().nullable().openapi({ description: "The Sui transaction that settled the batch (base58)" }),
    registry_id: Address.nullable().openapi({ description: "The registry holding the root" }),
  })
  .openapi("ObjectProof");
export type ObjectProof = z.infer<typeof ObjectProof>;

export const Settlement = z
  .object({
    batch: U64,
    state: z.enum(BATCH_STATES),
    from_cursor: StreamCursor,
    to_cursor: StreamCursor,
    old_root: Field,
    new_root: Field,
    old_next_index: U64,
    new_next_index: U64,
    commitment: Field,
    changes: z.number().int().openapi({ description: "Stream rows in [from, to)" }),
    inserts: z.number().int(),
    updates: z.number().int(),
    skipped: z.number().int().openapi({ description: "Objects whose state stayed absent: no operation" }),
    proving_ms: z.number().int().nullable(),
    tx_digest: z.string().nullable(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    created_at: z.string(),
    proved_at: z.string().nullable(),
    confirmed_at: z.string().nullable(),
  })
  .openapi("Settlement");
export type Settlement = z.infer<typeof Settlement>;

const tags = ["settlement"];

const proofRoute = createRoute({
  method: "get",
  path: "/v1/objects/{object_id}/proof",
  tags,
  summary: "A Merkle proof of the object's settled state (presence, or absence by low leaf or zero value)",
  request: { params: z.object({ object_id: address("Object id") }), query: z.object({}).strict() },
  responses: {
    200: {
      description:
        "The proof against the last settled root. `checkpoint` is the last checkpoint whose changes are all settled; " +
        "`cursor` says exactly where the settled stream ends, possibly inside the next checkpoint",
      content: { "application/json": { schema: itemEnvelope("ObjectProofResponse", ObjectProof) } },
    },
    ...errorResponses,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/settlements",
  tags,
  summary: "Settlement batches by number, with their state and Sui transaction digest (failed attempts included)",
  request: {
    query: z
      .object({
        state: z.enum(BATCH_STATES).optional().openapi({ description: "Only batches in this state" }),
        ...paging("desc"),
      })
      .strict(),
  },
  responses: {
    200: { description: "A page of batches", content: { "application/json": { schema: listEnvelope("SettlementPage", Settlement) } } },
    ...errorResponses,
  },
});

function objectJson(state: SettledObjectState): NonNullable<ObjectProof["object"]> {
  const o = state.owner;
  const owner =
    o.kind === "shared"
      ? { kind: o.kind, initial_shared_version: o.initialSharedVersion.toString() }
      : o.kind === "consensusAddress"
        ? { kind: o.kind, address: o.address, start_version: o.startVersion.toString() }
        : o.kind === "immutable"
          ? { kind: o.kind }
          : { kind: o.kind, address: o.address };
  return { version: state.version.toString(), digest: toBase58(state.digest), owner, type: state.type };
}

function settlementJson(b: BatchRecord): Settlement {
  return {
    batch: b.batch.toString(),
    state: b.state,
    from_cursor: b.fromCursor.toString(),
    to_cursor: b.toCursor.toString(),
    old_root: b.oldRoot.toString(),
    new_root: b.newRoot.toString(),
    old_next_index: b.oldNextIndex.toString(),
    new_next_index: b.newNextIndex.toString(),
    commitment: b.commitment.toString(),
    changes: b.changes,
    inserts: b.inserts,
    updates: b.updates,
    skipped: b.skipped,
    proving_ms: b.provingMs,
    tx_digest: b.txDigest,
    attempts: b.attempts,
    error: b.error,
    created_at: b.createdAt,
    proved_at: b.provedAt,
    confirmed_at: b.confirmedAt,
  };
}

/**
 * @example
 * registerSettlementRoutes(app, ctx); // GET /v1/objects/{object_id}/proof, /v1/settlements
 */
export function registerSettlementRoutes(app: ApiApp, ctx: RouteContext): void {
  const { database } = ctx;

  app.openapi(proofRoute, async (c) => {
    const { object_id } = c.req.valid("param");
    const settled = await readSettledProof(database, await loadPoseidon(), object_id);
    if (!settled) throw notFound("nothing is settled yet: no batch is confirmed on chain");
    const { checkpoint, offset } = decodeCursor(settled.cursor);
    const { proof } = settled;
    const kind = settled.kind === "presence" ? "presence" : settled.proof.kind === "zeroValue" ? "zero_value" : "low_leaf";
    const data: ObjectProof = {
      object_id,
      key: settled.key.toString(),
      present: settled.kind === "presence",
      kind,
      leaf: {
        index: proof.index.toString(),
        key: proof.leaf.key.toString(),
        value: proof.leaf.value.toString(),
        next_key: proof.leaf.nextKey.toString(),
        next_index: proof.leaf.nextIndex.toString(),
      },
      siblings: proof.siblings.map(String),
      ...(settled.kind === "presence" && settled.object ? { object: objectJson(settled.object) } : {}),
      depth: settled.depth,
      root: settled.root.toString(),
      batch: settled.batch.toString(),
      cursor: settled.cursor.toString(),
      cursor_checkpoint: checkpoint.toString(),
      cursor_offset: offset.toString(),
      tx_digest: settled.txDigest,
      registry_id: settled.registryId,
    };
    // Everything before `checkpoint` is settled; the cursor's own checkpoint only up to `offset`.
    return c.json({ checkpoint: (checkpoint === 0n ? 0n : checkpoint - 1n).toString(), data }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const state = query.state ?? null;
    const page = await listPage<BatchRow, readonly ["u64", "u64"], Settlement>(ctx, query, {
      kind: "settlements",
      filters: { state },
      shape: ["u64", "u64"],
      // Batches are not bounded by the pin (their states move on); the pin names the
      // indexer's checkpoint at the first page, like every list.
      pipelines: ["object_versions"],
      query: ({ q, after, order, limit }) => {
        const { cmp, dir } = direction(order);
        const filter = state === null ? "" : `AND state = ${q.bind(state)}`;
        const bound = after ? `AND (batch, id) ${cmp} (${q.bind(after[0])}::bigint, ${q.bind(after[1])}::bigint)` : "";
        return `SELECT ${BATCH_COLUMNS} FROM settlement_batches WHERE true ${filter} ${bound}
                ORDER BY batch ${dir}, id ${dir} LIMIT ${q.bind(limit)}`;
      },
      keyOf: (row): [bigint, bigint] => [BigInt(row.batch), BigInt(row.id)],
      toJson: (row) => settlementJson(toBatchRecord(row)),
    });
    return c.json(page, 200);
  });
}
