/**
 * The auditor's checks on settlements (DESIGN.md, Trust model): the registry's creation and
 * every settle transaction found in checkpoints the auditor fetched and checked itself,
 * their proofs, and their batches recomputed from those checkpoints. See
 * settler/audit/README.md.
 */
export { auditRegistry, type AuditRegistryOptions } from "./run.ts";
export { createSettlementAuditor, type SettlementAuditor, type SettlementAuditorOptions } from "./auditor.ts";
export { registryActivity, type RegistryAction, type ActionSite } from "./registry-activity.ts";
export { settleCallsOf, type SettleCall, type SettleCalls } from "./settle-call.ts";
export { replayBatch, type ReplayOutcome, type ReplayedBatch } from "./replay.ts";
export { formatSettlementTable } from "./table.ts";
export {
  SettlementAuditError,
  describeSettlementFailure,
  formatCursor,
  type BatchResult,
  type BatchStatus,
  type RegistryFound,
  type SettlementCheckName,
  type SettlementFailure,
  type SettlementReport,
} from "./result.ts";
