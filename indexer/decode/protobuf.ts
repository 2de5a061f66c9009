/**
 * A minimal protobuf reader for the part of `sui.rpc.v2.Checkpoint` a checkpoint file uses:
 * the BCS payloads (`Bcs.value`), the sequence number and the validator signature. It reads
 * the wire format directly into views of the input, skipping every other field, which is
 * several times cheaper than protobuf-ts's reflection-driven `fromBinary` on these messages.
 * `GrpcTypes.Checkpoint` values (from a gRPC client) have the same shape, so both go through
 * `decodeCheckpointMessage`.
 */
import { BcsDecodeError } from "./cursor.ts";

export interface BcsMessage {
  value?: Uint8Array;
}

export interface WithBcs {
  bcs?: BcsMessage;
}

export interface ExecutedTransactionMessage {
  transaction?: WithBcs;
  signatures: WithBcs[];
  effects?: WithBcs;
  events?: WithBcs;
  objects?: { objects: WithBcs[] };
}

/** The fields of `sui.rpc.v2.Checkpoint` that checkpoint decoding reads. */
export interface CheckpointMessage {
  sequenceNumber?: bigint;
  summary?: WithBcs;
  signature?: { epoch?: bigint; signature?: Uint8Array; bitmap?: Uint8Array };
  contents?: WithBcs;
  transactions: ExecutedTransactionMessage[];
  objects?: { objects: WithBcs[] };
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

class WireReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    private readonly name: string,
    private readonly parent: WireReader | null = null,
  ) {
    this.pos = start;
  }

  /** The field path, built only when an error needs it. */
  get path(): string {
    return this.parent ? `${this.parent.path}.${this.name}` : this.name;
  }

  fail(reason: string): never {
    throw new BcsDecodeError(`protobuf.${this.path}`, this.pos, reason);
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const byte = this.bytes[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
    return this.fail("varint too long");
  }

  /** A varint known to be small (tags, lengths). */
  smallVarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
    return this.fail("varint too long");
  }

  /** A length-delimited field's [start, end). */
  delimited(): [number, number] {
    const length = this.smallVarint();
    if (length > this.end - this.pos) this.fail(`length ${length} runs past the message`);
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case FIXED64:
        this.advance(8);
        return;
      case LENGTH_DELIMITED:
        this.delimited();
        return;
      case FIXED32:
        this.advance(4);
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  advance(n: number): void {
    if (n > this.end - this.pos) this.fail("truncated field");
    this.pos += n;
  }

  /** Calls `field(number, wireType)` for each field; the callback consumes or skips it. */
  fields(field: (number: number, wireType: number) => void): void {
    while (this.pos < this.end) {
      const tag = this.smallVarint();
      const number = Math.floor(tag / 8);
      if (number === 0) this.fail("field number 0");
      field(number, tag & 7);
    }
  }

  nested(name: string): WireReader {
    const [start, end] = this.delimited();
    return new WireReader(this.bytes, start, end, name, this);
  }
}

function expectWire(r: WireReader, wireType: number, expected: number): void {
  if (wireType !== expected) r.fail(`wire type ${wireType}, expected ${expected}`);
}

/** `Bcs { name = 1, value = 2 }`: keeps the value. */
function readBcs(r: WireReader, target: BcsMessage = {}): BcsMessage {
  r.fields((n, w) => {
    if (n === 2) {
      expectWire(r, w, LENGTH_DELIMITED);
      const [start, end] = r.delimited();
      target.value = r.bytes.subarray(start, end);
    } else r.skip(w);
  });
  return target;
}

/** Any message whose `bcs` is field 1 (summary, contents, transaction, effects, events, object, signature). */
function readWithBcs(r: WireReader, target: WithBcs = {}): WithBcs {
  r.fields((n, w) => {
    if (n === 1) {
      expectWire(r, w, LENGTH_DELIMITED);
      target.bcs = readBcs(r.nested("bcs"), target.bcs);
    } else r.skip(w);
  });
  return target;
}

/** `ObjectSet { repeated Object objects = 1 }`. */
function readObjectSet(r: WireReader, target: { objects: WithBcs[] } = { objects: [] }): { objects: WithBcs[] } {
  r.fields((n, w) => {
    if (n === 1) {
      expectWire(r, w, LENGTH_DELIMITED);
      target.objects.push(readWithBcs(r.nested("objects")));
    } else r.skip(w);
  });
  return target;
}

/** `ExecutedTransaction { transaction = 2, signatures = 3, effects = 4, events = 5, objects = 9 }`. */
function readExecutedTransaction(r: WireReader): ExecutedTransactionMessage {
  const tx: ExecutedTransactionMessage = { signatures: [] };
  r.fields((n, w) => {
    if (n !== 2 && n !== 3 && n !== 4 && n !== 5 && n !== 9) return r.skip(w);
    expectWire(r, w, LENGTH_DELIMITED);
    if (n === 2) tx.transaction = readWithBcs(r.nested("transaction"), tx.transaction);
    else if (n === 3) tx.signatures.push(readWithBcs(r.nested("signatures")));
    else if (n === 4) tx.effects = readWithBcs(r.nested("effects"), tx.effects);
    else if (n === 5) tx.events = readWithBcs(r.nested("events"), tx.events);
    else tx.objects = readObjectSet(r.nested("objects"), tx.objects);
  });
  return tx;
}

/** `ValidatorAggregatedSignature { epoch = 1, signature = 2, bitmap = 3 }`. */
function readSignature(r: WireReader, target: NonNullable<CheckpointMessage["signature"]> = {}): NonNullable<CheckpointMessage["signature"]> {
  r.fields((n, w) => {
    if (n === 1) {
      expectWire(r, w, VARINT);
      target.epoch = BigInt.asUintN(64, r.varint());
    } else if (n === 2 || n === 3) {
      expectWire(r, w, LENGTH_DELIMITED);
      const [start, end] = r.delimited();
      if (n === 2) target.signature = r.bytes.subarray(start, end);
      else target.bitmap = r.bytes.subarray(start, end);
    } else r.skip(w);
  });
  return target;
}

/**
 * Reads a `sui.rpc.v2.Checkpoint` protobuf. Byte fields are views of `bytes`.
 *
 * @example
 * const message = readCheckpointMessage(decompress(fileBytes));
 * console.log(message.sequenceNumber, message.transactions.length);
 */
export function readCheckpointMessage(bytes: Uint8Array): CheckpointMessage {
  const r = new WireReader(bytes, 0, bytes.length, "Checkpoint");
  const checkpoint: CheckpointMessage = { transactions: [] };
  r.fields((n, w) => {
    switch (n) {
      case 1:
        expectWire(r, w, VARINT);
        checkpoint.sequenceNumber = BigInt.asUintN(64, r.varint());
        return;
      case 3:
        expectWire(r, w, LENGTH_DELIMITED);
        checkpoint.summary = readWithBcs(r.nested("summary"), checkpoint.summary);
        return;
      case 4:
        expectWire(r, w, LENGTH_DELIMITED);
        checkpoint.signature = readSignature(r.nested("signature"), checkpoint.signature);
        return;
      case 5:
        expectWire(r, w, LENGTH_DELIMITED);
        checkpoint.contents = readWithBcs(r.nested("contents"), checkpoint.contents);
        return;
      case 6:
        expectWire(r, w, LENGTH_DELIMITED);
        checkpoint.transactions.push(readExecutedTransaction(r.nested(`transactions[${checkpoint.transactions.length}]`)));
        return;
      case 7:
        expectWire(r, w, LENGTH_DELIMITED);
        checkpoint.objects = readObjectSet(r.nested("objects"), checkpoint.objects);
        return;
      default:
        r.skip(w);
    }
  });
  return checkpoint;
}
