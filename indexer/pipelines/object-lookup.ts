import type { ObjectModel, TransactionModel } from "../model.ts";

/** A transaction's input and output objects by id (both decoded on first access). */
export interface ObjectLookup {
  input(objectId: string): ObjectModel | undefined;
  output(objectId: string): ObjectModel | undefined;
}

// Several pipelines look up the same transaction's objects: index them once per transaction.
const cache = new WeakMap<TransactionModel, ObjectLookup>();

/**
 * Indexes a transaction's objects by id, lazily: a transaction whose changes need no
 * object never decodes its objects.
 *
 * @example
 * const objects = objectLookup(tx);
 * const type = objects.output(change.objectId)?.type ?? null;
 */
export function objectLookup(tx: TransactionModel): ObjectLookup {
  let lookup = cache.get(tx);
  if (lookup) return lookup;
  let inputs: Map<string, ObjectModel> | undefined;
  let outputs: Map<string, ObjectModel> | undefined;
  lookup = {
    input(objectId) {
      inputs ??= new Map(tx.inputObjects.map((o) => [o.objectId, o]));
      return inputs.get(objectId);
    },
    output(objectId) {
      outputs ??= new Map(tx.outputObjects.map((o) => [o.objectId, o]));
      return outputs.get(objectId);
    },
  };
  cache.set(tx, lookup);
  return lookup;
}
