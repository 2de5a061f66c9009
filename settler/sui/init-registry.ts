/**
 * `settle init` on Sui: create the settlement's registry (verifying key, depth, start
 * cursor, max span, tracking configuration: its hash is stored, the configuration itself
 * emitted in RegistryCreated) and record its id and package in settlement_config.
 *
 * Idempotent, including across a crash between creating the registry and recording it:
 * before creating, it looks among the settler caps the signing address owns for a registry
 * that is still empty and has exactly these parameters, and adopts it instead of creating a
 * second one. An already recorded registry is checked against the settings, not recreated.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { bcs } from "@mysten/sui/bcs";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import type { Common } from "../../common/context.ts";
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import { recordRegistry, type SettlementSettings } from "../pipeline/settings.ts";
import type { RegistryOnChain, SuiChainClient } from "./chain-client.ts";
import type { SuiSigner } from "./keys.ts";
import { buildCreateRegistryTransaction, signTransaction } from "./transactions.ts";

const CapBcs = bcs.struct("Cap", { id: bcs.Address, registry_id: bcs.Address });
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

export interface InitRegistryInput {
  chain: SuiChainClient;
  signer: SuiSigner;
  settings: SettlementSettings;
  /** Arkworks compressed verifying key of BatchUpdate(depth, B). */
  vk: Uint8Array;
  gasBudget: bigint;
  /** Default: the reference gas price. */
  gasPrice?: bigint;
}

export interface InitRegistryResult {
  /** created: a transaction made it now; adopted: an unrecorded registry of ours matched; existing: already recorded. */
  outcome: "created" | "adopted" | "existing";
  registryId: string;
  packageId: string;
  settlerCapId: string;
  /** Null when the signer does not own it (an existing registry administered elsewhere). */
  adminCapId: string | null;
  /** The creating transaction, when this call sent it. */
  digest: string | null;
  initialSharedVersion: bigint;
  vkHash: string;
  trackingConfigHash: string;
}

/** How a registry differs from what the settings and key require (empty: it matches). */
export function registryDifferences(registry: RegistryOnChain, settings: SettlementSettings, vk: Uint8Array): string[] {
  const out: string[] = [];
  if (registry.depth !== settings.depth) out.push(`depth ${registry.depth} != ${settings.depth}`);
  if (hex(registry.vkHash) !== hex(blake2b(vk, { dkLen: 32 }))) out.push("verifying key hash differs");
  if (hex(registry.trackingConfigHash) !== hex(settings.trackingHash)) out.push("tracking configuration hash differs");
  if (registry.maxSpan !== settings.maxSpan) out.push(`max span ${registry.maxSpan} != ${settings.maxSpan}`);
  return out;
}

/**
 * @example
 * const result = await initRegistry(common, database, { chain, signer, settings, vk, gasBudget: 200_000_000n });
 * console.log(result.registryId, result.settlerCapId);
 */
export async function initRegistry(common: Common, database: Pick<Database, "query">, input: InitRegistryInput): Promise<InitRegistryResult> {
  const { chain, signer, settings, vk } = input;
  const summary = (registry: RegistryOnChain, outcome: InitRegistryResult["outcome"], adminCapId: string | null, digest: string | null): InitRegistryResult => ({
    outcome,
    registryId: registry.registryId,
    packageId: chain.packageId,
    settlerCapId: registry.settlerCapId,
    adminCapId,
    digest,
    initialSharedVersion: registry.initialSharedVersion,
    vkHash: hex(registry.vkHash),
    trackingConfigHash: hex(registry.trackingConfigHash),
  });
  const adminCapFor = async (registryId: string): Promise<string | null> => {
    const caps = await chain.listOwnedObjects(signer.address, `${chain.packageId}::registry::AdminCap`);
    return caps.find((c) => normalizeSuiAddress(CapBcs.parse(c.contents).registry_id) === registryId)?.ref.objectId ?? null;
  };

  if (settings.registryId) {
    if (settings.packageId && normalizeSuiAddress(settings.packageId) !== chain.packageId) {
      throw new NonRetryableError("the settlement is bound to a registry of another package", { details: { recorded: settings.packageId, given: chain.packageId } });
    }
    const registry = await chain.readRegistry(settings.registryId);
    const differences = registryDifferences(registry, settings, vk);
    if (differences.length > 0) {
      throw new NonRetryableError("the recorded registry does not match the settings and key", { details: { registry: registry.registryId, differences: differences.join("; ") } });
    }
    return summary(registry, "existing", await adminCapFor(registry.registryId), null);
  }

  // A registry of ours created before a crash, never recorded: adopt it.
  for (const cap of await chain.listOwnedObjects(signer.address, `${chain.packageId}::registry::SettlerCap`)) {
    const registryId = normalizeSuiAddress(CapBcs.parse(cap.contents).registry_id);
    const registry = await chain.readRegistry(registryId);
    if (
      registry.settlerCapId === cap.ref.objectId &&
      registry.batchCount === 0n &&
      registry.nextCursor === settings.startCursor &&
      registryDifferences(registry, settings, vk).length === 0
    ) {
      await recordRegistry(database, { registryId, packageId: chain.packageId });
      common.logger.warn({ registry: registryId }, "adopted an unrecorded empty registry of this key with exactly these parameters");
      return summary(registry, "adopted", await adminCapFor(registryId), null);
    }
  }

  const coins = await chain.listGasCoins(signer.address);
  const coin = coins.find((c) => c.balance >= input.gasBudget);
  if (!coin) throw new NonRetryableError("no SUI coin of the signer holds the gas budget", { details: { address: signer.address, budget: input.gasBudget } });
  const built = await buildCreateRegistryTransaction({
    packageId: chain.packageId,
    gas: { sender: signer.address, gasCoins: [coin.ref], gasPrice: input.gasPrice ?? (await chain.referenceGasPrice()), gasBudget: input.gasBudget },
    args: {
      vk,
      depth: settings.depth,
      startCursor: settings.startCursor,
      maxSpan: settings.maxSpan,
      trackingConfig: new TextEncoder().encode(settings.trackingJson),
    },
  });
  const result = await chain.execute(await signTransaction(signer, built));
  if (!result.success) throw result.failure!;
  const event = result.events.find((e) => e.kind === "RegistryCreated");
  if (event?.kind !== "RegistryCreated") throw new NonRetryableError("create_registry succeeded without a RegistryCreated event", { details: { digest: result.digest } });
  const registryId = normalizeSuiAddress(event.value.registry_id);
  await recordRegistry(database, { registryId, packageId: chain.packageId });
  const registry = await chain.readRegistry(registryId);
  common.logger.info({ registry: registryId, digest: result.digest, settlerCap: event.value.settler_cap_id, adminCap: event.value.admin_cap_id }, "registry created");
  return summary(registry, "created", normalizeSuiAddress(event.value.admin_cap_id), result.digest);
}
