/**
 * A full node that prunes, backed by an archive (the remote checkpoint store): checkpoints
 * below the node's lowest available one come from the archive, the rest from the node. As
 * the indexer passes the node's lowest checkpoint it switches over by itself, and if the
 * node prunes a checkpoint while it is wanted, that one is fetched from the archive.
 */
import type { Common } from "../../common/context.ts";
import { PrunedCheckpointError } from "./grpc.ts";
import { sourceMetrics } from "./metrics.ts";
import type { CheckpointSource, FetchResult } from "./types.ts";

/** A source that knows the lowest checkpoint it still serves. */
export interface PrunedSource extends CheckpointSource {
  lowestAvailable(signal?: AbortSignal): Promise<bigint>;
}

export interface ArchiveFallbackOptions {
  node: PrunedSource;
  archive: CheckpointSource;
}

/**
 * @example
 * const source = createArchiveFallbackSource(common, {
 *   node: createGrpcSource(common, { endpoint: { url: SUI_GRPC_ENDPOINTS.mainnet } }),
 *   archive: remoteStoreSource("https://checkpoints.mainnet.sui.io"),
 * });
 */
export function createArchiveFallbackSource(common: Common, options: ArchiveFallbackOptions): CheckpointSource {
  const { node, archive } = options;
  const { fetched } = sourceMetrics(common.metrics);
  const fromArchive = async (sequenceNumber: bigint, signal?: AbortSignal): Promise<FetchResult> => {
    const result = await archive.fetch(sequenceNumber, signal);
    if (result.kind === "found") fetched.inc({ origin: "archive" });
    return result;
  };
  return {
    name: `${node.name} (below its lowest checkpoint: ${archive.name})`,
    async fetch(sequenceNumber, signal) {
      if (sequenceNumber < (await node.lowestAvailable(signal))) return fromArchive(sequenceNumber, signal);
      try {
        return await node.fetch(sequenceNumber, signal);
      } catch (error) {
        if (error instanceof PrunedCheckpointError) return fromArchive(sequenceNumber, signal);
        throw error;
      }
    },
    latest: (signal) => node.latest?.(signal) ?? Promise.resolve(null),
    async close() {
      await Promise.all([node.close?.(), archive.close?.()]);
    },
  };
}
