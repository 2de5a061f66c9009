/**
 * The current remote-store format `<seq>.binpb.zst`: a zstd-compressed protobuf
 * `sui.rpc.v2.Checkpoint` as Sui's checkpoint blob indexer writes it (field mask:
 * sequence_number, summary.bcs.value, signature, contents.bcs.value,
 * transactions.{transaction,effects,events}.bcs.value,
 * transactions.effects.unchanged_loaded_runtime_objects, objects.objects.bcs.value).
 *
 * The BCS payloads are decoded with the same cursor readers as `.chk`, into the same model.
 * What the protobuf layout does not carry per transaction is rebuilt the way Sui's own
 * `Checkpoint -> CheckpointData` conversion does it:
 * - `transactionBcs` (`SenderSignedData`) from the `TransactionData` and the user
 *   signatures, which the checkpoint contents pin per transaction;
 * - input objects: the object set's entries at the effects' modified-at versions;
 * - output objects: mutated, then created, then unwrapped objects at their new versions.
 */
import { decompress } from "zstd-napi";
import { NonRetryableError } from "../../common/errors.ts";
import type { ChangedObject, CheckpointModel } from "../model.ts";
import { plainBytes, sameBytes } from "./chk.ts";
import { BcsCursor, BcsDecodeError } from "./cursor.ts";
import { DecodedTransaction, type DecodeOrigin, type ObjectSlices } from "./decoded-transaction.ts";
import { readEffects, type EffectsFields } from "./effects.ts";
import { readEvents } from "./events.ts";
import { readObjectKey, skipObject } from "./object.ts";
import { type CheckpointMessage, readCheckpointMessage } from "./protobuf.ts";
import { checkpointModel, readContents, readSummary } from "./summary.ts";
import { readTransactionData } from "./transaction.ts";

/**
 * Decodes a `.binpb.zst` file into the checkpoint model.
 *
 * @example
 * const checkpoint = decodeBinpbZst(readFileSync("100000017.binpb.zst"), "100000017.binpb.zst");
 */
export function decodeBinpbZst(compressed: Uint8Array, location: string): CheckpointModel {
  let raw: Uint8Array;
  try {
    raw = decompress(compressed);
  } catch (error) {
    throw new NonRetryableError("cannot decompress checkpoint file", {
      cause: error,
      details: { file: location, checkpoint: null, field: "zstd", reason: (error as Error).message },
    });
  }
  return decodeBinpb(raw, location);
}

/** Decodes an uncompressed `sui.rpc.v2.Checkpoint` protobuf. */
export function decodeBinpb(raw: Uint8Array, location: string): CheckpointModel {
  let proto: CheckpointMessage;
  try {
    // Byte fields are views of the input: keep them plain Uint8Arrays.
    proto = readCheckpointMessage(plainBytes(raw));
  } catch (error) {
    if (!(error instanceof BcsDecodeError)) throw error;
    throw new NonRetryableError("cannot decode checkpoint file", {
      cause: error,
      details: { file: location, checkpoint: null, field: error.field, offset: error.offset, reason: error.reason },
    });
  }
  return decodeCheckpointMessage(proto, location);
}

/**
 * Decodes a `sui.rpc.v2.Checkpoint` message already parsed from protobuf (e.g. by a gRPC
 * client: `GrpcTypes.Checkpoint` has this shape), with the same field mask as the files.
 *
 * @example
 * const { checkpoint } = await client.ledgerService.getCheckpoint(request).response;
 * const model = decodeCheckpointMessage(checkpoint!, "grpc://node/123");
 */
export function decodeCheckpointMessage(proto: CheckpointMessage, location: string): CheckpointModel {
  let field = "summary";
  try {
    const summaryBcs = required(proto.summary?.bcs?.value, "summary.bcs.value");
    const summary = readWhole(summaryBcs, (c) => readSummary(c));
    if (proto.sequenceNumber !== undefined && proto.sequenceNumber !== summary.sequenceNumber) {
      throw new BcsDecodeError("sequence_number", 0, `${proto.sequenceNumber} disagrees with the summary's ${summary.sequenceNumber}`);
    }
    const origin: DecodeOrigin = { location, checkpoint: summary.sequenceNumber };
    try {
      field = "signature";
      const sig = proto.signature;
      const signatureBytes = required(sig?.signature, "signature.signature");
      if (signatureBytes.length !== 48) throw new BcsDecodeError("signature.signature", 0, `${signatureBytes.length} bytes, expected 48`);
      const signature = {
        epoch: required(sig?.epoch, "signature.epoch"),
        signature: signatureBytes,
        signersMap: required(sig?.bitmap, "signature.bitmap"),
      };

      field = "contents";
      const contentsBcs = required(proto.contents?.bcs?.value, "contents.bcs.value");
      const contents = readWhole(contentsBcs, (c) => readContents(c, true));
      if (proto.transactions.length !== contents.transactionDigests.length) {
        throw new BcsDecodeError("transactions", 0, `${proto.transactions.length} transactions but the contents list ${contents.transactionDigests.length}`);
      }

      field = "objects";
      const objectBcs = [...(proto.objects?.objects ?? []), ...proto.transactions.flatMap((t) => t.objects?.objects ?? [])].map(
        (o, i) => required(o.bcs?.value, `[${i}].bcs.value`),
      );
      // Objects are decoded (and indexed) on access, but their structure is checked now, as for `.chk`.
      objectBcs.forEach((bcs, i) => {
        try {
          readWhole(bcs, (c) => skipObject(c, "object"));
        } catch (error) {
          throw error instanceof BcsDecodeError ? new BcsDecodeError(`[${i}].${error.field}`, error.offset, error.reason) : error;
        }
      });
      const objectSet = new ObjectSetIndex(objectBcs);

      const transactions = proto.transactions.map((tx, i) => {
        field = `transactions[${i}].transaction`;
        const transactionData = required(tx.transaction?.bcs?.value, "bcs.value");
        const fields = readWhole(transactionData, (c) => readTransactionData(c));
        const signatures = tx.signatures.length > 0 ? tx.signatures.map((s) => required(s.bcs?.value, "signatures.bcs.value")) : contents.signatures![i]!;

        field = `transactions[${i}].effects`;
        const effectsBcs = required(tx.effects?.bcs?.value, "bcs.value");
        const effects = readWhole(effectsBcs, (c) => readEffects(c));
        if (!sameBytes(effects.transactionDigest, contents.transactionDigests[i]!)) {
          throw new BcsDecodeError("transaction_digest", 0, "effects belong to another transaction than the contents list");
        }

        field = `transactions[${i}].events`;
        const eventsBcs = tx.events?.bcs?.value ?? null;
        const events = eventsBcs ? readWhole(eventsBcs, (c) => readEvents(c)) : [];

        return new DecodedTransaction(
          {
            digest: effects.transactionDigest,
            indexInCheckpoint: i,
            sender: fields.sender,
            kind: fields.kind,
            gasOwner: fields.gasOwner,
            gasPrice: fields.gasPrice,
            gasBudget: fields.gasBudget,
            status: effects.status,
            gasUsed: effects.gasUsed,
            executedEpoch: effects.executedEpoch,
            lamportVersion: effects.lamportVersion,
            moveCalls: fields.moveCalls,
            changedObjects: effects.changedObjects,
            events,
            transactionBcs: senderSignedData(transactionData, signatures),
            effectsBcs,
            eventsBcs,
          },
          new ObjectSetSlices(objectSet, effects),
          origin,
        );
      });

      return checkpointModel(summary, { summaryBcs, signature, contentsBcs, transactions });
    } catch (error) {
      if (error instanceof BcsDecodeError) throw error.within(field);
      throw error;
    }
  } catch (error) {
    if (!(error instanceof BcsDecodeError)) throw error;
    throw new NonRetryableError("cannot decode checkpoint file", {
      cause: error,
      details: {
        file: location,
        checkpoint: proto.sequenceNumber ?? null,
        field: error.field,
        offsetInField: error.offset,
        reason: error.reason,
      },
    });
  }
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new BcsDecodeError(field, 0, "missing");
  return value;
}

/** Reads a BCS value that must fill its bytes exactly. */
function readWhole<T>(bytes: Uint8Array, read: (c: BcsCursor) => T): T {
  const c = new BcsCursor(bytes);
  const value = read(c);
  c.finish("end");
  return value;
}

/** `SenderSignedData` = [1 transaction] { intent (0, 0, 0), TransactionData, Vec<GenericSignature> }. */
export function senderSignedData(transactionData: Uint8Array, signatures: Uint8Array[]): Uint8Array {
  let size = 4 + transactionData.length + ulebSize(signatures.length);
  for (const s of signatures) size += ulebSize(s.length) + s.length;
  const out = new Uint8Array(size);
  out.set([1, 0, 0, 0], 0);
  out.set(transactionData, 4);
  let at = writeUleb(out, 4 + transactionData.length, signatures.length);
  for (const s of signatures) {
    at = writeUleb(out, at, s.length);
    out.set(s, at);
    at += s.length;
  }
  return out;
}

function ulebSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeUleb(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** The checkpoint's objects by id, then version (an id appears at most at two versions), indexed on first use. */
class ObjectSetIndex {
  readonly #objects: Uint8Array[];
  #byId: Map<string, Array<{ version: bigint; bcs: Uint8Array }>> | null = null;

  constructor(objects: Uint8Array[]) {
    this.#objects = objects;
  }

  get(objectId: string, version: bigint): Uint8Array | undefined {
    if (!this.#byId) {
      this.#byId = new Map();
      for (const bcs of this.#objects) {
        const key = readObjectKey(bcs);
        const versions = this.#byId.get(key.objectId);
        if (versions) versions.push({ version: key.version, bcs });
        else this.#byId.set(key.objectId, [{ version: key.version, bcs }]);
      }
    }
    const versions = this.#byId.get(objectId);
    if (!versions) return undefined;
    for (const entry of versions) if (entry.version === version) return entry.bcs;
    return undefined;
  }
}

/** A transaction's objects, looked up in the object set the way Sui converts them. */
class ObjectSetSlices implements ObjectSlices {
  constructor(
    private readonly set: ObjectSetIndex,
    private readonly effects: EffectsFields,
  ) {}

  /** The objects at the effects' modified-at versions, in that order. */
  inputs(): Uint8Array[] {
    const found: Uint8Array[] = [];
    const v1 = this.effects.modifiedAtVersions;
    if (v1) {
      for (const [id, version] of v1) this.#push(found, id, version);
      return found;
    }
    for (const change of this.effects.changedObjects) {
      if (change.inputVersion !== null) this.#push(found, change.objectId, change.inputVersion);
    }
    return found;
  }

  /** Mutated, then created, then unwrapped objects at their new versions (`all_changed_objects`). */
  outputs(): Uint8Array[] {
    const found: Uint8Array[] = [];
    for (const kind of OUTPUT_ORDER) {
      for (const change of this.effects.changedObjects) {
        if (change.kind === kind && change.outputVersion !== null) this.#push(found, change.objectId, change.outputVersion);
      }
    }
    return found;
  }

  #push(found: Uint8Array[], id: string, version: bigint): void {
    const bcs = this.set.get(id, version);
    // Sui's own conversion skips objects missing from the set; so does this one.
    if (bcs) found.push(bcs);
  }
}

const OUTPUT_ORDER: readonly ChangedObject["kind"][] = ["mutated", "created", "unwrapped"];
