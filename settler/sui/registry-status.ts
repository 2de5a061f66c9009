/**
 * The on-chain half of `settle status`: the registry as Sui holds it, compared with what
 * this database has confirmed, as rows for a table (or JSON).
 */
import { normalizeSuiAddress } from "@mysten/sui/utils";
import type { SettlementSettings } from "../pipeline/settings.ts";
import { decodeCursor } from "../tree/cursor.ts";
import type { SuiChainClient } from "./chain-client.ts";

export interface OnChainStatus {
  registryId: string;
  packageId: string;
  node: string;
  batchCount: bigint;
  root: bigint;
  nextIndex: bigint;
  nextCursor: bigint;
  maxSpan: bigint;
  depth: number;
  paused: boolean;
  settlerCapId: string;
  vkHash: string;
  trackingMatches: boolean;
  pendingRotationEpoch: bigint | null;
  /** Confirmed here minus settled on chain: 0 when in step. */
  confirmedHere: bigint;
  objectVersion: bigint;
}

/**
 * @example
 * const status = await readOnChainStatus(chain, settings, (await batches.lastConfirmed())?.batch ?? 0n);
 * console.log(formatOnChainStatus(status));
 */
export async function readOnChainStatus(chain: SuiChainClient, settings: SettlementSettings, confirmedHere: bigint): Promise<OnChainStatus> {
  if (!settings.registryId) throw new Error("no registry yet: run `settle init` first");
  const r = await chain.readRegistry(settings.registryId);
  return {
    registryId: r.registryId,
    packageId: normalizeSuiAddress(chain.packageId),
    node: chain.target,
    batchCount: r.batchCount,
    root: r.root,
    nextIndex: r.nextIndex,
    nextCursor: r.nextCursor,
    maxSpan: r.maxSpan,
    depth: r.depth,
    paused: r.paused,
    settlerCapId: r.settlerCapId,
    vkHash: Buffer.from(r.vkHash).toString("hex"),
    trackingMatches: Buffer.from(r.trackingConfigHash).equals(Buffer.from(settings.trackingHash)),
    pendingRotationEpoch: r.pendingRotationEpoch,
    confirmedHere,
    objectVersion: r.objectVersion,
  };
}

/** Label/value rows, in display order. */
export function onChainStatusRows(s: OnChainStatus): [string, string][] {
  const { checkpoint, offset } = decodeCursor(s.nextCursor);
  const inStep = s.batchCount === s.confirmedHere ? "in step" : s.batchCount > s.confirmedHere ? `chain ahead by ${s.batchCount - s.confirmedHere}` : `chain BEHIND by ${s.confirmedHere - s.batchCount}`;
  return [
    ["registry", s.registryId],
    ["package", s.packageId],
    ["node", s.node],
    ["settled batches", `${s.batchCount} (confirmed here: ${s.confirmedHere}, ${inStep})`],
    ["root", `0x${s.root.toString(16).padStart(64, "0")}`],
    ["next leaf index", `${s.nextIndex} of ${1n << BigInt(s.depth)}`],
    ["next cursor", `${s.nextCursor} (checkpoint ${checkpoint}, offset ${offset})`],
    ["max span", `${s.maxSpan} checkpoints`],
    ["paused", s.paused ? "YES" : "no"],
    ["settler cap", s.settlerCapId],
    ["verifying key hash", s.vkHash],
    ["tracking config", s.trackingMatches ? "matches this settlement" : "DIFFERS from this settlement"],
    ["key rotation", s.pendingRotationEpoch === null ? "none pending" : `pending, effective at epoch ${s.pendingRotationEpoch}`],
    ["object version", s.objectVersion.toString()],
  ];
}

/**
 * A two-column text table.
 *
 * @example
 * process.stdout.write(formatOnChainStatus(status) + "\n");
 */
export function formatOnChainStatus(s: OnChainStatus): string {
  const rows = onChainStatusRows(s);
  const width = Math.max(...rows.map(([label]) => label.length));
  return ["On chain", ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join("\n");
}
