/**
 * The checkpoint source the service config names: a folder, a checkpoint store, or a full
 * node over gRPC backed by a checkpoint store for the history it pruned; each counted by
 * metrics. Also how to read the tip for readiness and lag.
 */
import type { Common } from "../../common/context.ts";
import { createArchiveFallbackSource } from "../../indexer/sources/archive-fallback.ts";
import { createGrpcSource, type GrpcSource } from "../../indexer/sources/grpc.ts";
import { localFolderSource, remoteStoreSource, type CheckpointSource } from "../../indexer/sources/index.ts";
import { meteredSource } from "../../indexer/sources/metered.ts";
import type { SourceConfig } from "../config.ts";

export interface ConfiguredSource {
  source: CheckpointSource;
  /** The full node, when the source is one (chain id, tip, lowest checkpoint). */
  grpc: GrpcSource | null;
  /** The source's latest checkpoint, refreshed every few seconds; null where it cannot tell. */
  tip(): Promise<bigint | null>;
}

/**
 * @example
 * const { source, grpc } = createConfiguredSource(common, config.source);
 */
export function createConfiguredSource(common: Common, config: SourceConfig): ConfiguredSource {
  if (config.kind === "folder") {
    const folder = localFolderSource(config.dir);
    return { source: meteredSource(common, folder), grpc: null, tip: () => folder.latest() };
  }
  if (config.kind === "remote") {
    return { source: meteredSource(common, remoteStoreSource(config.url)), grpc: null, tip: async () => null };
  }
  const grpc = createGrpcSource(common, {
    endpoint: { url: config.url, network: config.network, headers: config.headers, ...(config.basicAuth ? { basicAuth: config.basicAuth } : {}) },
    subscribe: config.subscribe,
    // A few hundred mainnet checkpoints: enough to ride out a slow commit at the tip.
    cacheCheckpoints: 256,
    cacheBytes: 128 * 1024 * 1024,
  });
  const source = config.archive ? createArchiveFallbackSource(common, { node: grpc, archive: remoteStoreSource(config.archive) }) : grpc;
  return {
    source: meteredSource(common, source),
    grpc,
    tip: async () => {
      await grpc.serviceInfo({ maxAgeMs: 5_000 }).catch(() => null);
      return grpc.knownTip();
    },
  };
}
