/**
 * Synthetic checkpoints in the real file formats, for tests and benchmarks: contiguous
 * sequence numbers, consistent `network_total_transactions`, a `previous_digest` chain, and
 * mainnet-shaped transactions (see shape.ts). The same arguments give the same bytes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeBinpbZst } from "../decode/binpb-writer.ts";
import { decodeChk } from "../decode/chk.ts";
import { checkpointFileName, type CheckpointFileFormat } from "../decode/file.ts";
import { CheckpointBuilder } from "./checkpoint-builder.ts";
import { Rng } from "./rng.ts";
import { DEFAULT_SHAPE, type SyntheticShape } from "./shape.ts";
import { World } from "./world.ts";

export interface GenerateOptions {
  /** Folder the files are written to (created if missing). */
  dir: string;
  /** First sequence number. */
  first: bigint;
  count: number;
  /** One format, or both side by side. */
  format?: CheckpointFileFormat | "both";
  shape?: Partial<SyntheticShape>;
  seed?: number;
  /** Called after each checkpoint is written, e.g. for progress. */
  onCheckpoint?: (info: GeneratedCheckpoint) => void;
}

export interface GeneratedCheckpoint {
  sequenceNumber: bigint;
  transactions: number;
  /** Size of the `.chk` form. */
  chkBytes: number;
  files: string[];
}

export interface GenerateSummary {
  checkpoints: number;
  transactions: number;
  chkBytes: number;
  files: string[];
}

/** Milliseconds between checkpoints, about mainnet's pace. */
const CHECKPOINT_INTERVAL_MS = 250n;
const START_TIMESTAMP_MS = 1_760_000_000_000n;

/**
 * @example
 * const summary = await generateCheckpoints({ dir: "/tmp/cp", first: 1000n, count: 100, format: "chk", seed: 7 });
 * console.log(summary.transactions, "transactions in", summary.checkpoints, "checkpoints");
 */
export async function generateCheckpoints(options: GenerateOptions): Promise<GenerateSummary> {
  const shape: SyntheticShape = { ...DEFAULT_SHAPE, ...options.shape };
  const format = options.format ?? "chk";
  const rng = new Rng(options.seed ?? 1);
  const first = options.first;
  // State as if every earlier checkpoint had the default number of transactions.
  let networkTotalTransactions = first * BigInt(Math.round(shape.transactionsPerCheckpoint));
  let timestampMs = START_TIMESTAMP_MS + first * CHECKPOINT_INTERVAL_MS;
  const world = new World(rng, shape, 600_000_000n + first * 4n, timestampMs);
  const builder = new CheckpointBuilder(world, rng, shape);
  let previousDigest: Uint8Array | null = first === 0n ? null : rng.bytes(32);
  let rolling = { computationCost: 0n, storageCost: 0n, storageRebate: 0n, nonRefundableStorageFee: 0n };
  let round = first * 3n;

  await mkdir(options.dir, { recursive: true });
  const summary: GenerateSummary = { checkpoints: 0, transactions: 0, chkBytes: 0, files: [] };
  for (let i = 0; i < options.count; i++) {
    const sequenceNumber = first + BigInt(i);
    timestampMs += CHECKPOINT_INTERVAL_MS;
    const built = builder.build({
      sequenceNumber,
      epoch: shape.epoch,
      previousDigest,
      networkTotalTransactions,
      epochRollingGasCostSummary: rolling,
      timestampMs,
      round,
    });
    round += BigInt(Math.round(shape.systemTransactionsPerCheckpoint));
    previousDigest = built.digest;
    networkTotalTransactions = built.networkTotalTransactions;
    rolling = built.epochRollingGasCostSummary;

    const files: string[] = [];
    if (format === "chk" || format === "both") {
      const path = join(options.dir, checkpointFileName(sequenceNumber, "chk"));
      await writeFile(path, built.chk);
      files.push(path);
    }
    if (format === "binpb.zst" || format === "both") {
      const path = join(options.dir, checkpointFileName(sequenceNumber, "binpb.zst"));
      await writeFile(path, encodeBinpbZst(decodeChk(built.chk, path)));
      files.push(path);
    }
    summary.checkpoints++;
    summary.transactions += built.transactions;
    summary.chkBytes += built.chk.length;
    summary.files.push(...files);
    options.onCheckpoint?.({ sequenceNumber, transactions: built.transactions, chkBytes: built.chk.length, files });
  }
  return summary;
}
