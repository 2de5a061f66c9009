/**
 * The source flags shared by `index` and `start`: where checkpoints come from, which ones,
 * and how hard to fetch and batch them. Each command adds its own on top.
 */
import { type Command, Option } from "commander";
import { NonRetryableError } from "../../common/errors.ts";

export interface SourceFlags {
  fromDir?: string;
  remoteStore?: string;
  firstCheckpoint?: string;
  lastCheckpoint?: string;
  packages?: string;
  concurrency?: string;
  sparse?: boolean;
  checkpoints?: string;
  batchCheckpoints?: string;
  batchRows?: string;
}

/** `--from-dir`: a local folder of checkpoint files (the same wording for every command). */
export const fromDirOption = () => new Option("--from-dir <dir>", "a local folder of <seq>.chk / <seq>.binpb.zst files");
/** `--remote-store`: a checkpoint store over HTTP. */
export const remoteStoreOption = () => new Option("--remote-store <url>", "a checkpoint store over HTTP, e.g. https://checkpoints.mainnet.sui.io");

/**
 * @example
 * const command = addSourceOptions(new Command("index")).action(async (flags: SourceFlags) => { … });
 */
export function addSourceOptions(command: Command): Command {
  return command
    .addOption(fromDirOption().conflicts("remoteStore"))
    .addOption(remoteStoreOption())
    .option("--first-checkpoint <n>", "where pipelines without a watermark start (default 0); ignored once a watermark exists")
    .option("--last-checkpoint <n>", "stop cleanly after committing this checkpoint (default: follow the source forever)")
    .option("--packages <ids>", "index only transactions touching these packages (original ids, comma-separated)")
    .option("--concurrency <n>", "checkpoint fetches in flight (default 8)")
    .option("--sparse", "index exactly the files present in --from-dir, in order, skipping the gaps between them (samples)")
    .option("--checkpoints <list>", "index exactly these checkpoints, e.g. 100,205,300-310 (a sparse sample)")
    .option("--batch-checkpoints <n>", "most checkpoints per database transaction (default 200)")
    .option("--batch-rows <n>", "most rows per database transaction (default 50000)");
}

/**
 * A u64 sequence number, or undefined when not given.
 *
 * @example
 * parseU64("--last-checkpoint", "100"); // 100n
 */
export function parseU64(flag: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,20}$/.test(value) || BigInt(value) > 0xffffffffffffffffn) {
    throw new NonRetryableError("Not a checkpoint sequence number", { details: { flag, value } });
  }
  return BigInt(value);
}

/**
 * A positive integer, or undefined when not given.
 *
 * @example
 * parsePositive("--batch-rows", "50000"); // 50000
 */
export function parsePositive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1)) throw new NonRetryableError("Not a positive number", { details: { flag, value } });
  return n;
}

/**
 * Fetches in flight: 1 to 1024, default 8.
 *
 * @example
 * parseConcurrency(undefined); // 8
 */
export function parseConcurrency(value: string | undefined, flag = "--concurrency"): number {
  if (value === undefined) return 8;
  const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 1024)) throw new NonRetryableError(`Invalid ${flag}`, { details: { value } });
  return n;
}
