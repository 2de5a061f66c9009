/**
 * Builds the registry's transactions fully offline: sender, gas coin reference, gas price
 * and budget, the registry as a shared object (id + initial shared version) and the
 * capability as an owned object reference are all given, so nothing is resolved from the
 * network and the same inputs always give the same bytes and digest. That is what lets the
 * poster store the signed bytes before submitting and resend exactly them after a crash.
 */
import { TransactionDataBuilder, Transaction } from "@mysten/sui/transactions";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { NonRetryableError } from "../../common/errors.ts";
import type { SuiSigner } from "./keys.ts";
import { createRegistryAndKeepCaps, settle, type CreateRegistryArgs, type SettleArgs } from "./registry-calls.ts";

/** An owned or immutable object at one version. */
export interface ObjectRef {
  objectId: string;
  version: bigint;
  /** Base58 object digest. */
  digest: string;
}

/** A shared object as a transaction names it: id and the version it was shared at. */
export interface SharedObjectRef {
  objectId: string;
  initialSharedVersion: bigint;
}

/** Who pays and how much: every field explicit, so the bytes are deterministic. */
export interface GasEnvelope {
  sender: string;
  /** Coins that pay for gas (the first is the gas object; the others merge into it). */
  gasCoins: readonly ObjectRef[];
  /** MIST per gas unit. */
  gasPrice: bigint;
  /** Largest fee in MIST. */
  gasBudget: bigint;
}

/** Unsigned TransactionData BCS bytes and their digest. */
export interface BuiltTransaction {
  bytes: Uint8Array;
  /** Base58 transaction digest: blake2b256("TransactionData::" || bytes). */
  digest: string;
}

/** Bytes with the serialized signatures Sui's ExecuteTransaction takes (base64 each). */
export interface SignedTransaction extends BuiltTransaction {
  signatures: string[];
}

/** The `settle` arguments after the registry and capability, as the poster has them. */
export type SettleStatement = Omit<SettleArgs, "registry" | "settlerCap">;

function envelope(tx: Transaction, gas: GasEnvelope): void {
  if (gas.gasCoins.length === 0) throw new NonRetryableError("a gas coin is needed to build the transaction offline");
  if (gas.gasPrice <= 0n || gas.gasBudget <= 0n) {
    throw new NonRetryableError("gas price and budget must be positive", { details: { gasPrice: gas.gasPrice, gasBudget: gas.gasBudget } });
  }
  tx.setSender(normalizeSuiAddress(gas.sender));
  tx.setGasPrice(gas.gasPrice);
  tx.setGasBudget(gas.gasBudget);
  tx.setGasPayment(gas.gasCoins.map((c) => ({ objectId: c.objectId, version: c.version.toString(), digest: c.digest })));
}

async function finish(tx: Transaction): Promise<BuiltTransaction> {
  // No client: every input is given, so building resolves nothing over the network.
  const bytes = await tx.build();
  return { bytes, digest: transactionDigest(bytes) };
}

/**
 * The `registry::settle` transaction.
 *
 * @example
 * const built = await buildSettleTransaction({
 *   packageId, registry: { objectId: registryId, initialSharedVersion: 3n }, settlerCap: capRef,
 *   gas: { sender, gasCoins: [coinRef], gasPrice: 1000n, gasBudget: 50_000_000n },
 *   statement: { newRoot, newNextIndex, batchCommitment, toCursor, proof },
 * });
 */
export async function buildSettleTransaction(input: {
  packageId: string;
  registry: SharedObjectRef;
  settlerCap: ObjectRef;
  gas: GasEnvelope;
  statement: SettleStatement;
}): Promise<BuiltTransaction> {
  const tx = new Transaction();
  envelope(tx, input.gas);
  settle(tx, input.packageId, {
    ...input.statement,
    registry: tx.sharedObjectRef({
      objectId: input.registry.objectId,
      initialSharedVersion: input.registry.initialSharedVersion.toString(),
      mutable: true,
    }),
    settlerCap: tx.objectRef({
      objectId: input.settlerCap.objectId,
      version: input.settlerCap.version.toString(),
      digest: input.settlerCap.digest,
    }),
  });
  return finish(tx);
}

/**
 * `registry::create_registry`, with both capabilities transferred to the sender.
 *
 * @example
 * const built = await buildCreateRegistryTransaction({ packageId, gas, args: { vk, depth: 40, startCursor, maxSpan: 100n, trackingConfig } });
 */
export async function buildCreateRegistryTransaction(input: {
  packageId: string;
  gas: GasEnvelope;
  args: CreateRegistryArgs;
}): Promise<BuiltTransaction> {
  const tx = new Transaction();
  envelope(tx, input.gas);
  createRegistryAndKeepCaps(tx, input.packageId, { ...input.args, owner: normalizeSuiAddress(input.gas.sender) });
  return finish(tx);
}

/**
 * The digest of TransactionData BCS bytes (what a node and an explorer call the transaction).
 *
 * @example
 * transactionDigest(stored.txBytes) === stored.txDigest; // true for bytes we built
 */
export function transactionDigest(bytes: Uint8Array): string {
  return TransactionDataBuilder.getDigestFromBytes(bytes);
}

/**
 * Signs built bytes.
 *
 * @example
 * const signed = await signTransaction(signer, await buildSettleTransaction(...));
 */
export async function signTransaction(signer: SuiSigner, built: BuiltTransaction): Promise<SignedTransaction> {
  return { ...built, signatures: [await signer.signTransaction(built.bytes)] };
}
