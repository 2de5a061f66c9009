/**
 * Builds the Sui poster from the CLI's Sui settings (cli/options/sui.ts): the gRPC
 * connection, the chain client for the settlement's package, the signing key and the
 * crash-test hook from the environment. Also the chain client alone, for `settle init` and
 * `settle status`.
 */
import type { Common } from "../../common/context.ts";
import { NonRetryableError } from "../../common/errors.ts";
import { createSuiGrpcConnection } from "../../indexer/sources/grpc-client.ts";
import { createSuiChainClient, type SuiChainClient } from "../sui/chain-client.ts";
import { loadSuiSigner } from "../sui/keys.ts";
import { crashHookFromEnv } from "./crash-hook.ts";
import { createSuiPoster } from "./sui-poster.ts";
import type { PosterFactory } from "./types.ts";

/** What the Sui client, signer and poster are built from (cli/options/sui.ts parses the flags). */
export interface SuiSettings {
  /** gRPC endpoint: https://host:port (TLS) or http://host:port. */
  url: string;
  /** The registry package (required by `settle init`; the others read it from the settlement). */
  packageId: string | undefined;
  keystorePath: string | undefined;
  address: string | undefined;
  /** MIST per transaction, at most. */
  gasBudget: bigint;
  /** MIST per gas unit; undefined: the reference gas price. */
  gasPrice: bigint | undefined;
  headers: Record<string, string>;
}

/**
 * A chain client for `packageId` (or the settings' package).
 *
 * @example
 * const chain = openSuiChain(sui, settings.packageId);
 */
export function openSuiChain(sui: SuiSettings, packageId: string | null | undefined): SuiChainClient {
  const pkg = packageId ?? sui.packageId;
  if (!pkg) throw new NonRetryableError("No registry package: give --package (the published sui_zk_indexer package id)");
  if (packageId && sui.packageId && sui.packageId !== packageId.toLowerCase()) {
    throw new NonRetryableError("--package differs from the package this settlement was initialized with", { details: { given: sui.packageId, settlement: packageId } });
  }
  return createSuiChainClient({ connection: createSuiGrpcConnection({ url: sui.url, headers: sui.headers }), packageId: pkg });
}

/**
 * @example
 * const settler = await createSettler(common, { database, prover, vk, poster: await createSuiPosterFactory(sui)(common, { database, batches, settings }) });
 */
export function createSuiPosterFactory(sui: SuiSettings): PosterFactory {
  return async (common: Common, context) => {
    const chain = openSuiChain(sui, context.settings.packageId);
    try {
      const signer = await loadSuiSigner({ ...(sui.keystorePath ? { keystorePath: sui.keystorePath } : {}), ...(sui.address ? { address: sui.address } : {}) });
      common.logger.info({ signer: signer.address, keySource: signer.source, node: chain.target, registry: context.settings.registryId }, "posting to Sui");
      return createSuiPoster(common, context, {
        chain,
        signer,
        gasBudget: sui.gasBudget,
        ...(sui.gasPrice !== undefined ? { gasPrice: sui.gasPrice } : {}),
        afterTransition: crashHookFromEnv(),
      });
    } catch (error) {
      chain.close();
      throw error;
    }
  };
}
