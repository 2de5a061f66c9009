import { NonRetryableError } from "../../common/errors.ts";
import type { CheckpointModel, TransactionModel } from "../model.ts";
import type { TransactionSelection } from "./types.ts";

const ADDRESS = /0x[0-9a-f]{64}/g;

/** A package id -> original id pair, as stored in the packages table. */
export interface KnownPackage {
  storageId: string;
  originalId: string;
}

export interface PackageFilter {
  /** The original ids selected (canonical form). */
  readonly originalIds: ReadonlySet<string>;
  /**
   * Which transactions of the checkpoint touch a selected package. Must be called for
   * every checkpoint in order: packages published or upgraded by a transaction are learned
   * before the next transaction is looked at.
   */
  select(checkpoint: CheckpointModel): TransactionSelection;
  /** The original id of a package id: its own id unless it is a known upgraded version. */
  originalOf(packageId: string): string;
}

/**
 * Selects transactions that touch given packages, named by original id so that every
 * upgraded version matches. A transaction touches a package when it calls it, emits an
 * event from it or of a type defined in it, changes (or deletes) an object whose type
 * mentions it (outer type or type argument), or publishes or upgrades a version of it.
 *
 * Upgraded versions are recognized by the packages table (`known`, loaded at start) and by
 * the packages the indexed checkpoints publish; an upgrade published before the first
 * indexed checkpoint is unknown unless its id is named too.
 *
 * @example
 * const filter = createPackageFilter(["0x…dee9"], await loadKnownPackages(db, ["0x…dee9"]));
 * const selection = filter.select(checkpoint); // [true, false, …]
 */
export function createPackageFilter(originalIds: Iterable<string>, known: Iterable<KnownPackage> = []): PackageFilter {
  const selected = new Set(Array.from(originalIds, normalizeId));
  const originalById = new Map<string, string>();
  for (const p of known) originalById.set(p.storageId, p.originalId);
  const originalOf = (id: string) => originalById.get(id) ?? id;
  const mentionsSelected = (type: string | null) => {
    if (type === null) return false;
    for (const match of type.matchAll(ADDRESS)) if (selected.has(originalOf(match[0]))) return true;
    return false;
  };

  const touches = (tx: TransactionModel): boolean => {
    // Learn this transaction's packages first: a publish touches its own package.
    let publishes = false;
    if (tx.changedObjects.some((c) => c.isPackage && c.outputVersion !== null)) {
      for (const object of tx.outputObjects) {
        if (!object.isPackage) continue;
        const original = object.packageOriginalId ?? object.objectId;
        originalById.set(object.objectId, original);
        if (selected.has(original)) publishes = true;
      }
    }
    if (publishes) return true;
    if (tx.moveCalls.some((call) => selected.has(originalOf(call.package)))) return true;
    if (tx.events.some((event) => selected.has(originalOf(event.packageId)) || mentionsSelected(event.type))) {
      return true;
    }
    const changed = new Set<string>();
    for (const change of tx.changedObjects) if (!change.accumulatorWrite && !change.isPackage) changed.add(change.objectId);
    if (changed.size === 0) return false;
    for (const object of tx.outputObjects) if (changed.has(object.objectId) && mentionsSelected(object.type)) return true;
    for (const object of tx.inputObjects) if (changed.has(object.objectId) && mentionsSelected(object.type)) return true;
    return false;
  };

  return {
    originalIds: selected,
    originalOf,
    select(checkpoint) {
      return checkpoint.transactions.map(touches);
    },
  };
}

/**
 * `0x2`, `2` or upper case -> `0x` + 64 lowercase hex digits; throws on anything else.
 *
 * @example
 * normalizeId("0x2"); // "0x000…0002"
 */
export function normalizeId(id: string): string {
  const hex = id.trim().toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{1,64}$/.test(hex)) throw new NonRetryableError("Not a Sui object id", { details: { id } });
  return `0x${hex.padStart(64, "0")}`;
}
