/**
 * Test support: hand-built checkpoints whose transactions create, mutate, transfer,
 * delete or wrap objects, indexed into object_versions by the real pipelines and
 * committer, so the settler reads exactly what the indexer writes.
 */
import type { CheckpointModel, ChangedObject, ObjectModel, Owner, TransactionModel } from "../../indexer/model.ts";
import { addr, buildCheckpoint, buildObject, buildTransaction, digestOf } from "../../indexer/pipelines/test-builders.ts";
import type { PipelineName } from "../../indexer/pipelines/index.ts";
import { indexCheckpoints } from "../../api/testing.ts";
import type { Database } from "../../schema/db.ts";
import type { ObjectState } from "../tree/object-encoding.ts";

export { addr };

/** One object change in a transaction. */
export interface Write {
  /** Object number: its id is addr(object). */
  object: number;
  kind?: "created" | "mutated" | "deleted" | "wrapped";
  /** Default: the address 0xa11ce. */
  owner?: Owner;
  /** Default: 0x…abc::thing::Thing. */
  type?: string | null;
}

export const THING = `${addr(0xabc)}::thing::Thing`;
export const ALICE = addr(0xa11ce);
export const BOB = addr(0xb0b);

/**
 * Builds consecutive checkpoints; object versions grow by one per write, so every state
 * differs.
 *
 * @example
 * const chain = new ChainBuilder(100n);
 * const cp = chain.checkpoint([[{ object: 1 }], [{ object: 2 }, { object: 1, kind: "mutated" }]]);
 * await indexStream(database, [cp]);
 */
export class ChainBuilder {
  #next: bigint;
  #txBefore = 1000n;
  readonly #versions = new Map<number, bigint>();
  readonly #states = new Map<number, ObjectModel>();

  constructor(firstCheckpoint: bigint) {
    this.#next = firstCheckpoint;
  }

  /** The sequence number the next checkpoint gets. */
  get nextSequence(): bigint {
    return this.#next;
  }

  /** Skips checkpoints (as if they had no changes) */
  skip(count: bigint): void {
    this.#next += count;
  }

  /** The object's state after its last write, as the tree encodes it; null when gone. */
  stateOf(object: number): ObjectState | null {
    const state = this.#states.get(object);
    if (!state) return null;
    return { version: state.version, digest: digestOf(Number(state.version) + object * 7), owner: state.owner, type: state.type };
  }

  /** One checkpoint; each inner list is a transaction. */
  checkpoint(transactions: Write[][]): CheckpointModel {
    const txs = transactions.map((writes) => this.#transaction(writes));
    const checkpoint = buildCheckpoint(this.#next, { txBefore: this.#txBefore, transactions: txs });
    this.#txBefore += BigInt(txs.length);
    this.#next++;
    return checkpoint;
  }

  #transaction(writes: Write[]): TransactionModel {
    const changed: ChangedObject[] = [];
    const inputs: ObjectModel[] = [];
    const outputs: ObjectModel[] = [];
    let lamport = 0n;
    for (const w of writes) {
      const version = (this.#versions.get(w.object) ?? 0n) + 1n;
      if (version > lamport) lamport = version;
    }
    // Like Sui: every object the transaction writes (or deletes) gets its lamport version.
    for (const w of writes) this.#versions.set(w.object, lamport);
    for (const w of writes) {
      const id = addr(w.object);
      const kind = w.kind ?? (this.#states.has(w.object) ? "mutated" : "created");
      const before = kind === "created" ? null : (this.#states.get(w.object) ?? buildObject({ objectId: id, version: lamport - 1n, type: w.type === undefined ? THING : w.type }));
      const after =
        kind === "deleted" || kind === "wrapped"
          ? null
          : buildObject({
              objectId: id,
              version: lamport,
              owner: w.owner ?? before?.owner ?? { kind: "address", address: ALICE },
              type: w.type === undefined ? (before?.type ?? THING) : w.type,
            });
      if (before) inputs.push(before);
      if (after) outputs.push(after);
      if (after) this.#states.set(w.object, after);
      else this.#states.delete(w.object);
      changed.push({
        objectId: id,
        kind,
        inputVersion: before?.version ?? null,
        inputDigest: before ? digestOf(Number(before.version)) : null,
        inputOwner: before?.owner ?? null,
        outputVersion: after ? lamport : null,
        outputDigest: after ? digestOf(Number(lamport) + w.object * 7) : null,
        outputOwner: after?.owner ?? null,
        isPackage: false,
        accumulatorWrite: null,
      });
    }
    return buildTransaction({ lamportVersion: lamport, changedObjects: changed, inputObjects: inputs, outputObjects: outputs });
  }
}

const STREAM_PIPELINES: PipelineName[] = ["object_versions", "packages"];

/**
 * Indexes checkpoints through the object_versions and packages pipelines (one commit
 * each, watermarks moving with them).
 */
export async function indexStream(database: Database, checkpoints: readonly CheckpointModel[]): Promise<void> {
  await indexCheckpoints(database, checkpoints, STREAM_PIPELINES);
}
