/**
 * A strict decoder for the portable 32-bit Roaring bitmap format
 * (https://github.com/RoaringBitmap/RoaringFormatSpec), which Sui uses for the signers of a
 * certificate (`AuthorityQuorumSignInfo.signers_map`, serialized by roaring-rs).
 *
 * Strict on purpose: every value must appear once (sorted arrays, non-overlapping runs,
 * increasing keys, cardinalities that match the data), offsets must point where the
 * containers really are, and no byte may be left over. An auditor must never count a
 * signer's stake twice because the encoding let a value repeat.
 */
import { NonRetryableError } from "../../../common/errors.ts";

/** First 32 bits when no container is a run container; a 32-bit count follows. */
export const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
/** Low 16 bits when run containers may occur; the high 16 bits hold the count minus one. */
export const SERIAL_COOKIE = 12347;
/** With SERIAL_COOKIE, the offset header exists only from this many containers on. */
export const NO_OFFSET_THRESHOLD = 4;
/** An array container holds at most this many values; above it, a bitmap container. */
export const ARRAY_CONTAINER_MAX = 4096;
const BITMAP_CONTAINER_BYTES = 8192;

export class RoaringFormatError extends NonRetryableError {
  override name = "RoaringFormatError";
}

/**
 * Decodes a serialized Roaring bitmap into its values, ascending, each once. Throws a
 * RoaringFormatError naming the offset for anything the format does not allow, and when
 * the bitmap holds more than `maxCardinality` values (checked from the header, before any
 * value is materialized).
 *
 * @example
 * const signers = decodeRoaringBitmap(checkpoint.signature.signersMap, 65_536);
 */
export function decodeRoaringBitmap(bytes: Uint8Array, maxCardinality = 1 << 16): number[] {
  const r = new Reader(bytes);
  const cookie = r.u32("cookie");
  let size: number;
  let runFlags: Uint8Array | null = null;
  let hasOffsets: boolean;
  if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
    size = r.u32("container count");
    if (size > 65_536) r.fail(`${size} containers, at most 65536`, 4);
    hasOffsets = true;
  } else if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    runFlags = r.bytes(Math.ceil(size / 8), "run container flags");
    hasOffsets = size >= NO_OFFSET_THRESHOLD;
  } else {
    return r.fail(`unknown cookie ${cookie}`, 0);
  }

  const keys: number[] = new Array(size);
  const cardinalities: number[] = new Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    const at = r.pos;
    keys[i] = r.u16("container key");
    cardinalities[i] = r.u16("container cardinality") + 1;
    if (i > 0 && keys[i]! <= keys[i - 1]!) r.fail(`container key ${keys[i]} does not increase`, at);
    total += cardinalities[i]!;
  }
  if (total > maxCardinality) r.fail(`${total} values, at most ${maxCardinality} allowed`, 0);

  let offsets: number[] | null = null;
  if (hasOffsets) {
    offsets = new Array(size);
    for (let i = 0; i < size; i++) offsets[i] = r.u32("container offset");
  }

  const values: number[] = [];
  for (let i = 0; i < size; i++) {
    if (offsets && offsets[i] !== r.pos) r.fail(`offset header says container ${i} starts at ${offsets[i]}`, r.pos);
    const high = keys[i]! * 0x10000;
    const cardinality = cardinalities[i]!;
    const isRun = runFlags !== null && (runFlags[i >> 3]! >> (i & 7)) & 1;
    const before = values.length;
    if (isRun) readRunContainer(r, high, cardinality, values);
    else if (cardinality <= ARRAY_CONTAINER_MAX) readArrayContainer(r, high, cardinality, values);
    else readBitmapContainer(r, high, values);
    if (values.length - before !== cardinality) {
      r.fail(`container ${i} holds ${values.length - before} values, its header says ${cardinality}`, r.pos);
    }
  }
  // The run flags' padding bits stand for no container: they must be clear.
  if (runFlags && size % 8 !== 0 && runFlags[runFlags.length - 1]! >> size % 8 !== 0) {
    r.fail("run flags set for containers that do not exist", 4);
  }
  if (r.pos !== bytes.length) r.fail(`${bytes.length - r.pos} bytes left over`, r.pos);
  return values;
}

function readArrayContainer(r: Reader, high: number, cardinality: number, out: number[]): void {
  let previous = -1;
  for (let j = 0; j < cardinality; j++) {
    const at = r.pos;
    const low = r.u16("array container value");
    if (low <= previous) r.fail(`array container value ${low} is not above ${previous}`, at);
    previous = low;
    out.push(high + low);
  }
}

function readBitmapContainer(r: Reader, high: number, out: number[]): void {
  const words = r.bytes(BITMAP_CONTAINER_BYTES, "bitmap container");
  for (let byte = 0; byte < BITMAP_CONTAINER_BYTES; byte++) {
    const b = words[byte]!;
    if (b === 0) continue;
    // Little-endian 64-bit words: bit k of byte i is value 8i + k.
    for (let bit = 0; bit < 8; bit++) if ((b >> bit) & 1) out.push(high + byte * 8 + bit);
  }
}

function readRunContainer(r: Reader, high: number, cardinality: number, out: number[]): void {
  const runs = r.u16("run count");
  let previousEnd = -1;
  let count = 0;
  for (let j = 0; j < runs; j++) {
    const at = r.pos;
    const start = r.u16("run start");
    const length = r.u16("run length") + 1;
    const end = start + length - 1;
    if (end > 0xffff) r.fail(`run from ${start} of ${length} values passes 65535`, at);
    if (start <= previousEnd) r.fail(`run from ${start} overlaps or precedes the previous run (to ${previousEnd})`, at);
    previousEnd = end;
    // Four bytes can claim 65536 values: stop before materializing more than the header allows.
    count += length;
    if (count > cardinality) r.fail(`runs hold more than the ${cardinality} values the header says`, at);
    for (let v = start; v <= end; v++) out.push(high + v);
  }
}

class Reader {
  pos = 0;
  constructor(readonly data: Uint8Array) {}

  fail(reason: string, offset: number): never {
    throw new RoaringFormatError("invalid roaring bitmap", { details: { reason, offset, length: this.data.length } });
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.data.length) this.fail(`truncated in ${what}`, this.pos);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.data[this.pos]! | (this.data[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const d = this.data;
    const v = (d[this.pos]! | (d[this.pos + 1]! << 8) | (d[this.pos + 2]! << 16) | (d[this.pos + 3]! << 24)) >>> 0;
    this.pos += 4;
    return v;
  }

  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}
