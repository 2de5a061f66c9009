/**
 * A local Sui test double: a real gRPC server (@grpc/grpc-js on 127.0.0.1) speaking the
 * sui.rpc.v2 messages of @mysten/sui's generated types, serving what the settler calls:
 *
 *   TransactionExecutionService.ExecuteTransaction   validate, execute, answer effects + events
 *   LedgerService.GetObject / GetTransaction / GetEpoch / GetServiceInfo
 *   StateService.ListOwnedObjects                     (gas coins, capabilities)
 *
 * with the registry package "published" at `packageId` (executor.ts and registry-contract.ts
 * hold the rules), SUI coins handed out by `fund`, and fault injection for the poster's
 * tests: failed submissions (nothing executes), lost answers (the transaction executes but
 * the caller gets DEADLINE_EXCEEDED, immediately or after it gave up waiting), failed reads.
 *
 * What it does not cover (only a real network does) is listed in settler/sui/README.md.
 */
import { status } from "@grpc/grpc-js";
import { bcs } from "@mysten/sui/bcs";
import { GrpcTypes } from "@mysten/sui/grpc";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { GrpcStatusError, startLocalGrpcServer, type GrpcCallContext } from "./grpc-server.ts";
import { loadPoseidon } from "../../tree/poseidon.ts";
import { RegistryBcs } from "../registry-calls.ts";
import { transactionDigest, type ObjectRef } from "../transactions.ts";
import { executeTransaction, protoOwner, type ChainClock, type ExecutorContext } from "./executor.ts";
import { CoinBcs, SUI_COIN_TYPE, createLedger, type DoubleObject } from "./ledger.ts";
import type { RegistryValue } from "./registry-contract.ts";

export interface SuiDoubleOptions {
  /** Where the registry package lives (default: a fixed id). */
  packageId?: string;
  referenceGasPrice?: bigint;
  epoch?: bigint;
  /** Listen port on 127.0.0.1 (default: any free one). */
  port?: number;
}

/** One executed transaction, for assertions. */
export interface ExecutedRecord {
  digest: string;
  /** Move functions called, in order (`registry::settle`). */
  calls: string[];
  success: boolean;
  /** The abort's constant (EInvalidProof, …) or the failure kind. */
  error: string | null;
  checkpoint: bigint;
}

export type InjectableCode = "UNAVAILABLE" | "INTERNAL" | "RESOURCE_EXHAUSTED" | "DEADLINE_EXCEEDED";

export interface SuiDoubleFaults {
  /** The next `count` ExecuteTransaction calls fail with `code` and execute nothing. */
  failSubmissions(count: number, code?: InjectableCode): void;
  /**
   * The next `count` ExecuteTransaction calls execute the transaction, then lose the answer:
   * DEADLINE_EXCEEDED at once, or (`hang`) no answer until the caller's deadline passes.
   */
  loseResponses(count: number, options?: { hang?: boolean }): void;
  /** The next `count` reads (GetObject, ListOwnedObjects, GetEpoch, GetTransaction) fail with UNAVAILABLE. */
  failReads(count: number): void;
  /** Clears every pending fault. */
  clear(): void;
}

export interface SuiDouble {
  /** `http://127.0.0.1:<port>` for `createSuiGrpcConnection({ url })`. */
  readonly url: string;
  readonly packageId: string;
  readonly chainId: string;
  readonly faults: SuiDoubleFaults;
  /** Creates SUI coins owned by `address` (one per amount); returns their references. */
  fund(address: string, ...amountsMist: bigint[]): ObjectRef[];
  object(id: string): DoubleObject | undefined;
  /** The registry object decoded with its Move layout. */
  registry(id: string): RegistryValue;
  /** Every transaction executed so far, in order. */
  executed(): ExecutedRecord[];
  /** ExecuteTransaction calls received (including refused and faulted ones). */
  submissions(): number;
  advanceEpoch(): bigint;
  close(): Promise<void>;
}

/** The package id the double uses when none is given. */
export const DOUBLE_PACKAGE_ID = normalizeSuiAddress("0x5e771e");

function protoObject(o: DoubleObject): GrpcTypes.Object {
  return {
    objectId: o.id,
    version: o.version,
    digest: o.digest,
    owner: protoOwner(o.owner),
    objectType: o.type,
    contents: { name: o.type, value: o.contents },
    balance: o.type === SUI_COIN_TYPE ? BigInt(CoinBcs.parse(o.contents).balance) : undefined,
  };
}

/**
 * Starts the double.
 *
 * @example
 * const double = await startSuiDouble();
 * const [coin] = double.fund(signer.address, 10_000_000_000n);
 * const connection = createSuiGrpcConnection({ url: double.url });
 * // … build, sign, execute through settler/sui …
 * await double.close();
 */
export async function startSuiDouble(options: SuiDoubleOptions = {}): Promise<SuiDouble> {
  const poseidon = await loadPoseidon();
  const packageId = normalizeSuiAddress(options.packageId ?? DOUBLE_PACKAGE_ID);
  const ledger = createLedger();
  const clock: ChainClock = { epoch: options.epoch ?? 1n, referenceGasPrice: options.referenceGasPrice ?? 1_000n, nextCheckpoint: 1n };
  const executed = new Map<string, GrpcTypes.ExecutedTransaction>();
  const context: ExecutorContext = { ledger, packageId, poseidon, clock, executed };
  const log: ExecutedRecord[] = [];
  const chainId = "sui-zk-indexer-double";
  let submissions = 0;
  let failSubmissions: { count: number; code: InjectableCode } = { count: 0, code: "UNAVAILABLE" };
  let loseResponses: { count: number; hang: boolean } = { count: 0, hang: false };
  let failReads = 0;
  let coinCounter = 0;

  const readFault = () => {
    if (failReads > 0) {
      failReads--;
      throw new GrpcStatusError(status.UNAVAILABLE, "injected fault: node unavailable");
    }
  };

  const ledgerService = {
    GetServiceInfo: () => ({ chainId, chain: "double", epoch: clock.epoch, checkpointHeight: clock.nextCheckpoint - 1n, server: "sui-zk-indexer test double" }),
    GetObject: (request: object) => {
      readFault();
      const { objectId, version } = request as GrpcTypes.GetObjectRequest;
      const object = objectId ? ledger.get(objectId) : undefined;
      if (!object || (version !== undefined && version !== object.version)) {
        throw new GrpcStatusError(status.NOT_FOUND, `Object ${objectId ?? "?"} not found`);
      }
      return { object: protoObject(object) } satisfies GrpcTypes.GetObjectResponse;
    },
    GetTransaction: (request: object) => {
      readFault();
      const { digest } = request as GrpcTypes.GetTransactionRequest;
      const transaction = digest ? executed.get(digest) : undefined;
      if (!transaction) throw new GrpcStatusError(status.NOT_FOUND, `Transaction ${digest ?? "?"} not found`);
      return { transaction } satisfies GrpcTypes.GetTransactionResponse;
    },
    GetEpoch: () => {
      readFault();
      return { epoch: { epoch: clock.epoch, referenceGasPrice: clock.referenceGasPrice } } satisfies GrpcTypes.GetEpochResponse;
    },
  };

  const stateService = {
    ListOwnedObjects: (request: object) => {
      readFault();
      const r = request as GrpcTypes.ListOwnedObjectsRequest;
      if (!r.owner) throw new GrpcStatusError(status.INVALID_ARGUMENT, "owner is required");
      const all = ledger.ownedBy(r.owner, r.objectType ? normalizeStructTag(r.objectType) : undefined).sort((a, b) => a.id.localeCompare(b.id));
      const start = r.pageToken && r.pageToken.length === 4 ? new DataView(r.pageToken.buffer, r.pageToken.byteOffset).getUint32(0, true) : 0;
      const size = Math.min(Math.max(r.pageSize ?? 50, 1), 1000);
      const page = all.slice(start, start + size);
      const next = start + page.length;
      const nextPageToken = next < all.length ? new Uint8Array(new Uint32Array([next]).buffer) : undefined;
      return { objects: page.map(protoObject), nextPageToken } satisfies GrpcTypes.ListOwnedObjectsResponse;
    },
  };

  const executionService = {
    ExecuteTransaction: async (request: object, call: GrpcCallContext) => {
      submissions++;
      const r = request as GrpcTypes.ExecuteTransactionRequest;
      if (failSubmissions.count > 0) {
        failSubmissions.count--;
        throw new GrpcStatusError(status[failSubmissions.code], `injected fault: ${failSubmissions.code}`);
      }
      // Copies: the transport may hand out views into its receive buffers.
      const bytes = r.transaction?.bcs?.value ? Uint8Array.from(r.transaction.bcs.value) : undefined;
      if (!bytes) throw new GrpcStatusError(status.INVALID_ARGUMENT, "transaction.bcs is required");
      const signatures = r.signatures.flatMap((s) => (s.bcs?.value ? [Uint8Array.from(s.bcs.value)] : []));
      const known = executed.has(transactionDigest(bytes));
      const answer = await executeTransaction(context, bytes, signatures);
      if (!known) log.push(record(answer));
      if (loseResponses.count > 0) {
        loseResponses.count--;
        if (loseResponses.hang) await new Promise((resolve) => call.signal.addEventListener("abort", resolve, { once: true }));
        throw new GrpcStatusError(status.DEADLINE_EXCEEDED, "injected fault: the transaction executed but the answer was lost");
      }
      return { transaction: answer } satisfies GrpcTypes.ExecuteTransactionResponse;
    },
  };

  const server = await startLocalGrpcServer(
    [
      { service: GrpcTypes.LedgerService, handlers: ledgerService },
      { service: GrpcTypes.StateService, handlers: stateService },
      { service: GrpcTypes.TransactionExecutionService, handlers: executionService },
    ],
    { port: options.port },
  );

  return {
    url: server.url,
    packageId,
    chainId,
    faults: {
      failSubmissions: (count, code = "UNAVAILABLE") => {
        failSubmissions = { count, code };
      },
      loseResponses: (count, opts = {}) => {
        loseResponses = { count, hang: opts.hang ?? false };
      },
      failReads: (count) => {
        failReads = count;
      },
      clear: () => {
        failSubmissions = { count: 0, code: "UNAVAILABLE" };
        loseResponses = { count: 0, hang: false };
        failReads = 0;
      },
    },
    fund(address, ...amounts) {
      const owner = normalizeSuiAddress(address);
      return amounts.map((amount) => {
        const id = normalizeSuiAddress(`0xc0${(++coinCounter).toString(16).padStart(8, "0")}`);
        const coin = ledger.put({ id, version: 1n, owner: { kind: "address", address: owner }, type: SUI_COIN_TYPE, contents: CoinBcs.serialize({ id, balance: amount }).toBytes() });
        return { objectId: coin.id, version: coin.version, digest: coin.digest };
      });
    },
    object: (id) => ledger.get(id),
    registry(id) {
      const object = ledger.get(id);
      if (!object || !object.type.endsWith("::registry::Registry")) throw new Error(`no registry ${id} in the double`);
      return RegistryBcs.parse(object.contents);
    },
    executed: () => log.map((r) => ({ ...r, calls: [...r.calls] })),
    submissions: () => submissions,
    advanceEpoch: () => ++clock.epoch,
    close: () => server.close(),
  };
}

function record(answer: GrpcTypes.ExecutedTransaction): ExecutedRecord {
  const bytes = answer.transaction?.bcs?.value;
  const kind = bytes ? bcs.TransactionData.parse(bytes).V1?.kind : undefined;
  const calls =
    kind?.$kind === "ProgrammableTransaction"
      ? kind.ProgrammableTransaction.commands.flatMap((c) => (c.$kind === "MoveCall" ? [`${c.MoveCall.module}::${c.MoveCall.function}`] : []))
      : [];
  const error = answer.effects?.status?.error;
  const abort = error?.errorDetails.oneofKind === "abort" ? error.errorDetails.abort : undefined;
  return {
    digest: answer.digest ?? "",
    calls,
    success: answer.effects?.status?.success === true,
    error: abort?.cleverError?.constantName ?? (error?.kind !== undefined ? (GrpcTypes.ExecutionError_ExecutionErrorKind[error.kind] ?? null) : null),
    checkpoint: answer.checkpoint ?? 0n,
  };
}
