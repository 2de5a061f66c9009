/** A small seeded PRNG (sfc32) so that synthetic checkpoints are the same for the same seed. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** A count around `mean`: the integer part always, the fraction with that probability, ±1 now and then. */
  around(mean: number): number {
    const base = Math.floor(mean) + (this.float() < mean - Math.floor(mean) ? 1 : 0);
    const jitter = this.float();
    return Math.max(0, base + (jitter < 0.2 ? -1 : jitter > 0.8 ? 1 : 0));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Skewed towards the first items, as activity on a chain is: a few accounts do most. */
  pickSkewed<T>(items: readonly T[]): T {
    const x = this.float();
    return items[Math.floor(x * x * x * items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      out[i] = v & 0xff;
      if (i + 1 < n) out[i + 1] = (v >>> 8) & 0xff;
      if (i + 2 < n) out[i + 2] = (v >>> 16) & 0xff;
      if (i + 3 < n) out[i + 3] = v >>> 24;
    }
    return out;
  }

  /** A fresh 32-byte id as a canonical address. */
  address(): string {
    return "0x" + Buffer.from(this.bytes(32)).toString("hex");
  }
}
