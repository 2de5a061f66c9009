/**
 * `sui-zk-indexer settle init`: configures the settlement (tracking, depth, batch size, max
 * span, start cursor; fixed from then on) and creates its registry on Sui with the circuit's
 * verifying key, then records the registry and package in settlement_config. Safe to run
 * again: an existing registry is checked, not recreated, and a registry created just
 * before a crash is adopted instead of duplicated (settler/sui/init-registry.ts).
 *
 * The key comes from a setup folder (`--setup DIR`, a ceremony's output) or from an INSECURE
 * dev setup (`--dev`), which prints a loud warning.
 */
import { Command } from "commander";
import { createCommon, type Common } from "../../common/context.ts";
import { BaseError, NonRetryableError } from "../../common/errors.ts";
import { warnInsecureDevSetup } from "../../circuits/setup/dev-warning.ts";
import { openDatabase, type Database } from "../../schema/db.ts";
import { configureSettlement } from "../../settler/pipeline/configure.ts";
import { readSettings, type SettlementSettings } from "../../settler/pipeline/settings.ts";
import { openSuiChain } from "../../settler/poster/sui-factory.ts";
import { ensureDevSetup } from "../../settler/prover/dev-setup.ts";
import { loadSetupArtifacts } from "../../settler/prover/setup-artifacts.ts";
import { initRegistry, type InitRegistryResult } from "../../settler/sui/init-registry.ts";
import { loadSuiSigner } from "../../settler/sui/keys.ts";
import { decodeCursor } from "../../settler/tree/cursor.ts";
import { addSettlementOptions, settlementInputFromFlags, type SettlementFlags } from "../options/settlement.ts";
import { addSuiOptions, suiSettings, type SuiFlags } from "../options/sui.ts";

export interface SettleInitFlags extends SettlementFlags, SuiFlags {
  setup?: string;
  dev?: boolean;
  json?: boolean;
}

export interface SettleInitResult extends InitRegistryResult {
  settings: SettlementSettings;
  devSetup: boolean;
}

/** The verifying key for the settings' circuit, from a setup folder or a dev setup. */
async function verifyingKey(common: Common, flags: SettleInitFlags, settings: SettlementSettings): Promise<{ vk: Uint8Array; dev: boolean }> {
  if (Boolean(flags.setup) === Boolean(flags.dev)) throw new NonRetryableError("Give exactly one key source: --setup DIR or --dev");
  if (flags.dev) {
    warnInsecureDevSetup(`settle init --dev: the registry's verifying key comes from a dev setup of BatchUpdate(${settings.depth}, ${settings.batchSize})`);
    const artifacts = await ensureDevSetup({ depth: settings.depth, batchSize: settings.batchSize, logger: common.logger });
    return { vk: artifacts.vk, dev: true };
  }
  const artifacts = await loadSetupArtifacts(flags.setup!);
  return { vk: artifacts.vk, dev: artifacts.dev };
}

/**
 * Configures the settlement and creates (or checks, or adopts) its registry.
 *
 * @example
 * const result = await runSettleInit(common, database, { depth: "4", batchSize: "2", dev: true, suiRpc: double.url, package: double.packageId });
 */
export async function runSettleInit(common: Common, database: Database, flags: SettleInitFlags): Promise<SettleInitResult> {
  const sui = suiSettings(flags);
  const settings = await configureSettlement(database, settlementInputFromFlags(flags));
  const { vk, dev } = await verifyingKey(common, flags, settings);
  const chain = openSuiChain(sui, settings.packageId);
  try {
    const signer = await loadSuiSigner({ ...(sui.keystorePath ? { keystorePath: sui.keystorePath } : {}), ...(sui.address ? { address: sui.address } : {}) });
    const result = await initRegistry(common, database, {
      chain,
      signer,
      settings,
      vk,
      gasBudget: sui.gasBudget,
      ...(sui.gasPrice !== undefined ? { gasPrice: sui.gasPrice } : {}),
    });
    // Re-read: the registry and package are recorded now.
    return { ...result, settings: (await readSettings(database)) ?? settings, devSetup: dev };
  } finally {
    chain.close();
  }
}

/** Label/value rows describing what init did. */
export function settleInitRows(r: SettleInitResult): [string, string][] {
  const { checkpoint, offset } = decodeCursor(r.settings.startCursor);
  return [
    ["registry", `${r.registryId} (${r.outcome})`],
    ["package", r.packageId],
    ["settler cap", r.settlerCapId],
    ["admin cap", r.adminCapId ?? "not owned by this key"],
    ["transaction", r.digest ?? "none sent"],
    ["depth / batch size", `${r.settings.depth} / ${r.settings.batchSize}`],
    ["start cursor", `${r.settings.startCursor} (checkpoint ${checkpoint}, offset ${offset})`],
    ["max span", `${r.settings.maxSpan} checkpoints`],
    ["tracking", r.settings.trackingJson],
    ["tracking hash", r.trackingConfigHash],
    ["verifying key hash", `${r.vkHash}${r.devSetup ? "  (INSECURE dev setup)" : ""}`],
  ];
}

export function createSettleInitCommand(): Command {
  const command = new Command("init").description(
    "Configure the settlement and create its registry on Sui (verifying key, start cursor, max span, tracking configuration)",
  );
  addSettlementOptions(command);
  addSuiOptions(command);
  return command
    .option("--setup <dir>", "setup folder of the circuit (manifest.json, zkeys, verification_key.sui.hex)")
    .option("--dev", "use an INSECURE dev setup made on this machine (tests and demos only)")
    .option("--json", "print the result as JSON")
    .action(async (flags: SettleInitFlags) => {
      const common = createCommon();
      const database = await openDatabase();
      try {
        const result = await runSettleInit(common, database, flags);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
        } else {
          const rows = settleInitRows(result);
          const width = Math.max(...rows.map(([label]) => label.length));
          process.stdout.write(`${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")}\n`);
        }
      } catch (error) {
        common.logger.error({ err: error, ...(error instanceof BaseError ? { details: error.details } : {}) }, error instanceof Error ? error.message : "settle init failed");
        process.exitCode = 1;
      } finally {
        await database.close();
        await common.shutdown.stop("settle init finished");
      }
    });
}
