/** A growable byte buffer with the few BCS primitives the writers need. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(initial = 64 * 1024) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.#len++] = v;
  }

  u64(v: bigint): void {
    this.#ensure(8);
    this.#view.setBigUint64(this.#len, v, true);
    this.#len += 8;
  }

  uleb(n: number): void {
    while (n >= 0x80) {
      this.u8((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.u8(n);
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  byteVector(b: Uint8Array): void {
    this.uleb(b.length);
    this.bytes(b);
  }

  /** The bytes written, as an exact-size view. */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}
