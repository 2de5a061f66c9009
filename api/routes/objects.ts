/**
 * Objects: the live state of one object, its version history, and the live objects of an
 * owner or of a type. The lists read the state as of the pinned checkpoint from the version
 * history, so that paging through them while the indexer writes never skips or repeats
 * an object; the single object reads the live table.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, RouteContext } from "../context.ts";
import { ApiError, errorResponses, notFound } from "../errors.ts";
import { Address, base58OrNull, Digest, itemEnvelope, listEnvelope, Owner, ownerOf, U64 } from "../json.ts";
import { distinctTypes, typeRange } from "../lanes.ts";
import { listPage, type PinSql } from "../paging.ts";
import { address, paging, typeFilter, typeFilterKey, type TypeFilter } from "../params.ts";
import { decimal, direction, type Params } from "../sql.ts";

export const ObjectState = z
  .object({
    object_id: Address,
    version: U64,
    digest: Digest,
    owner: Owner,
    type: z.string().nullable().openapi({ description: "Move type; null for packages" }),
    checkpoint: U64.openapi({ description: "Checkpoint of the transaction that wrote this version" }),
    previous_transaction: Digest.nullable().openapi({ description: "The transaction that wrote this version" }),
  })
  .openapi("Object");
export type ObjectState = z.infer<typeof ObjectState>;

export const ObjectVersion = z
  .object({
    object_id: Address,
    version: U64,
    digest: Digest.nullable().openapi({ description: "Null when deleted or wrapped" }),
    change_kind: z.enum(["created", "mutated", "deleted", "wrapped", "unwrapped", "unwrappedThenDeleted"]),
    owner: Owner.nullable().openapi({ description: "Null when deleted or wrapped" }),
    type: z.string().nullable(),
    checkpoint: U64,
    transaction_digest: Digest.nullable(),
  })
  .openapi("ObjectVersion");
export type ObjectVersion = z.infer<typeof ObjectVersion>;

interface VersionRow extends Record<string, unknown> {
  object_id: string;
  version: bigint;
  digest: Uint8Array | null;
  change_kind: string;
  owner_kind: string | null;
  owner_address: string | null;
  initial_shared_version: bigint | null;
  type: string | null;
  checkpoint: bigint;
  tx_digest: Uint8Array | null;
}

function stateJson(row: VersionRow): ObjectState {
  return {
    object_id: row.object_id,
    version: decimal(row.version),
    digest: base58OrNull(row.digest) ?? "",
    owner: ownerOf(row.owner_kind, row.owner_address, row.initial_shared_version)!,
    type: row.type,
    checkpoint: decimal(row.checkpoint),
    previous_transaction: base58OrNull(row.tx_digest),
  };
}

function versionJson(row: VersionRow): ObjectVersion {
  return {
    object_id: row.object_id,
    version: decimal(row.version),
    digest: base58OrNull(row.digest),
    change_kind: row.change_kind as ObjectVersion["change_kind"],
    owner: ownerOf(row.owner_kind, row.owner_address, row.initial_shared_version),
    type: row.type,
    checkpoint: decimal(row.checkpoint),
    transaction_digest: base58OrNull(row.tx_digest),
  };
}

/** Change kinds after which the object exists (with an owner and a digest). */
const ALIVE = `('created', 'mutated', 'unwrapped')`;
const tags = ["objects"];
const ObjectIdParams = z.object({ object_id: address("Object id") });

const byIdRoute = createRoute({
  method: "get",
  path: "/v1/objects/{object_id}",
  tags,
  summary: "An object's live state",
  request: { params: ObjectIdParams, query: z.object({}).strict() },
  responses: {
    200: { description: "The object as of the indexed checkpoint", content: { "application/json": { schema: itemEnvelope("ObjectResponse", ObjectState) } } },
    ...errorResponses,
  },
});

const versionsRoute = createRoute({
  method: "get",
  path: "/v1/objects/{object_id}/versions",
  tags,
  summary: "An object's version history, paged",
  request: { params: ObjectIdParams, query: z.object(paging("desc")).strict() },
  responses: {
    200: { description: "A page of versions", content: { "application/json": { schema: listEnvelope("ObjectVersionPage", ObjectVersion) } } },
    ...errorResponses,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/objects",
  tags,
  summary: "Live objects of an owner or of a type, by object id, as of a pinned checkpoint",
  request: {
    query: z
      .object({
        owner: address("Owner address (address-, object- or consensus-address-owned)").optional(),
        type: typeFilter("Object type: a package id, package::module, package::module::Type or a full type").optional(),
        ...paging("asc"),
      })
      .strict(),
  },
  responses: {
    200: { description: "A page of objects", content: { "application/json": { schema: listEnvelope("ObjectPage", ObjectState) } } },
    ...errorResponses,
  },
});

const VERSION_COLUMNS = `v.object_id, v.version, v.digest, v.change_kind, v.owner_kind, v.owner_address,
  v.initial_shared_version, v.type, v.checkpoint, t.digest AS tx_digest`;
/** The same columns from the live objects table (`ov`), which has no change kind: every row is alive. */
const LIVE_COLUMNS = `ov.object_id, ov.version, ov.digest, NULL::text AS change_kind, ov.owner_kind, ov.owner_address,
  ov.initial_shared_version, ov.type, ov.checkpoint, t.digest AS tx_digest`;

/** The type condition on candidate rows `ov`, on object_versions_type_idx (text_pattern_ops). */
function typeCondition(q: Params, filter: TypeFilter): string {
  if (filter.kind === "exact") return `ov.type = ${q.bind(filter.type)}`;
  if (filter.kind === "name") {
    return `(ov.type = ${q.bind(filter.name)} OR (ov.type ~>=~ ${q.bind(`${filter.name}<`)} AND ov.type ~<~ ${q.bind(`${filter.name}=`)}))`;
  }
  const [lo, hi] = typeRange(filter);
  return `ov.type ~>=~ ${q.bind(lo)} AND ov.type ~<~ ${q.bind(hi)}`;
}

/**
 * @example
 * registerObjectRoutes(app, ctx); // GET /v1/objects, /v1/objects/{object_id}, /v1/objects/{object_id}/versions
 */
export function registerObjectRoutes(app: ApiApp, ctx: RouteContext): void {
  const { database } = ctx;

  app.openapi(byIdRoute, async (c) => {
    const { object_id } = c.req.valid("param");
    // One statement, one snapshot: the live row and the watermark it is consistent with.
    const [row] = await database.query<VersionRow & { pin: bigint | null }>(
      `SELECT w.checkpoint_hi_inclusive AS pin, v.object_id, v.version, v.digest, 'live' AS change_kind,
              v.owner_kind, v.owner_address, v.initial_shared_version, v.type, v.checkpoint, t.digest AS tx_digest
       FROM watermarks w
       LEFT JOIN objects v ON v.object_id = $1
       LEFT JOIN transactions t ON t.tx_sequence_number = v.tx_sequence_number
       WHERE w.pipeline = 'objects'`,
      [object_id],
    );
    if (!row || row.pin === null) throw notFound("no objects indexed yet");
    if (row.object_id === null) {
      throw notFound("object is not live at the indexed checkpoint (see its versions for its history)", {
        object_id,
        checkpoint: decimal(row.pin),
      });
    }
    return c.json({ checkpoint: decimal(row.pin), data: stateJson(row) }, 200);
  });

  app.openapi(versionsRoute, async (c) => {
    const { object_id } = c.req.valid("param");
    const query = c.req.valid("query");
    const page = await listPage(ctx, query, {
      kind: "object_versions",
      filters: { object_id },
      shape: ["u64"],
      pipelines: ["object_versions", "transactions"],
      query: ({ q, pin, after, order, limit }) => {
        const { cmp, dir } = direction(order);
        const bound = after ? `AND v.version ${cmp} ${q.bind(after[0])}` : "";
        return `SELECT ${VERSION_COLUMNS}
           FROM object_versions v LEFT JOIN transactions t ON t.tx_sequence_number = v.tx_sequence_number
           WHERE v.object_id = ${q.bind(object_id)} AND v.checkpoint <= ${pin.checkpoint} ${bound}
           ORDER BY v.version ${dir} LIMIT ${q.bind(limit)}`;
      },
      keyOf: (row: VersionRow): [bigint] => [BigInt(row.version)],
      toJson: versionJson,
    });
    return c.json(page, 200);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    if ((query.owner === undefined) === (query.type === undefined)) {
      throw new ApiError(400, "invalid_parameter", "exactly one of owner, type is required", {
        parameter: query.owner === undefined ? "owner" : "type",
      });
    }
    const live = (candidates: string, keyColumns: string, orderBy: string, pin: PinSql, extra: string) =>
      // For each candidate (an object with some version matching the filter), its latest
      // version at or below the pin (object_versions_pkey, backwards) must be alive and
      // still match: the state as of the pinned checkpoint.
      `SELECT ${VERSION_COLUMNS}, ${keyColumns}
       FROM (${candidates}) cand
       CROSS JOIN LATERAL (
         SELECT * FROM object_versions ov
         WHERE ov.object_id = cand.object_id AND ov.checkpoint <= ${pin.checkpoint}
         ORDER BY ov.version DESC LIMIT 1
       ) v
       LEFT JOIN transactions t ON t.tx_sequence_number = v.tx_sequence_number
       WHERE v.change_kind IN ${ALIVE} ${extra}
       ORDER BY ${orderBy}`;

    // When the live objects table stands exactly at the pin (the objects pipeline's watermark
    // is the pinned checkpoint: the usual case), it holds the answer directly, in object id
    // order off its own indexes. Otherwise (the pipeline runs elsewhere, lags, or is off) the
    // state as of the pin comes from object_versions. Both branches are in one statement; the
    // gate has no row reference, so Postgres evaluates it once and skips the other branch.
    const liveIsPin = (pin: PinSql) =>
      `COALESCE((SELECT checkpoint_hi_inclusive FROM watermarks WHERE pipeline = 'objects') = ${pin.checkpoint}, false)`;
    const fromLiveTable = (rows: string, pin: PinSql, dir: string, limit: string) =>
      `SELECT ${LIVE_COLUMNS}, ov.object_id AS key_id
       FROM (${rows}) ov LEFT JOIN transactions t ON t.tx_sequence_number = ov.tx_sequence_number
       WHERE ${liveIsPin(pin)}
       ORDER BY ov.object_id ${dir} LIMIT ${limit}`;
    const either = (fast: string, slow: string, dir: string, limit: string) =>
      `SELECT * FROM ((${fast}) UNION ALL (${slow} LIMIT ${limit})) answer ORDER BY answer.key_id ${dir} LIMIT ${limit}`;

    if (query.owner !== undefined) {
      const owner = query.owner;
      const page = await listPage(ctx, query, {
        kind: "objects_by_owner",
        filters: { owner },
        shape: ["address"],
        pipelines: ["object_versions", "transactions"],
        query: ({ q, pin, after, order, limit }) => {
          const { cmp, dir } = direction(order);
          const o = q.bind(owner);
          const bound = after ? `AND ov.object_id ${cmp} ${q.bind(after[0])}` : "";
          // Candidates stream in object id order off object_versions_owner_idx.
          const candidates = `SELECT DISTINCT ov.object_id FROM object_versions ov
            WHERE ov.owner_address = ${o} ${bound} ORDER BY ov.object_id ${dir}`;
          const l = q.bind(limit);
          const liveRows = `SELECT * FROM objects ov WHERE ov.owner_address = ${o} ${bound} ORDER BY ov.object_id ${dir} LIMIT ${l}`;
          const slow = live(candidates, "cand.object_id AS key_id", `cand.object_id ${dir}`, pin, `AND v.owner_address = ${o} AND NOT ${liveIsPin(pin)}`);
          return either(fromLiveTable(liveRows, pin, dir, l), slow, dir, l);
        },
        keyOf: (row: VersionRow): [string] => [row.object_id],
        toJson: stateJson,
      });
      return c.json(page, 200);
    }

    const type = query.type!;
    // One lane per matching type when they are few (api/lanes.ts): each streams its objects
    // in id order off object_versions_type_idx, and the lanes merge (Merge Append).
    const types = type.kind === "exact" ? [type.type] : await distinctTypes(database, "object_versions", type);
    const page = await listPage(ctx, query, {
      kind: "objects_by_type",
      filters: { type: `${type.kind}:${typeFilterKey(type)}` },
      shape: ["address"],
      pipelines: ["object_versions", "transactions"],
      query: ({ q, pin, after, order, limit }) => {
        const { cmp, dir } = direction(order);
        const a = after ? q.bind(after[0]) : null;
        const bound = a ? `AND ov.object_id ${cmp} ${a}` : "";
        const l = q.bind(limit);
        let candidates: string;
        let liveRows: string;
        if (types === null) {
          liveRows = `SELECT * FROM objects ov WHERE ${typeCondition(q, type)} ${bound} ORDER BY ov.object_id ${dir} LIMIT ${l}`;
          candidates = `SELECT DISTINCT ov.object_id FROM object_versions ov
            WHERE ${typeCondition(q, type)} ${bound} ORDER BY ov.object_id ${dir}`;
        } else if (types.length === 0) {
          candidates = `SELECT NULL::text AS object_id WHERE false`;
          liveRows = `SELECT * FROM objects ov WHERE false`;
        } else {
          const liveLanes = types.map(
            (t) => `(SELECT * FROM objects ov WHERE ov.type = ${q.bind(t)} ${bound} ORDER BY ov.object_id ${dir} LIMIT ${l})`,
          );
          liveRows = `SELECT * FROM (${liveLanes.join(" UNION ALL ")}) ov ORDER BY ov.object_id ${dir} LIMIT ${l}`;
          const lanes = types.map(
            (t) => `(SELECT ov.object_id FROM object_versions ov WHERE ov.type = ${q.bind(t)} ${bound} ORDER BY ov.object_id ${dir})`,
          );
          candidates = `SELECT DISTINCT lanes.object_id FROM (${lanes.join(" UNION ALL ")}) lanes ORDER BY lanes.object_id ${dir}`;
        }
        const slow = live(candidates, "cand.object_id AS key_id", `cand.object_id ${dir}`, pin, `AND NOT ${liveIsPin(pin)}`);
        return either(fromLiveTable(liveRows, pin, dir, l), slow, dir, l);
      },
      keyOf: (row: VersionRow): [string] => [row.object_id],
      toJson: stateJson,
    });
    return c.json(page, 200);
  });
}
