/**
 * The type of `sui-zk-indexer.config.ts` and its `defineConfig` helper, in a module of its
 * own so that a config file imports nothing heavier than types (see cli/config.ts for how
 * the file, the environment and the flags combine).
 */
import type { OnLocked } from "../indexer/pipeline-locks.ts";
import type { PipelineName } from "../indexer/pipelines/index.ts";

/** The config file's shape: every field optional, each the same as the flag of that name. */
export interface SuiZkIndexerConfig {
  /** "mainnet" (default) or "testnet": picks the default full node and checkpoint store. */
  network?: string;
  grpc?: {
    /** Full node URL, `https://host:443` (TLS) or `http://host:port`. */
    url?: string;
    /** Metadata sent with every call, e.g. `{ "x-api-key": "…" }`. */
    headers?: Record<string, string>;
    username?: string;
    password?: string;
    /** Follow the tip with SubscribeCheckpoints (default true). */
    subscribe?: boolean;
  };
  /** Checkpoint store for history the node pruned (default: the network's), or the only source when no gRPC is set. */
  remoteStore?: string;
  /** Index a local folder of checkpoint files instead of a network. */
  fromDir?: string;
  /** Where pipelines without a watermark start: a sequence number, or "tip" (default with gRPC). */
  firstCheckpoint?: number | bigint | "tip";
  lastCheckpoint?: number | bigint;
  packages?: string[];
  /** The pipelines this process owns (default: all). */
  pipelines?: PipelineName[];
  /** When another process owns one of them: "wait" (default) or "exit". */
  onLocked?: OnLocked;
  concurrency?: number;
  /** Lowest adaptive fetch concurrency (default 2). */
  minConcurrency?: number;
  batchCheckpoints?: number;
  batchRows?: number;
  port?: number;
  host?: string;
  /** /ready answers 200 once every pipeline is within this many checkpoints of the tip (default 20). */
  readyMaxLag?: number;
  databaseUrl?: string;
  databaseSchema?: string;
  dataDir?: string;
}

/**
 * Types a config file.
 *
 * @example
 * export default defineConfig({ network: "testnet", port: 8080 });
 */
export function defineConfig(config: SuiZkIndexerConfig): SuiZkIndexerConfig {
  return config;
}
