/**
 * The change stream (DESIGN.md, "Batches"): every object version the indexer recorded
 * (object_versions: the effects' changed objects, accumulator writes excluded), ordered
 * by checkpoint, then transaction, then object id. A row's cursor is
 * checkpoint * 2^32 + offset, the offset counting the checkpoint's rows in that order
 * before any tracking filter, so positions never depend on what is tracked.
 *
 * The reader never goes past the checkpoint it is given (the caller bounds it by the
 * indexer's watermark): rows above a watermark may still be uncommitted.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import type { ObjectChangeKind, OwnerKind } from "../../indexer/model.ts";
import { decodeCursor, encodeCursor } from "../tree/cursor.ts";

export interface StreamRow {
  cursor: bigint;
  checkpoint: bigint;
  txSequenceNumber: bigint;
  objectId: string;
  version: bigint;
  /** Null when deleted or wrapped. */
  digest: Uint8Array | null;
  changeKind: ObjectChangeKind;
  ownerKind: OwnerKind | null;
  ownerAddress: string | null;
  /** Shared: initial shared version; consensus-address: start version. */
  initialSharedVersion: bigint | null;
  type: string | null;
}

export interface ChangeStream {
  /**
   * The next rows in stream order, at most `limit`; fewer (possibly none) at the end of
   * the range.
   */
  next(limit: number): Promise<StreamRow[]>;
  /** The cursor of the next row not yet returned (the end of what was read). */
  readonly position: bigint;
}

interface RawRow extends Record<string, unknown> {
  checkpoint: bigint;
  tx_sequence_number: bigint;
  object_id: string;
  version: bigint;
  digest: Uint8Array | string | null;
  change_kind: string;
  owner_kind: string | null;
  owner_address: string | null;
  initial_shared_version: bigint | null;
  type: string | null;
}

const COLUMNS = `checkpoint, tx_sequence_number, object_id, version, digest, change_kind, owner_kind,
  owner_address, initial_shared_version, type`;
// Byte order of the canonical 0x + hex ids, whatever the database's collation.
const ORDER = `checkpoint, tx_sequence_number, object_id COLLATE "C"`;

/**
 * Opens the stream at `from` (a cursor), reading no row of a checkpoint above
 * `lastCheckpoint`.
 *
 * @example
 * const stream = openChangeStream(database, encodeCursor(100n, 0n), 120n);
 * for (let rows = await stream.next(1000); rows.length > 0; rows = await stream.next(1000)) …
 */
export function openChangeStream(
  database: Pick<Database, "query">,
  from: bigint,
  lastCheckpoint: bigint,
): ChangeStream {
  const start = decodeCursor(from);
  let checkpoint = start.checkpoint;
  let offset = start.offset;
  let last: { tx: bigint; objectId: string } | null = null;
  let done = checkpoint > lastCheckpoint;

  const read = async (limit: number): Promise<RawRow[]> => {
    if (last === null) {
      // First read: skip `offset` rows of the starting checkpoint, then go on by keyset.
      const first = await database.query<RawRow>(
        `SELECT ${COLUMNS} FROM object_versions WHERE checkpoint = $1 ORDER BY ${ORDER} OFFSET $2 LIMIT $3`,
        [checkpoint, offset, limit],
      );
      if (first.length === limit) return first;
      const rest = await database.query<RawRow>(
        `SELECT ${COLUMNS} FROM object_versions WHERE checkpoint > $1 AND checkpoint <= $2 ORDER BY ${ORDER} LIMIT $3`,
        [checkpoint, lastCheckpoint, limit - first.length],
      );
      return [...first, ...rest];
    }
    return database.query<RawRow>(
      `SELECT ${COLUMNS} FROM object_versions
       WHERE (checkpoint, tx_sequence_number, object_id COLLATE "C") > ($1, $2, $3::text COLLATE "C") AND checkpoint <= $4
       ORDER BY ${ORDER} LIMIT $5`,
      [checkpoint, last.tx, last.objectId, lastCheckpoint, limit],
    );
  };

  return {
    get position() {
      return done ? encodeCursor(lastCheckpoint + 1n, 0n) : encodeCursor(checkpoint, offset);
    },
    async next(limit) {
      if (!Number.isInteger(limit) || limit < 1) {
        throw new NonRetryableError("stream read limit must be a positive integer", { details: { limit } });
      }
      if (done) return [];
      const raw = await read(limit);
      const rows: StreamRow[] = [];
      for (const r of raw) {
        const cp = BigInt(r.checkpoint);
        if (cp !== checkpoint) {
          checkpoint = cp;
          offset = 0n;
        }
        rows.push(toRow(r, encodeCursor(cp, offset)));
        offset++;
        last = { tx: BigInt(r.tx_sequence_number), objectId: r.object_id };
      }
      if (raw.length < limit) done = true;
      return rows;
    },
  };
}

function toRow(r: RawRow, cursor: bigint): StreamRow {
  return {
    cursor,
    checkpoint: BigInt(r.checkpoint),
    txSequenceNumber: BigInt(r.tx_sequence_number),
    objectId: r.object_id,
    version: BigInt(r.version),
    digest: r.digest === null ? null : bytes(r.digest),
    changeKind: r.change_kind as ObjectChangeKind,
    ownerKind: r.owner_kind as OwnerKind | null,
    ownerAddress: r.owner_address,
    initialSharedVersion: r.initial_shared_version === null ? null : BigInt(r.initial_shared_version),
    type: r.type,
  };
}

function bytes(value: Uint8Array | string): Uint8Array {
  if (typeof value === "string") return Buffer.from(value.startsWith("\\x") ? value.slice(2) : value, "hex");
  return value;
}
