/**
 * The checkpoint source flags shared by commands that read checkpoints: exactly one of
 * `--from-dir DIR`, `--remote-store URL` or `--grpc URL`.
 */
import { Option, type Command } from "commander";
import type { Common } from "../../common/context.ts";
import { NonRetryableError } from "../../common/errors.ts";
import { createGrpcSource } from "../../indexer/sources/grpc.ts";
import { localFolderSource, remoteStoreSource, type CheckpointSource } from "../../indexer/sources/index.ts";
import { fromDirOption, remoteStoreOption } from "./source.ts";

export interface CheckpointSourceFlags {
  fromDir?: string;
  remoteStore?: string;
  grpc?: string;
}

/**
 * Adds the three source options to a command.
 *
 * @example
 * addCheckpointSourceOptions(new Command("verify")).action((flags) => checkpointSourceFromFlags(common, flags));
 */
export function addCheckpointSourceOptions(command: Command): Command {
  return command
    .addOption(fromDirOption())
    .addOption(remoteStoreOption())
    .addOption(new Option("--grpc <url>", "a Sui full node's gRPC endpoint, e.g. https://fullnode.mainnet.sui.io:443"));
}

/**
 * The source the flags name; throws a NonRetryableError unless exactly one is given.
 *
 * @example
 * const source = checkpointSourceFromFlags(common, { fromDir: "./checkpoints" });
 */
export function checkpointSourceFromFlags(common: Common, flags: CheckpointSourceFlags): CheckpointSource {
  const given = [flags.fromDir, flags.remoteStore, flags.grpc].filter((f) => f !== undefined);
  if (given.length !== 1) {
    throw new NonRetryableError("Give exactly one checkpoint source: --from-dir DIR, --remote-store URL or --grpc URL");
  }
  if (flags.fromDir !== undefined) return localFolderSource(flags.fromDir);
  if (flags.remoteStore !== undefined) return remoteStoreSource(flags.remoteStore);
  // A bounded scan: no subscription to the tip.
  return createGrpcSource(common, { endpoint: { url: flags.grpc! }, subscribe: false });
}
