/**
 * A change-stream row as a state of the tree: key = Poseidon of the object id, value =
 * the object-state hash (settler/tree/object-encoding.ts) when the object exists and is
 * tracked, 0 when it was deleted or wrapped or is not (or no longer) tracked.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Owner } from "../../indexer/model.ts";
import type { TrackingFilter } from "../tracking/filter.ts";
import { objectValue, type ObjectState } from "../tree/object-encoding.ts";
import type { Poseidon } from "../tree/poseidon.ts";
import type { StreamRow } from "./change-stream.ts";

/** Change kinds after which the object no longer exists as itself. */
const GONE = new Set(["deleted", "wrapped", "unwrappedThenDeleted"]);

/**
 * The object's state after the change, or null when it no longer exists.
 *
 * @example
 * rowState(row); // { version, digest, owner, type } or null
 */
export function rowState(row: StreamRow): ObjectState | null {
  if (GONE.has(row.changeKind)) return null;
  if (row.digest === null || row.ownerKind === null) {
    throw new NonRetryableError("object_versions row of a live object has no digest or owner", {
      details: { objectId: row.objectId, version: row.version, changeKind: row.changeKind },
    });
  }
  return { version: row.version, digest: row.digest, owner: rowOwner(row), type: row.type };
}

/**
 * The tree value of a row: 0 when gone or untracked.
 *
 * @example
 * const value = rowValue(poseidon, filter, row);
 */
export function rowValue(poseidon: Poseidon, filter: TrackingFilter, row: StreamRow): bigint {
  const state = rowState(row);
  if (state === null) return 0n;
  if (!filter.matches({ objectId: row.objectId, type: row.type, ownerAddress: row.ownerAddress })) return 0n;
  return objectValue(poseidon, state);
}

function rowOwner(row: StreamRow): Owner {
  const need = <T>(value: T | null, what: string): T => {
    if (value === null) {
      throw new NonRetryableError(`object_versions row has no ${what} for its owner kind`, {
        details: { objectId: row.objectId, version: row.version, ownerKind: row.ownerKind },
      });
    }
    return value;
  };
  switch (row.ownerKind) {
    case "address":
    case "object":
      return { kind: row.ownerKind, address: need(row.ownerAddress, "owner address") };
    case "shared":
      return { kind: "shared", initialSharedVersion: need(row.initialSharedVersion, "initial shared version") };
    case "immutable":
      return { kind: "immutable" };
    case "consensusAddress":
      return {
        kind: "consensusAddress",
        address: need(row.ownerAddress, "owner address"),
        startVersion: need(row.initialSharedVersion, "start version"),
      };
    default:
      throw new NonRetryableError("object_versions row has an unknown owner kind", {
        details: { objectId: row.objectId, ownerKind: String(row.ownerKind) },
      });
  }
}
