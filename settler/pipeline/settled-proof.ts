/**
 * Merkle proofs of an object's state against the last SETTLED root (the last confirmed
 * batch), not the tree's head: proofs may run ahead of the chain, and a proof is only
 * useful against a root the registry holds.
 *
 * One SQL statement reads the settled batch, the object's leaf (or its low leaf) and the
 * siblings as of that batch, so the answer is one consistent snapshot even while batches
 * are confirmed and old versions pruned concurrently. The proof is checked against the
 * root before it is returned.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import { fieldToHex } from "../store/field-bytes.ts";
import type { Owner } from "../../indexer/model.ts";
import { rowState } from "../stream/change-value.ts";
import type { StreamRow } from "../stream/change-stream.ts";
import { decodeCursor, encodeCursor } from "../tree/cursor.ts";
import { objectKey, objectValue } from "../tree/object-encoding.ts";
import type { Poseidon } from "../tree/poseidon.ts";
import { verifyAbsenceProof, verifyPresenceProof, type AbsenceProof, type PresenceProof } from "../tree/proof.ts";
import { zeroHashes } from "../tree/tree-hash.ts";

/** The object's state the leaf's value commits to (presence proofs). */
export interface SettledObjectState {
  version: bigint;
  digest: Uint8Array;
  owner: Owner;
  type: string | null;
}

export type SettledProof = {
  objectId: string;
  key: bigint;
  depth: number;
  /** The settled batch, its root and the cursor its stream ends at (exclusive). */
  batch: bigint;
  root: bigint;
  cursor: bigint;
  txDigest: string | null;
  /** The registry the settlement posts to (null before `settle init`). */
  registryId: string | null;
} & ({ kind: "presence"; proof: PresenceProof; object: SettledObjectState | null } | { kind: "absence"; proof: AbsenceProof });

interface Row extends Record<string, unknown> {
  depth: number;
  registry_id: string | null;
  batch: bigint;
  root: string;
  cursor: string;
  tx_digest: string | null;
  found: boolean;
  index: bigint | null;
  key: string | null;
  value: string | null;
  next_key: string | null;
  next_index: bigint | null;
  siblings: string[] | null;
}

const SQL = `
WITH s AS (
  SELECT c.depth, c.registry_id, b.batch, b.new_root, b.to_cursor, b.tx_digest
  FROM settlement_config c
  JOIN LATERAL (
    SELECT batch, new_root, to_cursor, tx_digest FROM settlement_batches
    WHERE state = 'confirmed' ORDER BY batch DESC LIMIT 1
  ) b ON true
  WHERE c.id = 1
),
exact AS (
  SELECT l.index FROM tree_leaves l, s WHERE l.key = decode($1, 'hex') AND l.batch <= s.batch LIMIT 1
),
low AS (
  SELECT l.index FROM tree_leaves l, s
  WHERE l.key < decode($1, 'hex') AND l.batch <= s.batch ORDER BY l.key DESC, l.batch DESC LIMIT 1
),
target AS (
  SELECT coalesce((SELECT index FROM exact), (SELECT index FROM low)) AS index, EXISTS (SELECT 1 FROM exact) AS found
),
leaf AS (
  SELECT l.index, l.key, l.value, l.next_key, l.next_index FROM tree_leaves l, s, target
  WHERE l.index = target.index AND l.batch <= s.batch ORDER BY l.batch DESC LIMIT 1
),
sib AS (
  SELECT g.level, (
    SELECT encode(n.hash, 'hex') FROM tree_nodes n
    WHERE n.level = g.level AND n.index = ((target.index >> g.level) # 1::bigint) AND n.batch <= s.batch
    ORDER BY n.batch DESC LIMIT 1
  ) AS hash
  FROM s, target, generate_series(0, s.depth - 1) AS g(level)
)
SELECT s.depth, s.registry_id, s.batch, encode(s.new_root, 'hex') AS root, s.to_cursor::text AS cursor, s.tx_digest, target.found,
       leaf.index, encode(leaf.key, 'hex') AS key, encode(leaf.value, 'hex') AS value,
       encode(leaf.next_key, 'hex') AS next_key, leaf.next_index,
       (SELECT array_agg(coalesce(hash, '') ORDER BY level) FROM sib) AS siblings
FROM s CROSS JOIN target LEFT JOIN leaf ON true`;

/**
 * The object's presence or absence proof against the settled root; null when nothing is
 * settled yet (no confirmed batch, or no settlement configured).
 *
 * @example
 * const settled = await readSettledProof(database, poseidon, "0x…");
 * if (settled?.kind === "presence") verifyPresenceProof(poseidon, { root: settled.root, depth: settled.depth, key: settled.key, proof: settled.proof });
 */
export async function readSettledProof(
  database: Pick<Database, "query">,
  poseidon: Poseidon,
  objectId: string,
): Promise<SettledProof | null> {
  const key = objectKey(poseidon, objectId);
  const [row] = await database.query<Row>(SQL, [fieldToHex(key)]);
  if (!row) return null;
  const broken = (why: string) =>
    new NonRetryableError(`settled tree is inconsistent: ${why}`, { details: { objectId, batch: BigInt(row.batch) } });
  if (row.index === null || row.key === null || row.value === null || row.next_key === null || row.next_index === null) {
    throw broken("no leaf or low leaf");
  }
  const depth = Number(row.depth);
  const zeros = zeroHashes(poseidon, depth);
  const siblings = (row.siblings ?? []).map((h, level) => (h === "" ? (zeros[level] as bigint) : BigInt(`0x${h}`)));
  if (siblings.length !== depth) throw broken("wrong number of siblings");
  const leafProof = {
    index: BigInt(row.index),
    leaf: { key: BigInt(`0x${row.key}`), value: BigInt(`0x${row.value}`), nextKey: BigInt(`0x${row.next_key}`), nextIndex: BigInt(row.next_index) },
    siblings,
  };
  const base = {
    objectId,
    key,
    depth,
    batch: BigInt(row.batch),
    root: BigInt(`0x${row.root}`),
    cursor: BigInt(row.cursor),
    txDigest: row.tx_digest,
    registryId: row.registry_id,
  };
  const check = { root: base.root, depth, key };
  if (row.found && leafProof.leaf.value !== 0n) {
    if (!verifyPresenceProof(poseidon, { ...check, proof: leafProof })) throw broken("presence proof does not reach the root");
    const object = await settledState(database, objectId, base.cursor);
    // The state is shown only when it is what the leaf commits to (the indexer may have
    // been pruned below it, or the object tracked by a filter that changed nothing here).
    const matches = object !== null && objectValue(poseidon, object) === leafProof.leaf.value;
    return { ...base, kind: "presence", proof: leafProof, object: matches ? object : null };
  }
  const proof: AbsenceProof = { kind: row.found ? "zeroValue" : "lowLeaf", ...leafProof };
  if (!verifyAbsenceProof(poseidon, { ...check, proof })) throw broken("absence proof does not reach the root");
  return { ...base, kind: "absence", proof };
}

interface VersionRow extends Record<string, unknown> {
  checkpoint: bigint;
  tx_sequence_number: bigint;
  version: bigint;
  digest: Uint8Array | null;
  change_kind: string;
  owner_kind: string | null;
  owner_address: string | null;
  initial_shared_version: bigint | null;
  type: string | null;
  position: bigint;
}

/**
 * The object's last state in the stream before `cursor` (exclusive): its latest versions at
 * or below the cursor's checkpoint, each placed at its stream offset.
 */
async function settledState(database: Pick<Database, "query">, objectId: string, cursor: bigint): Promise<SettledObjectState | null> {
  const { checkpoint } = decodeCursor(cursor);
  const rows = await database.query<VersionRow>(
    `SELECT v.checkpoint, v.tx_sequence_number, v.version, v.digest, v.change_kind, v.owner_kind, v.owner_address,
            v.initial_shared_version, v.type,
            (SELECT count(*) FROM object_versions o
             WHERE o.checkpoint = v.checkpoint
               AND (o.tx_sequence_number, o.object_id COLLATE "C") < (v.tx_sequence_number, v.object_id COLLATE "C")) AS position
     FROM object_versions v WHERE v.object_id = $1 AND v.checkpoint <= $2 ORDER BY v.version DESC LIMIT 4`,
    [objectId, checkpoint],
  );
  for (const row of rows) {
    if (encodeCursor(BigInt(row.checkpoint), BigInt(row.position)) >= cursor) continue;
    const streamRow: StreamRow = {
      cursor: 0n,
      checkpoint: BigInt(row.checkpoint),
      txSequenceNumber: BigInt(row.tx_sequence_number),
      objectId,
      version: BigInt(row.version),
      digest: row.digest === null ? null : typeof row.digest === "string" ? Buffer.from(String(row.digest).replace(/^\\x/, ""), "hex") : row.digest,
      changeKind: row.change_kind as StreamRow["changeKind"],
      ownerKind: row.owner_kind as StreamRow["ownerKind"],
      ownerAddress: row.owner_address,
      initialSharedVersion: row.initial_shared_version === null ? null : BigInt(row.initial_shared_version),
      type: row.type,
    };
    return rowState(streamRow);
  }
  return null;
}
