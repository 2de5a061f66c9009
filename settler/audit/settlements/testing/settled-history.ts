/**
 * Test support: a settled history end to end. Synthetic data checkpoints (real BCS), batches
 * cut from their change stream as the settler's planner cuts them (operations fill B slots;
 * the first row needing slot B + 1 ends the batch), real Groth16 proofs from a dev setup,
 * and checkpoints holding the registry's creation and settle transactions written after
 * the data (chain-writer.ts). Tests forge any part of a settlement before writing it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeChk } from "../../../../indexer/decode/chk.ts";
import { checkpointFileName } from "../../../../indexer/decode/file.ts";
import type { CheckpointModel } from "../../../../indexer/model.ts";
import { generateCheckpoints } from "../../../../indexer/synthetic/generate.ts";
import { proveBatch } from "../../../../circuits/setup/prove.ts";
import type { SetupArtifacts } from "../../../prover/setup-artifacts.ts";
import type { StreamRow } from "../../../stream/change-stream.ts";
import { rowValue } from "../../../stream/change-value.ts";
import type { TrackingFilter } from "../../../tracking/filter.ts";
import { toCircuitInputJson } from "../../../tree/batch-input.ts";
import { buildBatch, type Batch, type StateChange } from "../../../tree/batch.ts";
import type { IndexedMerkleTree } from "../../../tree/indexed-merkle-tree.ts";
import { objectKey } from "../../../tree/object-encoding.ts";
import { createChainWriter, type RegistryCreation, type RotationApplied, type RotationProposal, type SettlementWrite } from "./chain-writer.ts";

/** An admin step written between settlements. */
export type AdminStep = { propose: RotationProposal } | { apply: RotationApplied };

export interface DataSet {
  first: bigint;
  last: bigint;
  /** `.chk` bytes by sequence number. */
  files: Map<bigint, Uint8Array>;
  checkpoints: CheckpointModel[];
}

/**
 * Small synthetic checkpoints: a few transactions each, a prologue (the clock) in every one
 * and a randomness update in about half of them.
 */
export async function generateData(dir: string, first: bigint, count: number, seed: number): Promise<DataSet> {
  const summary = await generateCheckpoints({
    dir,
    first,
    count,
    format: "chk",
    seed,
    shape: { transactionsPerCheckpoint: 4, systemTransactionsPerCheckpoint: 2, eventsPerTransaction: 1, moveCallsPerTransaction: 1 },
  });
  const files = new Map<bigint, Uint8Array>();
  const checkpoints: CheckpointModel[] = [];
  summary.files.forEach((path, i) => {
    const bytes = new Uint8Array(readFileSync(path));
    files.set(first + BigInt(i), bytes);
    checkpoints.push(decodeChk(bytes, path));
  });
  return { first, last: first + BigInt(count - 1), files, checkpoints };
}

export interface HonestBatch {
  batch: bigint;
  fromCursor: bigint;
  toCursor: bigint;
  changes: StateChange[];
  built: Batch;
}

/**
 * Cuts `rows` (in stream order, from `fromCursor`) into batches of at most `batchSize`
 * operations and applies them to `tree`; the last batch ends at `endCursor`.
 */
export function planBatches(
  tree: IndexedMerkleTree,
  filter: TrackingFilter,
  rows: readonly StreamRow[],
  options: { batchSize: number; fromCursor: bigint; endCursor: bigint; firstBatch?: bigint },
): HonestBatch[] {
  const out: HonestBatch[] = [];
  let from = options.fromCursor;
  let last = new Map<bigint, bigint>();
  let operations = 0;
  const isOperation = (key: bigint, value: bigint): boolean => !(value === 0n && tree.valueOf(key) === 0n);
  const close = (to: bigint): void => {
    const changes = [...last].map(([key, value]) => ({ key, value }));
    const built = buildBatch(tree, changes, { batchSize: options.batchSize, fromCursor: from, toCursor: to });
    out.push({ batch: (options.firstBatch ?? 1n) + BigInt(out.length), fromCursor: from, toCursor: to, changes, built });
    from = to;
    last = new Map();
    operations = 0;
  };
  for (const row of rows) {
    if (row.cursor < from) continue;
    if (row.cursor >= options.endCursor) break;
    const key = objectKey(tree.poseidon, row.objectId);
    const value = rowValue(tree.poseidon, filter, row);
    const before = last.has(key) && isOperation(key, last.get(key)!) ? 1 : 0;
    const after = isOperation(key, value) ? 1 : 0;
    if (operations - before + after > options.batchSize) close(row.cursor);
    // After a cut the row opens the next batch, against the tree the cut batch left.
    const was = last.has(key) && isOperation(key, last.get(key)!) ? 1 : 0;
    operations += (isOperation(key, value) ? 1 : 0) - was;
    last.delete(key);
    last.set(key, value);
  }
  if (operations > 0) close(options.endCursor);
  return out;
}

/** A Groth16 proof of the batch, in Sui bytes. */
export async function proveHonestBatch(artifacts: SetupArtifacts, batch: Batch): Promise<Uint8Array> {
  const proved = await proveBatch({ zkeyPath: artifacts.zkey, wasmPath: artifacts.wasm, input: toCircuitInputJson(batch.input) });
  return proved.suiProofBytes;
}

/** The settle call and event of a batch, as the settler would post it. */
export function settlementOf(batch: HonestBatch, proof: Uint8Array): SettlementWrite {
  const p = batch.built.publicInputs;
  return {
    batch: batch.batch,
    oldRoot: p.oldRoot,
    newRoot: p.newRoot,
    oldNextIndex: p.oldNextIndex,
    newNextIndex: p.newNextIndex,
    batchCommitment: p.batchCommitment,
    fromCursor: p.fromCursor,
    toCursor: p.toCursor,
    proof,
  };
}

export interface WrittenHistory {
  dir: string;
  registryId: string;
  packageId: string;
  /** The checkpoint that created the registry. */
  createdIn: bigint;
  /** Checkpoint of each settlement, in order. */
  settledIn: bigint[];
  last: bigint;
}

/**
 * Writes the data checkpoints and, after them, the registry's creation and one checkpoint
 * per step (a settlement or a key-rotation step), into `dir`.
 */
export function writeHistory(
  dir: string,
  data: DataSet,
  creation: RegistryCreation,
  steps: readonly (SettlementWrite | AdminStep)[],
  options: { packageId?: string; operator?: string } = {},
): WrittenHistory {
  mkdirSync(dir, { recursive: true });
  for (const [seq, bytes] of data.files) writeFileSync(join(dir, checkpointFileName(seq, "chk")), bytes);
  const writer = createChainWriter(data.checkpoints.at(-1)!, {
    packageId: options.packageId ?? "0x" + "5a".repeat(32),
    operator: options.operator ?? "0x" + "0e".repeat(32),
  });
  const put = (written: { sequenceNumber: bigint; chk: Uint8Array }): bigint => {
    writeFileSync(join(dir, checkpointFileName(written.sequenceNumber, "chk")), written.chk);
    return written.sequenceNumber;
  };
  const createdIn = put(writer.create(creation));
  const settledIn: bigint[] = [];
  for (const step of steps) {
    if ("propose" in step) put(writer.proposeRotation(step.propose));
    else if ("apply" in step) put(writer.applyRotation(step.apply));
    else settledIn.push(put(writer.settle(step)));
  }
  const last = data.last + 1n + BigInt(steps.length);
  return { dir, registryId: writer.registryId, packageId: writer.packageId, createdIn, settledIn, last };
}
