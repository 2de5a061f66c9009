/**
 * The settler's view of Sui over gRPC (sui.rpc.v2, through `SuiGrpcClient`'s generated
 * service clients on a native HTTP/2 transport): read the registry object and decode it
 * with the Move layout, read owned objects and gas coins (to build transactions offline),
 * the reference gas price, and execute signed transactions, classifying every failure so
 * the poster knows whether to resend the same bytes, rebuild, or give up.
 */
import type { RpcOptions } from "@protobuf-ts/runtime-rpc";
import { bcs } from "@mysten/sui/bcs";
import { GrpcTypes } from "@mysten/sui/grpc";
import { fromBase64, normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { NonRetryableError } from "../../common/errors.ts";
import { grpcCode, grpcFailure, isGrpcNotFound } from "../../indexer/sources/grpc-errors.ts";
import type { SuiGrpcConnection } from "../../indexer/sources/grpc-client.ts";
import { StaleInputsError, SubmissionError, TransactionRejectedError } from "./errors.ts";
import { EXECUTED_TRANSACTION_READ_MASK, parseExecutedTransaction, type ExecutionResult } from "./executed.ts";
import { RegistryBcs } from "./registry-calls.ts";
import type { ObjectRef, SignedTransaction } from "./transactions.ts";

export const SUI_COIN_TYPE = "0x2::coin::Coin<0x2::sui::SUI>";

/** The registry as read from chain (the fields of `registry::Registry` the settler uses). */
export interface RegistryOnChain {
  registryId: string;
  root: bigint;
  nextIndex: bigint;
  nextCursor: bigint;
  batchCount: bigint;
  maxSpan: bigint;
  trackingConfigHash: Uint8Array;
  paused: boolean;
  depth: number;
  vkHash: Uint8Array;
  settlerCapId: string;
  recentRoots: { root: bigint; batch: bigint }[];
  /** The epoch a pending key rotation applies from, if one is pending. */
  pendingRotationEpoch: bigint | null;
  /** Current object version and digest (they change with every transaction that touches it). */
  objectVersion: bigint;
  objectDigest: string;
  /** What a transaction names it by: the version it was shared at. */
  initialSharedVersion: bigint;
}

/** An object's reference with its owner and type. */
export interface ObjectInfo {
  ref: ObjectRef;
  /** Owner address for an address-owned object, else null. */
  ownerAddress: string | null;
  type: string;
}

export interface GasCoin {
  ref: ObjectRef;
  balance: bigint;
}

export interface SuiChainClient {
  readonly packageId: string;
  /** Where the calls go (`host:port`), for logs. */
  readonly target: string;
  readRegistry(registryId: string): Promise<RegistryOnChain>;
  /** The object's current reference, or null when it does not exist. */
  getObject(objectId: string): Promise<ObjectInfo | null>;
  /** SUI coins of `owner`, largest first. */
  listGasCoins(owner: string): Promise<GasCoin[]>;
  /** Objects of `type` owned by `owner`, with their BCS contents. */
  listOwnedObjects(owner: string, type: string): Promise<(ObjectInfo & { contents: Uint8Array })[]>;
  referenceGasPrice(): Promise<bigint>;
  /** Executes; a Move abort is a result (`success: false`), not a throw. */
  execute(signed: SignedTransaction): Promise<ExecutionResult>;
  /** The executed transaction, or null when the node does not know the digest. */
  getTransaction(digest: string): Promise<ExecutionResult | null>;
  close(): void;
}

export interface SuiChainClientOptions {
  connection: SuiGrpcConnection;
  packageId: string;
  /** Deadline of each read (default 10 s). */
  readTimeoutMs?: number;
  /** Deadline of ExecuteTransaction (default 60 s: it waits for finality). */
  executeTimeoutMs?: number;
}

const OBJECT_READ_MASK = ["object_id", "version", "digest", "owner", "object_type", "contents"];
/** Messages Sui gives for inputs that moved on (the bytes can never execute again). */
const STALE = /not available for consumption|unavailable for consumption|ObjectVersionUnavailableForConsumption|InvalidObjectDigest|object .*not found|ObjectNotFound|deleted/i;
const CoinBcs = bcs.struct("Coin", { id: bcs.Address, balance: bcs.u64() });

/**
 * @example
 * const connection = createSuiGrpcConnection({ url: "http://127.0.0.1:9000" });
 * const chain = createSuiChainClient({ connection, packageId });
 * const registry = await chain.readRegistry(registryId);
 */
export function createSuiChainClient(options: SuiChainClientOptions): SuiChainClient {
  const { connection } = options;
  const client = connection.client;
  const packageId = normalizeSuiAddress(options.packageId);
  const registryType = normalizeStructTag(`${packageId}::registry::Registry`);
  const read: RpcOptions = { timeout: options.readTimeoutMs ?? 10_000 };
  const target = connection.target;

  async function getObjectMessage(objectId: string, method: string) {
    try {
      const { response } = await client.ledgerService.getObject({ objectId, readMask: { paths: OBJECT_READ_MASK } }, read);
      return response.object ?? null;
    } catch (error) {
      if (isGrpcNotFound(error)) return null;
      throw grpcFailure(error, { method, target });
    }
  }

  /** Every object of `type` owned by `owner`, following pages. */
  async function listOwned(owner: string, type: string): Promise<GrpcTypes.Object[]> {
    const out: GrpcTypes.Object[] = [];
    let pageToken: Uint8Array | undefined;
    do {
      let response;
      try {
        ({ response } = await client.stateService.listOwnedObjects(
          { owner: normalizeSuiAddress(owner), objectType: type, pageSize: 100, pageToken, readMask: { paths: [...OBJECT_READ_MASK, "balance"] } },
          read,
        ));
      } catch (error) {
        throw grpcFailure(error, { method: "ListOwnedObjects", target });
      }
      out.push(...response.objects.filter((o) => o.objectId && o.version !== undefined && o.digest));
      pageToken = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    } while (pageToken);
    return out;
  }

  return {
    packageId,
    target,

    async readRegistry(registryId) {
      const id = normalizeSuiAddress(registryId);
      const object = await getObjectMessage(id, "GetObject(registry)");
      if (!object) throw new NonRetryableError("registry object not found", { details: { registry: id, node: target } });
      const type = object.objectType ? normalizeStructTag(object.objectType) : "";
      if (type !== registryType) {
        throw new NonRetryableError("object is not a registry of this package", { details: { registry: id, type, expected: registryType } });
      }
      const bytes = object.contents?.value;
      if (!bytes) throw new NonRetryableError("the node returned the registry without contents", { details: { registry: id } });
      if (object.owner?.kind !== GrpcTypes.Owner_OwnerKind.SHARED || object.owner.version === undefined) {
        throw new NonRetryableError("registry is not a shared object", { details: { registry: id } });
      }
      const r = RegistryBcs.parse(bytes);
      return {
        registryId: id,
        root: BigInt(r.root),
        nextIndex: BigInt(r.next_index),
        nextCursor: BigInt(r.next_cursor),
        batchCount: BigInt(r.batch_count),
        maxSpan: BigInt(r.max_span),
        trackingConfigHash: Uint8Array.from(r.tracking_config_hash),
        paused: r.paused,
        depth: r.depth,
        vkHash: Uint8Array.from(r.vk_hash),
        settlerCapId: normalizeSuiAddress(r.settler_cap_id),
        recentRoots: r.recent_roots.map((e) => ({ root: BigInt(e.root), batch: BigInt(e.batch) })),
        pendingRotationEpoch: r.pending_rotation ? BigInt(r.pending_rotation.effective_epoch) : null,
        objectVersion: object.version ?? 0n,
        objectDigest: object.digest ?? "",
        initialSharedVersion: object.owner.version,
      };
    },

    async getObject(objectId) {
      const object = await getObjectMessage(normalizeSuiAddress(objectId), "GetObject");
      if (!object?.objectId || object.version === undefined || !object.digest) return null;
      return {
        ref: { objectId: normalizeSuiAddress(object.objectId), version: object.version, digest: object.digest },
        ownerAddress: object.owner?.kind === GrpcTypes.Owner_OwnerKind.ADDRESS && object.owner.address ? normalizeSuiAddress(object.owner.address) : null,
        type: object.objectType ? normalizeStructTag(object.objectType) : "",
      };
    },

    async listGasCoins(owner) {
      const coins = (await listOwned(owner, SUI_COIN_TYPE)).map((o) => ({
        ref: { objectId: normalizeSuiAddress(o.objectId!), version: o.version!, digest: o.digest! },
        balance: o.balance ?? (o.contents?.value ? BigInt(CoinBcs.parse(o.contents.value).balance) : 0n),
      }));
      return coins.sort((a, b) => (a.balance > b.balance ? -1 : a.balance < b.balance ? 1 : 0));
    },

    async listOwnedObjects(owner, type) {
      return (await listOwned(owner, type)).map((o) => ({
        ref: { objectId: normalizeSuiAddress(o.objectId!), version: o.version!, digest: o.digest! },
        ownerAddress: normalizeSuiAddress(owner),
        type: o.objectType ? normalizeStructTag(o.objectType) : "",
        contents: o.contents?.value ? Uint8Array.from(o.contents.value) : new Uint8Array(),
      }));
    },

    async referenceGasPrice() {
      try {
        const { response } = await client.ledgerService.getEpoch({ readMask: { paths: ["epoch", "reference_gas_price"] } }, read);
        const price = response.epoch?.referenceGasPrice;
        if (price === undefined) throw new NonRetryableError("the node did not return a reference gas price", { details: { node: target } });
        return price;
      } catch (error) {
        if (error instanceof NonRetryableError) throw error;
        throw grpcFailure(error, { method: "GetEpoch", target });
      }
    },

    async execute(signed) {
      let response;
      try {
        ({ response } = await client.transactionExecutionService.executeTransaction(
          {
            transaction: { bcs: { value: signed.bytes } },
            signatures: signed.signatures.map((s) => ({ bcs: { value: fromBase64(s) }, signature: { oneofKind: undefined } })),
            readMask: { paths: [...EXECUTED_TRANSACTION_READ_MASK] },
          },
          { timeout: options.executeTimeoutMs ?? 60_000 },
        ));
      } catch (error) {
        throw classifySubmissionFailure(error, signed.digest);
      }
      if (!response.transaction) throw new NonRetryableError("the node answered without the transaction", { details: { digest: signed.digest } });
      return parseExecutedTransaction(response.transaction, packageId);
    },

    async getTransaction(digest) {
      try {
        const { response } = await client.ledgerService.getTransaction({ digest, readMask: { paths: [...EXECUTED_TRANSACTION_READ_MASK] } }, read);
        return response.transaction ? parseExecutedTransaction(response.transaction, packageId) : null;
      } catch (error) {
        if (isGrpcNotFound(error)) return null;
        throw grpcFailure(error, { method: "GetTransaction", target });
      }
    },

    close: () => connection.close(),
  };
}

/**
 * What a failed ExecuteTransaction call means for the poster.
 *
 * @example
 * try { await chain.execute(signed); } catch (e) { if (e instanceof StaleInputsError) rebuild(); }
 */
export function classifySubmissionFailure(error: unknown, digest: string): Error {
  const code = grpcCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === null) {
    // Not an RpcError: the transport broke (reset, refused) before or after sending.
    return new SubmissionError(digest, "TRANSPORT", true, message, error);
  }
  if (["UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED", "ABORTED", "RESOURCE_EXHAUSTED", "INTERNAL", "UNKNOWN"].includes(code)) {
    // UNAVAILABLE before a connection exists means not sent; otherwise it may have landed.
    const notSent = code === "UNAVAILABLE" && /ECONNREFUSED|No connection established|failed to connect/i.test(message);
    return new SubmissionError(digest, code, !notSent, message, error);
  }
  if (STALE.test(message)) {
    const ids = [...new Set(message.match(/0x[0-9a-fA-F]{64}/g) ?? [])].map((id) => normalizeSuiAddress(id));
    return new StaleInputsError(digest, ids, message);
  }
  return new TransactionRejectedError(digest, code, message);
}
