/**
 * The settlement's settings, stored in settlement_config (one row): what is tracked, the
 * circuit's depth and batch size, the largest checkpoint span of a batch, where the
 * stream starts, and the registry once `settle init` created it.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database, SqlTransaction } from "../../schema/db.ts";
import { canonicalTrackingJson, parseTrackingConfig, trackingConfigHash, type TrackingConfig } from "../tracking/config.ts";
import { assertCursor } from "../tree/cursor.ts";

export interface SettlementSettings {
  tracking: TrackingConfig;
  /** Canonical JSON of `tracking`: the bytes emitted on chain. */
  trackingJson: string;
  /** blake2b-256 of trackingJson: what the registry stores. */
  trackingHash: Uint8Array;
  depth: number;
  /** B: slots per batch. */
  batchSize: number;
  /** Most checkpoints a batch may advance the cursor by. */
  maxSpan: bigint;
  /** The cursor the first batch starts at. */
  startCursor: bigint;
  registryId: string | null;
  packageId: string | null;
  /** Superseded tree versions at or below this batch are gone. */
  prunedThrough: bigint;
}

export interface SettlementSettingsInput {
  tracking: TrackingConfig;
  depth: number;
  batchSize: number;
  maxSpan: bigint;
  startCursor: bigint;
}

/** Deepest tree the tables hold: leaf indexes are Postgres bigints. */
export const MAX_PERSISTED_DEPTH = 62;

/**
 * Throws unless the input is usable.
 *
 * @example
 * assertSettingsInput({ tracking: { kind: "all" }, depth: 40, batchSize: 8, maxSpan: 100n, startCursor: 0n });
 */
export function assertSettingsInput(input: SettlementSettingsInput): void {
  if (!Number.isInteger(input.depth) || input.depth < 1 || input.depth > MAX_PERSISTED_DEPTH) {
    throw new NonRetryableError(`depth must be an integer from 1 to ${MAX_PERSISTED_DEPTH}`, { details: { depth: input.depth } });
  }
  if (!Number.isInteger(input.batchSize) || input.batchSize < 1) {
    throw new NonRetryableError("batch size must be a positive integer", { details: { batchSize: input.batchSize } });
  }
  if (input.maxSpan < 1n || input.maxSpan >= 1n << 32n) {
    throw new NonRetryableError("max span must be from 1 to 2^32 - 1 checkpoints", { details: { maxSpan: input.maxSpan } });
  }
  assertCursor(input.startCursor, "start cursor");
  canonicalTrackingJson(input.tracking);
}

interface ConfigRow extends Record<string, unknown> {
  tracking_config: string;
  tracking_config_hash: Uint8Array;
  depth: number;
  batch_size: number;
  max_span: bigint;
  start_cursor: string;
  registry_id: string | null;
  package_id: string | null;
  pruned_through: bigint;
}

/**
 * The stored settings, or null before the settlement is configured.
 *
 * @example
 * const settings = await readSettings(database);
 */
export async function readSettings(database: Pick<Database, "query">): Promise<SettlementSettings | null> {
  const [row] = await database.query<ConfigRow>(
    `SELECT tracking_config, tracking_config_hash, depth, batch_size, max_span, start_cursor::text AS start_cursor,
            registry_id, package_id, pruned_through
     FROM settlement_config WHERE id = 1`,
  );
  if (!row) return null;
  const tracking = parseTrackingConfig(row.tracking_config);
  return {
    tracking,
    trackingJson: row.tracking_config,
    trackingHash: Uint8Array.from(row.tracking_config_hash),
    depth: Number(row.depth),
    batchSize: Number(row.batch_size),
    maxSpan: BigInt(row.max_span),
    startCursor: BigInt(row.start_cursor),
    registryId: row.registry_id,
    packageId: row.package_id,
    prunedThrough: BigInt(row.pruned_through),
  };
}

/**
 * Writes the settings row (inside the caller's transaction, with the genesis tree).
 *
 * @example
 * await database.transaction((tx) => insertSettings(tx, input));
 */
export async function insertSettings(tx: SqlTransaction, input: SettlementSettingsInput): Promise<void> {
  assertSettingsInput(input);
  await tx.query(
    `INSERT INTO settlement_config (id, tracking_config, tracking_config_hash, depth, batch_size, max_span, start_cursor)
     VALUES (1, $1, $2, $3, $4, $5, $6::numeric)`,
    [
      canonicalTrackingJson(input.tracking),
      trackingConfigHash(input.tracking),
      input.depth,
      input.batchSize,
      input.maxSpan,
      input.startCursor.toString(),
    ],
  );
}

/**
 * Lists how `input` differs from the stored settings (empty when it matches). Settings
 * are fixed once batches exist: they are part of what the registry and its proofs mean.
 *
 * @example
 * const diff = settingsDifferences(stored, input); // ["batchSize: 2 != 4"]
 */
export function settingsDifferences(stored: SettlementSettings, input: SettlementSettingsInput): string[] {
  const out: string[] = [];
  const json = canonicalTrackingJson(input.tracking);
  if (json !== stored.trackingJson) out.push(`tracking: ${stored.trackingJson} != ${json}`);
  if (stored.depth !== input.depth) out.push(`depth: ${stored.depth} != ${input.depth}`);
  if (stored.batchSize !== input.batchSize) out.push(`batchSize: ${stored.batchSize} != ${input.batchSize}`);
  if (stored.maxSpan !== input.maxSpan) out.push(`maxSpan: ${stored.maxSpan} != ${input.maxSpan}`);
  if (stored.startCursor !== input.startCursor) out.push(`startCursor: ${stored.startCursor} != ${input.startCursor}`);
  return out;
}

/**
 * Records the registry `settle init` created (once; the same values again are a no-op).
 *
 * @example
 * await recordRegistry(database, { registryId, packageId });
 */
export async function recordRegistry(
  database: Pick<Database, "query">,
  registry: { registryId: string; packageId: string },
): Promise<void> {
  const rows = await database.query<{ registry_id: string }>(
    `UPDATE settlement_config SET registry_id = $1, package_id = $2, updated_at = now()
     WHERE id = 1 AND (registry_id IS NULL OR (registry_id = $1 AND package_id = $2)) RETURNING registry_id`,
    [registry.registryId, registry.packageId],
  );
  if (rows.length === 0) {
    throw new NonRetryableError("settlement is not configured, or already bound to another registry", {
      details: { registryId: registry.registryId },
    });
  }
}
