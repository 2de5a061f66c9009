/**
 * What a pipeline is: a pure function from one checkpoint (and which of its transactions
 * are selected by the filter) to the rows of its tables. Row types are the drizzle select
 * types of the tables, so the schema is the single source of column names and types.
 */
import type { CheckpointModel } from "../model.ts";
import type {
  balanceChanges,
  checkpoints,
  events,
  objects,
  objectVersions,
  packages,
  transactions,
  txCalls,
} from "../../schema/index.ts";

export type CheckpointRow = typeof checkpoints.$inferSelect;
export type TransactionRow = typeof transactions.$inferSelect;
export type TxCallRow = typeof txCalls.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type ObjectVersionRow = typeof objectVersions.$inferSelect;
export type LiveObjectRow = typeof objects.$inferSelect;
export type BalanceChangeRow = typeof balanceChanges.$inferSelect;
export type PackageRow = typeof packages.$inferSelect;

/**
 * Which transactions of a checkpoint to index, by position: `null` selects all. Computed
 * in checkpoint order by the package filter (indexer/pipelines/package-filter.ts).
 */
export type TransactionSelection = readonly boolean[] | null;

/** The net effect of a checkpoint on the live objects table. */
export interface LiveObjectChanges {
  /** The last state of every object that exists after the checkpoint and was written in it. */
  upserts: LiveObjectRow[];
  /** Objects that existed before (or were created in) the checkpoint and are gone after it. */
  deletes: string[];
}

/** Rows of every table family, keyed by pipeline name. */
export interface PipelineRows {
  checkpoints: CheckpointRow[];
  transactions: { transactions: TransactionRow[]; calls: TxCallRow[] };
  events: EventRow[];
  object_versions: ObjectVersionRow[];
  objects: LiveObjectChanges;
  balance_changes: BalanceChangeRow[];
  packages: PackageRow[];
}

export type PipelineName = keyof PipelineRows;

export interface Pipeline<N extends PipelineName = PipelineName> {
  readonly name: N;
  /** Pure: the same checkpoint and selection always give the same rows. */
  process(checkpoint: CheckpointModel, selection: TransactionSelection): PipelineRows[N];
}
