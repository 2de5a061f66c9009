import type { ObjectModel, TransactionModel } from "../model.ts";

/** A transaction's input and output objects by id (both decoded on first access). */
export interface ObjectLookup {
  input(objectId: string): ObjectModel | undefined;
  output(objectId: string): ObjectModel | undefined;
}

// Several pipelines look up the same transaction's objects: index them once per transaction.
const cache = new WeakMap<TransactionModel, ObjectLookup>();

/** Below this many objects a scan beats building a Map (transactions touch ~8 objects). */
const SCAN_LIMIT = 24;

function finder(objects: () => ObjectModel[]): (objectId: string) => ObjectModel | undefined {
  let list: ObjectModel[] | undefined;
  let byId: Map<string, ObjectModel> | undefined;
  return (objectId) => {
    list ??= objects();
    if (list.length <= SCAN_LIMIT) {
      for (const object of list) if (object.objectId === objectId) return object;
      return undefined;
    }
    if (!byId) {
      byId = new Map();
      for (const object of list) byId.set(object.objectId, object);
    }
    return byId.get(objectId);
  };
}

/**
 * Finds a transaction's objects by id, lazily: a transaction whose changes need no object
 * never decodes its objects.
 *
 * @example
 * const objects = objectLookup(tx);
 * const type = objects.output(change.objectId)?.type ?? null;
 */
export function objectLookup(tx: TransactionModel): ObjectLookup {
  let lookup = cache.get(tx);
  if (!lookup) {
    lookup = { input: finder(() => tx.inputObjects), output: finder(() => tx.outputObjects) };
    cache.set(tx, lookup);
  }
  return lookup;
}
