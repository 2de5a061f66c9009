/**
 * Every pipeline, in the order their tables are written. Each is a pure function of a
 * checkpoint (and the filter's selection of its transactions) to rows.
 */
import type { CheckpointModel } from "../model.ts";
import { balanceChangesPipeline } from "./balance-changes.ts";
import { checkpointsPipeline } from "./checkpoints.ts";
import { eventsPipeline } from "./events.ts";
import { objectsPipeline } from "./objects.ts";
import { objectVersionsPipeline } from "./object-versions.ts";
import { packagesPipeline } from "./packages.ts";
import { transactionsPipeline } from "./transactions.ts";
import type { Pipeline, PipelineName, PipelineRows, TransactionSelection } from "./types.ts";

export type * from "./types.ts";
export { createPackageFilter, normalizeId, type PackageFilter, type KnownPackage } from "./package-filter.ts";
export { mergeLiveObjectChanges } from "./objects.ts";

export const pipelines: { readonly [N in PipelineName]: Pipeline<N> } = {
  checkpoints: checkpointsPipeline,
  transactions: transactionsPipeline,
  events: eventsPipeline,
  object_versions: objectVersionsPipeline,
  objects: objectsPipeline,
  balance_changes: balanceChangesPipeline,
  packages: packagesPipeline,
};

export const pipelineNames = Object.keys(pipelines) as PipelineName[];

/**
 * Runs the named pipelines on one checkpoint.
 *
 * @example
 * const rows = processCheckpoint(checkpoint, null, ["transactions", "events"]);
 * rows.events?.length;
 */
export function processCheckpoint(
  checkpoint: CheckpointModel,
  selection: TransactionSelection,
  names: readonly PipelineName[] = pipelineNames,
): Partial<PipelineRows> {
  const rows: Partial<PipelineRows> = {};
  for (const name of names) {
    (rows as Record<PipelineName, unknown>)[name] = pipelines[name].process(checkpoint, selection);
  }
  return rows;
}
