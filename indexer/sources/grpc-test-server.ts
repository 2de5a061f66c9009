/**
 * A real gRPC server (@grpc/grpc-js, HTTP/2 on 127.0.0.1) speaking `sui.rpc.v2` with the
 * real message types, for tests: `LedgerService.GetServiceInfo` and `GetCheckpoint`, and
 * `SubscriptionService.SubscribeCheckpoints`. The grpc-js service definitions are built
 * from the protobuf-ts descriptors that @mysten/sui ships, so requests and answers go over
 * the wire in the real encoding, and read masks are applied (and validated) per request.
 *
 * The test drives the chain (`advanceTip`) and injects faults: failing statuses for a
 * number of calls, delays, RST_STREAM resets of unary calls and of subscription streams,
 * a node restart (every connection dropped), skipping ahead at the tip, pruned history.
 */
import { constants as http2 } from "node:http2";
import { Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import type { IMessageType } from "@protobuf-ts/runtime";
import type { ServiceType } from "@protobuf-ts/runtime-rpc";
import { GrpcTypes } from "@mysten/sui/grpc";
import { encodeBinpb } from "../decode/binpb-writer.ts";
import type { CheckpointModel } from "../model.ts";
import { localFolderSource } from "./local-folder.ts";

type ProtoCheckpoint = GrpcTypes.Checkpoint;
export type TestNodeMethod = "GetServiceInfo" | "GetCheckpoint" | "SubscribeCheckpoints";

export interface TestFullNodeOptions {
  /** Everything the node will ever serve, by sequence number. */
  checkpoints: ReadonlyMap<bigint, ProtoCheckpoint>;
  /** The highest checkpoint served at start; `advanceTip` moves it. */
  tip: bigint;
  /** Lowest checkpoint served (default: the lowest one given); below it the node has pruned. */
  lowestAvailable?: bigint;
  chainId?: string;
  chain?: string;
  /** Metadata every call must carry (e.g. `authorization`), else UNAUTHENTICATED. */
  requiredMetadata?: Readonly<Record<string, string>>;
  /** False: SubscribeCheckpoints answers UNIMPLEMENTED, like a node without the service. */
  subscriptions?: boolean;
}

export interface RequestLogEntry {
  method: TestNodeMethod;
  sequenceNumber: bigint | null;
  paths: string[];
  /** "OK", or the status name answered. */
  outcome: string;
}

export interface TestNodeFaults {
  /** Answers the next `count` calls of `method` with `code` (e.g. `status.UNAVAILABLE`). */
  fail(method: TestNodeMethod, code: status, count: number): void;
  /** Resets (RST_STREAM, INTERNAL_ERROR) the next `count` GetCheckpoint calls before they answer. */
  resetCalls(count: number): void;
  /** Every subscription stream is reset after sending this many frames; null: never. */
  resetStreamAfterFrames: number | null;
  /** Delay (ms) before a GetCheckpoint answer; null: none. */
  delayMs: ((sequenceNumber: bigint) => number) | null;
}

export interface TestFullNode {
  /** `http://127.0.0.1:<port>`, for the gRPC client. */
  readonly url: string;
  readonly port: number;
  readonly tip: bigint;
  lowestAvailable: bigint;
  readonly faults: TestNodeFaults;
  readonly log: RequestLogEntry[];
  /** Open subscription streams. */
  readonly subscribers: number;
  /**
   * Moves the tip to `to`, streaming every new checkpoint to subscribers in order, or with
   * `skip` only the last one (the stream skips ahead: its subscribers miss the others).
   */
  advanceTip(to: bigint, options?: { skip?: boolean }): void;
  /** Resolves once at least `count` subscription streams are open. */
  waitForSubscribers(count: number): Promise<void>;
  /** Drops every connection and stream as a crashing node would, then listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The protobuf messages a node would answer for these checkpoints, encoded the way Sui's
 * blob indexer encodes them (binpb-writer), then parsed back.
 *
 * @example
 * const messages = checkpointMessages(models);
 */
export function checkpointMessages(checkpoints: Iterable<CheckpointModel>): Map<bigint, ProtoCheckpoint> {
  const out = new Map<bigint, ProtoCheckpoint>();
  for (const checkpoint of checkpoints) out.set(checkpoint.sequenceNumber, GrpcTypes.Checkpoint.fromBinary(encodeBinpb(checkpoint)));
  return out;
}

/**
 * The decoded checkpoints of a folder, to serve: every one of `sequenceNumbers` must be there.
 *
 * @example
 * const node = await startTestFullNode({ checkpoints: checkpointMessages(await folderCheckpoints(dir, [1n, 2n])), tip: 2n });
 */
export async function folderCheckpoints(dir: string, sequenceNumbers: Iterable<bigint>): Promise<CheckpointModel[]> {
  const source = localFolderSource(dir);
  const out: CheckpointModel[] = [];
  for (const seq of sequenceNumbers) {
    const result = await source.fetch(seq);
    if (result.kind !== "found") throw new Error(`checkpoint ${seq} is not in ${dir}`);
    out.push(result.checkpoint);
  }
  return out;
}

/** first, first + 1, …, last. */
export function sequenceRange(first: bigint, last: bigint): bigint[] {
  const out: bigint[] = [];
  for (let seq = first; seq <= last; seq++) out.push(seq);
  return out;
}

/**
 * grpc-js service definitions from protobuf-ts's: their toBinary/fromBinary are the wire format.
 *
 * @example
 * server.addService(grpcServiceDefinition(GrpcTypes.LedgerService), { getCheckpoint, getServiceInfo });
 */
export function grpcServiceDefinition(service: ServiceType): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.clientStreaming,
      responseStream: method.serverStreaming,
      requestSerialize: (value: object) => Buffer.from(method.I.toBinary(value)),
      requestDeserialize: (bytes: Buffer) => method.I.fromBinary(bytes),
      responseSerialize: (value: object) => Buffer.from(method.O.toBinary(value)),
      responseDeserialize: (bytes: Buffer) => method.O.fromBinary(bytes),
      originalName: method.localName,
    };
  }
  return definition;
}

type MaskTree = Map<string, MaskTree | null>;

/**
 * Parses read-mask paths against a message type; an unknown field is an error, as on a node.
 *
 * @example
 * const mask = parseReadMask(GrpcTypes.Checkpoint, ["summary.bcs.value", "signature"]);
 */
export function parseReadMask(type: IMessageType<object>, paths: readonly string[]): MaskTree {
  const root: MaskTree = new Map();
  for (const path of paths) {
    let node = root;
    let current: IMessageType<object> | null = type;
    const parts = path.split(".");
    parts.forEach((part, i) => {
      const field = current?.fields.find((f) => f.name === part);
      if (!field) throw new Error(`invalid read_mask path ${path}: no field ${part}`);
      const last = i === parts.length - 1;
      if (last) {
        node.set(part, null);
        return;
      }
      if (field.kind !== "message") throw new Error(`invalid read_mask path ${path}: ${part} has no fields`);
      const existing = node.get(part);
      if (existing === null) return; // a shorter path already takes the whole field
      const child: MaskTree = existing ?? new Map();
      node.set(part, child);
      node = child;
      current = field.T() as IMessageType<object>;
    });
  }
  return root;
}

/**
 * A copy of `message` holding only the masked fields.
 *
 * @example
 * const answer = applyReadMask(GrpcTypes.Checkpoint, checkpoint, parseReadMask(GrpcTypes.Checkpoint, paths));
 */
export function applyReadMask<T extends object>(type: IMessageType<T>, message: T, mask: MaskTree): T {
  const source = message as Record<string, unknown>;
  const out = type.create() as Record<string, unknown>;
  for (const field of type.fields) {
    if (!mask.has(field.name)) continue;
    const sub = mask.get(field.name) ?? null;
    let value = field.oneof ? source[field.oneof] : source[field.localName];
    if (field.oneof) {
      const group = value as { oneofKind?: string } | undefined;
      if (group?.oneofKind === field.localName) out[field.oneof] = group;
      continue;
    }
    if (sub !== null && field.kind === "message" && value !== undefined) {
      const child = field.T() as IMessageType<object>;
      value = Array.isArray(value) ? value.map((v: object) => applyReadMask(child, v, sub)) : applyReadMask(child, value as object, sub);
    }
    out[field.localName] = value;
  }
  return out as T;
}

/** Sui's default mask when a request has none. */
const DEFAULT_CHECKPOINT_MASK = ["sequence_number", "digest"];

/**
 * @example
 * const node = await startTestFullNode({ checkpoints: checkpointMessages(models), tip: 1010n });
 * node.faults.fail("GetCheckpoint", status.UNAVAILABLE, 3);
 * node.advanceTip(1020n);
 * await node.close();
 */
export async function startTestFullNode(options: TestFullNodeOptions): Promise<TestFullNode> {
  const keys = [...options.checkpoints.keys()];
  let tip = options.tip;
  let lowestAvailable = options.lowestAvailable ?? keys.reduce((a, b) => (a < b ? a : b), tip);
  const chainId = options.chainId ?? "4btiuiMPvEENsttpZC7CZ53DruC3MAgfznDbASZ7DR6S";
  const log: RequestLogEntry[] = [];
  const failures: Array<{ method: TestNodeMethod; code: status; left: number }> = [];
  let resetsLeft = 0;
  interface Subscriber {
    call: ServerWritableStream<GrpcTypes.SubscribeCheckpointsRequest, GrpcTypes.SubscribeCheckpointsResponse>;
    mask: MaskTree;
    frames: number;
  }
  const subscribers = new Set<Subscriber>();
  const subscriberWaiters: Array<() => void> = [];

  const faults: TestNodeFaults = {
    fail(method, code, count) {
      failures.push({ method, code, left: count });
    },
    resetCalls(count) {
      resetsLeft += count;
    },
    resetStreamAfterFrames: null,
    delayMs: null,
  };

  const injected = (method: TestNodeMethod): status | null => {
    const failure = failures.find((f) => f.method === method && f.left > 0);
    if (!failure) return null;
    failure.left--;
    return failure.code;
  };

  const unauthenticated = (metadata: Metadata): boolean =>
    Object.entries(options.requiredMetadata ?? {}).some(([key, value]) => metadata.get(key)[0] !== value);

  const error = (code: status, details: string) => Object.assign(new Error(details), { code, details });

  const checkpointMask = (paths: readonly string[] | undefined) =>
    parseReadMask(GrpcTypes.Checkpoint as IMessageType<object>, paths && paths.length > 0 ? paths : DEFAULT_CHECKPOINT_MASK);

  const ledger: UntypedServiceImplementation = {
    getServiceInfo(call: ServerUnaryCall<GrpcTypes.GetServiceInfoRequest, GrpcTypes.GetServiceInfoResponse>, callback: (e: Error | null, r?: GrpcTypes.GetServiceInfoResponse) => void) {
      const entry: RequestLogEntry = { method: "GetServiceInfo", sequenceNumber: null, paths: [], outcome: "OK" };
      log.push(entry);
      if (unauthenticated(call.metadata)) return callback(error((entry.outcome = "UNAUTHENTICATED", status.UNAUTHENTICATED), "missing credentials"));
      const code = injected("GetServiceInfo");
      if (code !== null) return callback(error((entry.outcome = status[code], code), "injected fault"));
      callback(null, {
        chainId,
        chain: options.chain ?? "testnet",
        epoch: 0n,
        checkpointHeight: tip,
        lowestAvailableCheckpoint: lowestAvailable,
        lowestAvailableCheckpointObjects: lowestAvailable,
        server: "sui-zk-indexer test full node",
      });
    },
    getCheckpoint(call: ServerUnaryCall<GrpcTypes.GetCheckpointRequest, GrpcTypes.GetCheckpointResponse>, callback: (e: Error | null, r?: GrpcTypes.GetCheckpointResponse) => void) {
      const request = call.request;
      const sequenceNumber = request.checkpointId.oneofKind === "sequenceNumber" ? request.checkpointId.sequenceNumber : null;
      const entry: RequestLogEntry = { method: "GetCheckpoint", sequenceNumber, paths: request.readMask?.paths ?? [], outcome: "OK" };
      log.push(entry);
      const answer = () => {
        if (unauthenticated(call.metadata)) return callback(error((entry.outcome = "UNAUTHENTICATED", status.UNAUTHENTICATED), "missing credentials"));
        if (resetsLeft > 0) {
          resetsLeft--;
          entry.outcome = "RST_STREAM";
          return resetStream(call);
        }
        const code = injected("GetCheckpoint");
        if (code !== null) return callback(error((entry.outcome = status[code], code), "injected fault"));
        if (sequenceNumber === null) return callback(error((entry.outcome = "INVALID_ARGUMENT", status.INVALID_ARGUMENT), "only sequence numbers here"));
        let mask: MaskTree;
        try {
          mask = checkpointMask(request.readMask?.paths);
        } catch (e) {
          return callback(error((entry.outcome = "INVALID_ARGUMENT", status.INVALID_ARGUMENT), (e as Error).message));
        }
        const checkpoint = sequenceNumber <= tip && sequenceNumber >= lowestAvailable ? options.checkpoints.get(sequenceNumber) : undefined;
        if (!checkpoint) return callback(error((entry.outcome = "NOT_FOUND", status.NOT_FOUND), `checkpoint ${sequenceNumber} not found`));
        callback(null, { checkpoint: applyReadMask(GrpcTypes.Checkpoint, checkpoint, mask) });
      };
      const delay = sequenceNumber === null ? 0 : (faults.delayMs?.(sequenceNumber) ?? 0);
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    },
  };

  // Ends a stream with a status (destroy() would drop it without one and leave the client waiting).
  const fail = (call: Subscriber["call"], e: Error) => void call.emit("error", e);

  const subscription: UntypedServiceImplementation = {
    subscribeCheckpoints(call: Subscriber["call"]) {
      const entry: RequestLogEntry = { method: "SubscribeCheckpoints", sequenceNumber: null, paths: call.request.readMask?.paths ?? [], outcome: "OK" };
      log.push(entry);
      if (unauthenticated(call.metadata)) return fail(call, error((entry.outcome = "UNAUTHENTICATED", status.UNAUTHENTICATED), "missing credentials"));
      if (options.subscriptions === false) return fail(call, error((entry.outcome = "UNIMPLEMENTED", status.UNIMPLEMENTED), "no subscriptions here"));
      const code = injected("SubscribeCheckpoints");
      if (code !== null) return fail(call, error((entry.outcome = status[code], code), "injected fault"));
      let mask: MaskTree;
      try {
        mask = checkpointMask(call.request.readMask?.paths);
      } catch (e) {
        return fail(call, error((entry.outcome = "INVALID_ARGUMENT", status.INVALID_ARGUMENT), (e as Error).message));
      }
      const subscriber: Subscriber = { call, mask, frames: 0 };
      subscribers.add(subscriber);
      call.on("cancelled", () => subscribers.delete(subscriber));
      call.on("close", () => subscribers.delete(subscriber));
      call.sendMetadata(new Metadata());
      for (const wake of subscriberWaiters.splice(0)) wake();
    },
  };

  const send = (subscriber: Subscriber, sequenceNumber: bigint) => {
    const checkpoint = options.checkpoints.get(sequenceNumber);
    if (!checkpoint || !subscribers.has(subscriber)) return;
    subscriber.call.write({ cursor: sequenceNumber, checkpoint: applyReadMask(GrpcTypes.Checkpoint, checkpoint, subscriber.mask) });
    subscriber.frames++;
    if (faults.resetStreamAfterFrames !== null && subscriber.frames >= faults.resetStreamAfterFrames) {
      subscribers.delete(subscriber);
      resetStream(subscriber.call);
    }
  };

  let server = await listen(0, { ledger, subscription });
  const port = server.port;

  const node: TestFullNode = {
    url: `http://127.0.0.1:${port}`,
    port,
    get tip() {
      return tip;
    },
    get lowestAvailable() {
      return lowestAvailable;
    },
    set lowestAvailable(value: bigint) {
      lowestAvailable = value;
    },
    faults,
    log,
    get subscribers() {
      return subscribers.size;
    },
    advanceTip(to, { skip = false } = {}) {
      if (to <= tip) return;
      const from = skip ? to : tip + 1n;
      tip = to;
      for (let seq = from; seq <= to; seq++) for (const subscriber of [...subscribers]) send(subscriber, seq);
    },
    waitForSubscribers(count) {
      return new Promise<void>((resolve) => {
        const check = () => (subscribers.size >= count ? resolve() : subscriberWaiters.push(check));
        check();
      });
    },
    async restart() {
      subscribers.clear();
      server.server.forceShutdown();
      server = await listen(port, { ledger, subscription });
    },
    async close() {
      subscribers.clear();
      server.server.forceShutdown();
    },
  };
  return node;
}

async function listen(port: number, services: { ledger: UntypedServiceImplementation; subscription: UntypedServiceImplementation }): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(grpcServiceDefinition(GrpcTypes.LedgerService), services.ledger);
  server.addService(grpcServiceDefinition(GrpcTypes.SubscriptionService), services.subscription);
  for (let attempt = 0; ; attempt++) {
    try {
      const bound = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
      );
      return { server, port: bound };
    } catch (error) {
      // After a restart the old listener may take a moment to release the port.
      if (attempt >= 50 || port === 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Resets the call's HTTP/2 stream with INTERNAL_ERROR, as a proxy or a crashing server
 * does; the client sees INTERNAL "Received RST_STREAM with code 2". Falls back to
 * ending the call with that status where grpc-js's internals differ.
 */
function resetStream(call: object): void {
  const http2Stream = (call as { call?: { stream?: { close(code: number): void } } }).call?.stream;
  if (http2Stream) http2Stream.close(http2.NGHTTP2_INTERNAL_ERROR);
  else (call as { emit(event: "error", e: Error): void }).emit("error", Object.assign(new Error("Received RST_STREAM with code 2"), { code: status.INTERNAL }));
}
