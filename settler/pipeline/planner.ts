/**
 * Plans the next batch: cuts the change stream after the head batch, applies the batch to
 * the tree, and records tree writes and the `planned` batch row in one transaction.
 *
 * Cutting [from, to), from = the head batch's to (or the start cursor):
 * - rows come from checkpoints up to min(watermark, from's checkpoint + maxSpan - 1), so
 *   to <= (from's checkpoint + maxSpan) · 2^32: never beyond what the registry accepts;
 * - rows are taken in stream order while the batch's operations fit B. An operation is a
 *   key whose last state in the batch is not "absent and 0" (coalescing; an object that
 *   stays absent costs nothing). The first row that would need a slot B+1 ends the batch,
 *   which may therefore end in the middle of a busy checkpoint: to = that row's cursor;
 * - when the span is exhausted the batch closes there, even with no operation (the
 *   cursor must still advance); when the indexer's watermark is reached first, the batch
 *   closes at watermark + 1 if it has an operation, else planning waits for more.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import type { PgTreeStore } from "../store/pg-tree-store.ts";
import { openChangeStream, type StreamRow } from "../stream/change-stream.ts";
import { rowValue } from "../stream/change-value.ts";
import { createTrackingFilter, type TrackingFilter } from "../tracking/filter.ts";
import { createPackageOriginals, type PackageOriginals } from "../tracking/packages.ts";
import { toCircuitInputJson } from "../tree/batch-input.ts";
import { buildBatch, type Batch, type StateChange } from "../tree/batch.ts";
import { decodeCursor } from "../tree/cursor.ts";
import type { IndexedMerkleTree } from "../tree/indexed-merkle-tree.ts";
import { objectKey } from "../tree/object-encoding.ts";
import type { Poseidon } from "../tree/poseidon.ts";
import type { BatchRepository, PlannedBatch } from "./batches.ts";
import type { SettlementSettings } from "./settings.ts";
import { readStreamWatermark } from "./watermark.ts";

export interface PlannerOptions {
  database: Database;
  settings: SettlementSettings;
  store: PgTreeStore;
  tree: IndexedMerkleTree;
  batches: BatchRepository;
  /** Stream rows read per query (default 2,000). */
  readChunk?: number;
}

export interface PlannedResult {
  planned: PlannedBatch;
  batch: Batch;
}

export type PlanOutcome =
  | { kind: "planned"; result: PlannedResult }
  /** Nothing to plan until the indexer moves on. */
  | { kind: "waiting"; reason: string };

export interface Planner {
  /**
   * Plans and records the next batch, or says why there is none yet.
   *
   * @example
   * const outcome = await planner.planNext();
   * if (outcome.kind === "planned") console.log(outcome.result.planned.batch);
   */
  planNext(): Promise<PlanOutcome>;
}

/** What the cut of the stream gives: the range, the coalesced operations and counts. */
interface Cut {
  toCursor: bigint;
  changes: StateChange[];
  rows: number;
  skipped: number;
}

/**
 * @example
 * const planner = createPlanner({ database, settings, store, tree, batches });
 */
export function createPlanner(options: PlannerOptions): Planner {
  const { database, settings, store, tree, batches } = options;
  const readChunk = options.readChunk ?? 2000;
  const originals = createPackageOriginals(database);
  const filter = createTrackingFilter(settings.tracking, originals.originalOf);
  const poseidon = tree.poseidon;
  const keyOf = new Map<string, bigint>();
  const key = (objectId: string): bigint => {
    let k = keyOf.get(objectId);
    if (k === undefined) {
      k = objectKey(poseidon, objectId);
      // A small memo: busy objects (shared pools, clocks) recur within a batch.
      if (keyOf.size > 100_000) keyOf.clear();
      keyOf.set(objectId, k);
    }
    return k;
  };

  const cut = async (from: bigint, lastCheckpoint: bigint, spanLimited: boolean): Promise<Cut | null> => {
    const stream = openChangeStream(database, from, lastCheckpoint);
    // Per key: last value and whether the tree holds a non-zero value; Map order = order
    // of each key's last change (re-set on every change).
    const last = new Map<bigint, bigint>();
    const treeValues = new Map<bigint, bigint>();
    const skippedKeys = new Set<bigint>();
    let operations = 0;
    let rows = 0;
    const isOperation = (k: bigint, value: bigint) => !(value === 0n && (treeValues.get(k) ?? 0n) === 0n);

    for (;;) {
      const chunk = await stream.next(readChunk);
      if (chunk.length === 0) break;
      const values = await valuesOf(chunk, filter, originals, poseidon);
      const fresh = chunk.map((r) => key(r.objectId)).filter((k) => !treeValues.has(k));
      for (const [k, v] of await store.valuesAtHead(fresh)) treeValues.set(k, v);
      for (let i = 0; i < chunk.length; i++) {
        const row = chunk[i]!;
        const k = key(row.objectId);
        const value = values[i]!;
        const before = last.has(k) && isOperation(k, last.get(k)!) ? 1 : 0;
        const after = isOperation(k, value) ? 1 : 0;
        if (operations - before + after > settings.batchSize) {
          return finish(row.cursor);
        }
        operations += after - before;
        rows++;
        last.delete(k);
        if (after) {
          last.set(k, value);
          skippedKeys.delete(k);
        } else {
          skippedKeys.add(k);
        }
      }
    }
    if (spanLimited) return finish(stream.position);
    return operations > 0 ? finish(stream.position) : null;

    function finish(toCursor: bigint): Cut {
      return { toCursor, rows, skipped: skippedKeys.size, changes: [...last].map(([k, value]) => ({ key: k, value })) };
    }
  };

  return {
    async planNext() {
      const head = store.head;
      if (head.batch < 0n) throw new NonRetryableError("the tree has no genesis: configure the settlement first");
      const headRow = head.batch === 0n ? null : await batches.get(head.batch);
      if (head.batch > 0n && !headRow) {
        throw new NonRetryableError("the tree head has no batch row", { details: { batch: head.batch } });
      }
      const from = headRow?.toCursor ?? settings.startCursor;
      const fromCheckpoint = decodeCursor(from).checkpoint;

      const watermark = await readStreamWatermark(database, filter.usesPackages);
      if (watermark === null) return { kind: "waiting", reason: "the indexer has not committed object_versions yet" };
      if (watermark < fromCheckpoint) {
        return { kind: "waiting", reason: `the indexer is at checkpoint ${watermark}, the stream continues at ${fromCheckpoint}` };
      }
      const spanEnd = fromCheckpoint + settings.maxSpan - 1n;
      const lastCheckpoint = watermark < spanEnd ? watermark : spanEnd;
      const result = await cut(from, lastCheckpoint, lastCheckpoint === spanEnd);
      if (result === null) {
        return { kind: "waiting", reason: `no tracked change up to checkpoint ${watermark}; waiting for the indexer` };
      }

      await store.prepare(result.changes.map((c) => c.key));
      const number = head.batch + 1n;
      let batch: Batch;
      try {
        batch = buildBatch(tree, result.changes, { batchSize: settings.batchSize, fromCursor: from, toCursor: result.toCursor });
      } catch (error) {
        store.discard();
        throw error;
      }
      if (batch.skipped.length > 0 || batch.operations.length !== result.changes.length) {
        store.discard();
        throw new NonRetryableError("planned operations disagree with the tree (store out of sync)", {
          details: { batch: number, planned: result.changes.length, applied: batch.operations.length },
        });
      }
      const inserts = batch.operations.filter((op) => op.kind === "insert").length;
      const planned: PlannedBatch = {
        batch: number,
        fromCursor: from,
        toCursor: result.toCursor,
        oldRoot: batch.publicInputs.oldRoot,
        newRoot: batch.publicInputs.newRoot,
        oldNextIndex: batch.publicInputs.oldNextIndex,
        newNextIndex: batch.publicInputs.newNextIndex,
        commitment: batch.publicInputs.batchCommitment,
        changes: result.rows,
        distinctKeys: batch.operations.length + result.skipped,
        inserts,
        updates: batch.operations.length - inserts,
        skipped: result.skipped,
        circuitInput: JSON.stringify(toCircuitInputJson(batch.input)),
      };
      try {
        await database.transaction(async (tx) => {
          await store.persist(tx, number);
          await batches.insertPlanned(tx, planned);
        });
      } catch (error) {
        store.discard();
        throw error;
      }
      store.commit(number);
      return { kind: "planned", result: { planned, batch } };
    },
  };
}

/** Each row's value, loading the package originals the filter needs first. */
async function valuesOf(
  rows: StreamRow[],
  filter: TrackingFilter,
  originals: PackageOriginals,
  poseidon: Poseidon,
): Promise<bigint[]> {
  if (filter.usesPackages) {
    await originals.load(rows.flatMap((r) => filter.packageIdsOf({ objectId: r.objectId, type: r.type, ownerAddress: r.ownerAddress })));
  }
  return rows.map((row) => rowValue(poseidon, filter, row));
}
