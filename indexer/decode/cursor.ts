/**
 * A minimal BCS cursor over one byte array: reads in place, copies nothing, and fails with
 * the byte offset and the field that was being read. The checkpoint decoders walk whole
 * checkpoints with it, which is far cheaper than building generic BCS values.
 */

/** A malformed input: what was read, where (absolute offset in the buffer), and why. */
export class BcsDecodeError extends Error {
  override name = "BcsDecodeError";
  constructor(
    readonly field: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at byte ${offset} (${field})`);
  }

  /** The same error with an outer path prepended, e.g. `transactions[3].effects` + `.status`. */
  within(path: string): BcsDecodeError {
    const field = !path ? this.field : !this.field ? path : this.field.startsWith("[") ? path + this.field : `${path}.${this.field}`;
    return new BcsDecodeError(field, this.offset, this.reason);
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
// Two bytes per lookup halves the string concatenations, which dominate hex encoding.
const HEX16: string[] = Array.from({ length: 65536 }, (_, i) => HEX[i >> 8]! + HEX[i & 0xff]!);

/** Lowercase hex of `bytes[start, end)` without a prefix. */
export function hexOf(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  let i = start;
  for (; i + 1 < end; i += 2) out += HEX16[(bytes[i]! << 8) | bytes[i + 1]!];
  if (i < end) out += HEX[bytes[i]!];
  return out;
}

/**
 * Canonical strings of recently seen 32-byte addresses. The same senders, packages and
 * shared objects recur across transactions, and a hit (a hash and a 32-byte compare) is
 * several times cheaper than hex-encoding again.
 */
const ADDRESS_SLOTS = 4096;
const addressKeys = new Uint32Array(ADDRESS_SLOTS * 8);
const addressValues: (string | undefined)[] = new Array(ADDRESS_SLOTS);

function cachedAddress(view: DataView, bytes: Uint8Array, at: number, start: number): string {
  const w0 = view.getUint32(at, true);
  const w3 = view.getUint32(at + 12, true);
  const w7 = view.getUint32(at + 28, true);
  const slot = ((w0 ^ Math.imul(w3, 0x9e3779b1) ^ Math.imul(w7, 0x85ebca6b)) >>> 0) & (ADDRESS_SLOTS - 1);
  const k = slot * 8;
  const cached = addressValues[slot];
  if (
    cached !== undefined &&
    addressKeys[k] === w0 &&
    addressKeys[k + 3] === w3 &&
    addressKeys[k + 7] === w7 &&
    addressKeys[k + 1] === view.getUint32(at + 4, true) &&
    addressKeys[k + 2] === view.getUint32(at + 8, true) &&
    addressKeys[k + 4] === view.getUint32(at + 16, true) &&
    addressKeys[k + 5] === view.getUint32(at + 20, true) &&
    addressKeys[k + 6] === view.getUint32(at + 24, true)
  ) {
    return cached;
  }
  for (let w = 0; w < 8; w++) addressKeys[k + w] = view.getUint32(at + w * 4, true);
  const value = "0x" + hexOf(bytes, start, start + 32);
  addressValues[slot] = value;
  return value;
}

// Creating a DataView costs hundreds of nanoseconds, more than decoding a small object:
// one view per underlying buffer is shared by every cursor over it.
let lastBuffer: ArrayBufferLike | null = null;
let lastView: DataView | null = null;

function viewOf(buffer: ArrayBufferLike): DataView {
  if (buffer !== lastBuffer) {
    lastBuffer = buffer;
    lastView = new DataView(buffer);
  }
  return lastView!;
}

export class BcsCursor {
  readonly bytes: Uint8Array;
  /** A view of the whole underlying buffer; `base` maps cursor positions into it. */
  private readonly view: DataView;
  private readonly base: number;
  pos: number;
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    // A Node Buffer's subarray is several times slower than a plain Uint8Array's, and every
    // slice the decoder keeps is a subarray: always work on a plain view.
    this.bytes = Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = viewOf(bytes.buffer);
    this.base = bytes.byteOffset;
    this.pos = start;
    this.end = end;
  }

  /** Little-endian u32 at an absolute position, without moving. */
  u32At(at: number): number {
    return this.view.getUint32(this.base + at, true);
  }

  /** Little-endian u64 at an absolute position, without moving. */
  u64At(at: number): bigint {
    return this.view.getBigUint64(this.base + at, true);
  }

  fail(field: string, reason: string, offset = this.pos): never {
    throw new BcsDecodeError(field, offset, reason);
  }

  /** Ensures `n` more bytes exist; a short read means a truncated input. */
  need(n: number, field: string): void {
    if (this.pos + n > this.end) this.fail(field, `truncated: need ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(field: string): number {
    if (this.pos >= this.end) this.fail(field, "truncated: need 1 byte, 0 left");
    return this.bytes[this.pos++]!;
  }

  bool(field: string): boolean {
    const at = this.pos;
    const b = this.u8(field);
    if (b > 1) this.fail(field, `invalid bool ${b}`, at);
    return b === 1;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.base + this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.base + this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.base + this.pos, true);
    this.pos += 8;
    return v;
  }

  /** ULEB128 as BCS allows it: canonical, at most a u32. */
  uleb(field: string): number {
    // Nearly every length and tag fits in one byte.
    if (this.pos < this.end) {
      const b = this.bytes[this.pos]!;
      if (b < 0x80) {
        this.pos++;
        return b;
      }
    }
    return this.ulebSlow(field);
  }

  private ulebSlow(field: string): number {
    const at = this.pos;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.u8(field);
      const digit = byte & 0x7f;
      value += digit * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (shift > 0 && digit === 0) this.fail(field, "non-canonical uleb128", at);
        if (value > 0xffffffff) this.fail(field, "uleb128 exceeds u32", at);
        return value;
      }
    }
    return this.fail(field, "uleb128 too long", at);
  }

  /** An enum tag; `count` is the number of known variants. */
  variant(count: number, field: string): number {
    const at = this.pos;
    const tag = this.uleb(field);
    if (tag >= count) this.fail(field, `unknown variant ${tag}`, at);
    return tag;
  }

  /** A sequence length: bounded by the bytes left so that a corrupted length fails early. */
  length(field: string, minElementSize = 1): number {
    const at = this.pos;
    const n = this.uleb(field);
    if (n * minElementSize > this.end - this.pos) {
      this.fail(field, `bad length ${n}: more than the ${this.end - this.pos} bytes left (truncated or corrupted)`, at);
    }
    return n;
  }

  /** `Option<T>` tag. */
  option(field: string): boolean {
    const at = this.pos;
    const b = this.u8(field);
    if (b > 1) this.fail(field, `invalid option tag ${b}`, at);
    return b === 1;
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  /** Length-prefixed bytes, as a view into the buffer. */
  byteVector(field: string): Uint8Array {
    const n = this.length(field);
    const start = this.pos;
    this.pos += n;
    return this.bytes.subarray(start, start + n);
  }

  skipByteVector(field: string): void {
    const n = this.length(field);
    this.pos += n;
  }

  fixed(n: number, field: string): Uint8Array {
    this.need(n, field);
    const start = this.pos;
    this.pos += n;
    return this.bytes.subarray(start, start + n);
  }

  /** A 32-byte address as canonical `0x` + 64 lowercase hex digits. */
  address(field: string): string {
    this.need(32, field);
    const start = this.pos;
    this.pos += 32;
    return cachedAddress(this.view, this.bytes, this.base + start, start);
  }

  /** The address at an absolute position, without moving (bounds checked by the caller). */
  addressAt(at: number): string {
    return cachedAddress(this.view, this.bytes, this.base + at, at);
  }

  /** Sui's `Digest`: serialized as bytes, so a length byte that must be 32, then 32 bytes. */
  digest(field: string): Uint8Array {
    const at = this.pos;
    const n = this.u8(field);
    if (n !== 32) this.fail(field, `digest length ${n}, expected 32`, at);
    return this.fixed(32, field);
  }

  skipDigest(field: string): void {
    const at = this.pos;
    const n = this.u8(field);
    if (n !== 32) this.fail(field, `digest length ${n}, expected 32`, at);
    this.skip(32, field);
  }

  /** A UTF-8 string; identifiers are ASCII, which takes the fast path. */
  string(field: string): string {
    const n = this.length(field);
    const start = this.pos;
    this.pos += n;
    let ascii = true;
    for (let i = start; i < start + n; i++) {
      if (this.bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      let out = "";
      for (let i = start; i < start + n; i++) out += String.fromCharCode(this.bytes[i]!);
      return out;
    }
    try {
      return utf8.decode(this.bytes.subarray(start, start + n));
    } catch {
      return this.fail(field, "invalid utf-8", start);
    }
  }

  /** Fails unless every byte up to `end` was consumed. */
  finish(field: string): void {
    if (this.pos !== this.end) this.fail(field, `${this.end - this.pos} bytes left over`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
