/**
 * The settlement's settings as flags (what is tracked, circuit depth and batch size, the
 * largest span of a batch, where the stream starts): fixed once configured, because the
 * registry and every proof depend on them. Shared by `settle init` and any command that
 * configures the settlement.
 */
import type { Command } from "commander";
import { NonRetryableError } from "../../common/errors.ts";
import type { SettlementSettingsInput } from "../../settler/pipeline/settings.ts";
import { normalizeTrackingConfig, type TrackingConfig } from "../../settler/tracking/config.ts";
import { encodeCursor } from "../../settler/tree/cursor.ts";

export interface SettlementFlags {
  depth?: string;
  batchSize?: string;
  maxSpan?: string;
  startCheckpoint?: string;
  startCursor?: string;
  trackPackages?: string;
  trackTypes?: string;
  trackOwners?: string;
}

export const DEFAULT_DEPTH = 40;
export const DEFAULT_BATCH_SIZE = 8;
export const DEFAULT_MAX_SPAN = 1_000n;

/**
 * @example
 * addSettlementOptions(new Command("init"));
 */
export function addSettlementOptions(command: Command): Command {
  return command
    .option("--depth <n>", `tree depth (default ${DEFAULT_DEPTH}; small depths for tests and demos)`)
    .option("--batch-size <n>", `operations per proof, B (default ${DEFAULT_BATCH_SIZE})`)
    .option("--max-span <checkpoints>", `most checkpoints one batch may cover (default ${DEFAULT_MAX_SPAN})`)
    .option("--start-checkpoint <n>", "first checkpoint to settle (default 0)")
    .option("--start-cursor <u64>", "or the exact first cursor: checkpoint * 2^32 + offset")
    .option("--track-packages <ids>", "track only objects whose type mentions these packages (original ids, comma-separated)")
    .option("--track-types <types>", "track only these object types (comma-separated; generic types match every instantiation)")
    .option("--track-owners <addresses>", "track only objects owned by these addresses or objects (comma-separated)");
}

const list = (text: string | undefined): string[] => (text ?? "").split(",").map((s) => s.trim()).filter(Boolean);

function integer(name: string, text: string | undefined, fallback: bigint): bigint {
  if (text === undefined || text === "") return fallback;
  if (!/^[0-9]+$/.test(text)) throw new NonRetryableError(`${name} must be a non-negative integer`, { details: { value: text } });
  return BigInt(text);
}

/**
 * The tracking configuration the flags describe: everything when none of --track-* is given.
 *
 * @example
 * trackingFromFlags({ trackPackages: "0xdee9" }); // { kind: "filter", packages: ["0x…dee9"], types: [], owners: [] }
 */
export function trackingFromFlags(flags: SettlementFlags): TrackingConfig {
  const packages = list(flags.trackPackages);
  const types = list(flags.trackTypes);
  const owners = list(flags.trackOwners);
  if (packages.length + types.length + owners.length === 0) return { kind: "all" };
  return normalizeTrackingConfig({ kind: "filter", packages, types, owners });
}

/**
 * @example
 * settlementInputFromFlags({ depth: "4", batchSize: "2", startCheckpoint: "1000" });
 */
export function settlementInputFromFlags(flags: SettlementFlags): SettlementSettingsInput {
  if (flags.startCheckpoint !== undefined && flags.startCursor !== undefined) {
    throw new NonRetryableError("Give --start-checkpoint or --start-cursor, not both");
  }
  const startCursor =
    flags.startCursor !== undefined ? integer("--start-cursor", flags.startCursor, 0n) : encodeCursor(integer("--start-checkpoint", flags.startCheckpoint, 0n), 0n);
  return {
    tracking: trackingFromFlags(flags),
    depth: Number(integer("--depth", flags.depth, BigInt(DEFAULT_DEPTH))),
    batchSize: Number(integer("--batch-size", flags.batchSize, BigInt(DEFAULT_BATCH_SIZE))),
    maxSpan: integer("--max-span", flags.maxSpan, DEFAULT_MAX_SPAN),
    startCursor,
  };
}
