/**
 * The Sui flags shared by the `settle` subcommands that talk to the chain (init, run, once,
 * status): the gRPC node, the registry package, the signing key, gas. Environment
 * fallbacks: SUI_RPC_URL, SUI_PACKAGE_ID, SUI_KEYSTORE, SUI_ADDRESS, SUI_GAS_BUDGET,
 * SUI_GAS_PRICE (and SUI_PRIVATE_KEY, read by settler/sui/keys.ts, never by a flag: a key
 * on the command line would end up in shell history and process listings).
 */
import type { Command } from "commander";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { NonRetryableError } from "../../common/errors.ts";
import { parseHeaders } from "../../indexer/sources/grpc-client.ts";
import type { SuiSettings } from "../../settler/poster/sui-factory.ts";

export type { SuiSettings };

export interface SuiFlags {
  suiRpc?: string;
  package?: string;
  keystore?: string;
  address?: string;
  gasBudget?: string;
  gasPrice?: string;
  suiHeader?: string[];
}

export const DEFAULT_GAS_BUDGET = 100_000_000n;

/**
 * @example
 * addSuiOptions(new Command("init")).action(async (flags: SuiFlags) => { const sui = suiSettings(flags); … });
 */
export function addSuiOptions(command: Command): Command {
  return command
    .option("--sui-rpc <url>", "Sui full node gRPC endpoint, e.g. https://fullnode.testnet.sui.io:443 (env SUI_RPC_URL)")
    .option("--package <id>", "the published sui_zk_indexer package (env SUI_PACKAGE_ID; after init it is read from the settlement)")
    .option("--keystore <file>", "Sui keystore file (default ~/.sui/sui_config/sui.keystore unless SUI_PRIVATE_KEY is set; env SUI_KEYSTORE)")
    .option("--address <0x…>", "which keystore key signs, when it holds several (env SUI_ADDRESS)")
    .option("--gas-budget <mist>", `largest fee per transaction in MIST (default ${DEFAULT_GAS_BUDGET}; env SUI_GAS_BUDGET)`)
    .option("--gas-price <mist>", "MIST per gas unit (default: the network's reference gas price; env SUI_GAS_PRICE)")
    .option("--sui-header <name: value...>", "extra gRPC metadata for the node, e.g. 'x-api-key: …'");
}

function positive(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined || text === "") return undefined;
  if (!/^[0-9]+$/.test(text) || BigInt(text) === 0n) throw new NonRetryableError(`${name} must be a positive integer (MIST)`, { details: { value: text } });
  return BigInt(text);
}

/**
 * Validates the flags (with environment fallbacks) into settings.
 *
 * @example
 * const sui = suiSettings({ suiRpc: "http://127.0.0.1:9000", gasBudget: "200000000" });
 */
export function suiSettings(flags: SuiFlags, env: Readonly<Record<string, string | undefined>> = process.env): SuiSettings {
  const url = flags.suiRpc ?? env.SUI_RPC_URL;
  if (!url) throw new NonRetryableError("No Sui node: give --sui-rpc URL or set SUI_RPC_URL");
  const packageText = flags.package ?? env.SUI_PACKAGE_ID;
  const address = flags.address ?? env.SUI_ADDRESS;
  return {
    url,
    packageId: packageText ? normalizeSuiAddress(packageText) : undefined,
    keystorePath: flags.keystore ?? env.SUI_KEYSTORE,
    address: address ? normalizeSuiAddress(address) : undefined,
    gasBudget: positive("--gas-budget", flags.gasBudget ?? env.SUI_GAS_BUDGET) ?? DEFAULT_GAS_BUDGET,
    gasPrice: positive("--gas-price", flags.gasPrice ?? env.SUI_GAS_PRICE),
    headers: parseHeaders(flags.suiHeader ?? []),
  };
}
