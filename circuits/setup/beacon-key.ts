/**
 * The secrets of a powers-of-tau beacon contribution, derived as snarkjs derives them
 * (`powersoftau beacon`): SHA-256 iterated 2^numIterationsExp times over the beacon hash seeds
 * ChaCha20, whose first three field draws are tau, alpha and beta.
 *
 * A beacon applied to a fresh accumulator makes a file whose tau anyone can compute: that
 * is what makes the --dev setup insecure, and what lets the dev builder write the
 * phase-2 (Lagrange) sections directly instead of by snarkjs's slow FFTs. Callers check the
 * result against the file's points, so a mismatch here can never go unnoticed.
 */
import { createHash } from "node:crypto";
import { NonRetryableError } from "../../common/errors.ts";
import { SCALAR_MODULUS } from "../../settler/groth16/curve.ts";

export interface PtauSecrets {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
}

/** ChaCha20 block function (RFC 7539 rounds) with a 256-bit key, zero nonce, 128-bit counter. */
class ChaCha20Stream {
  private readonly state: Uint32Array;
  private block = new Uint32Array(16);
  private index = 16;

  constructor(key: readonly number[]) {
    this.state = Uint32Array.from([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, ...key, 0, 0, 0, 0]);
  }

  nextU32(): number {
    if (this.index === 16) this.refill();
    return this.block[this.index++]!;
  }

  /** High word first, as snarkjs's generator composes 64-bit values. */
  nextU64(): bigint {
    const high = BigInt(this.nextU32());
    return (high << 32n) | BigInt(this.nextU32());
  }

  private refill(): void {
    const x = Uint32Array.from(this.state);
    const rotl = (v: number, n: number) => ((v << n) | (v >>> (32 - n))) >>> 0;
    const quarter = (a: number, b: number, c: number, d: number) => {
      x[a] = (x[a]! + x[b]!) >>> 0;
      x[d] = rotl(x[d]! ^ x[a]!, 16);
      x[c] = (x[c]! + x[d]!) >>> 0;
      x[b] = rotl(x[b]! ^ x[c]!, 12);
      x[a] = (x[a]! + x[b]!) >>> 0;
      x[d] = rotl(x[d]! ^ x[a]!, 8);
      x[c] = (x[c]! + x[d]!) >>> 0;
      x[b] = rotl(x[b]! ^ x[c]!, 7);
    };
    for (let round = 0; round < 10; round++) {
      quarter(0, 4, 8, 12);
      quarter(1, 5, 9, 13);
      quarter(2, 6, 10, 14);
      quarter(3, 7, 11, 15);
      quarter(0, 5, 10, 15);
      quarter(1, 6, 11, 12);
      quarter(2, 7, 8, 13);
      quarter(3, 4, 9, 14);
    }
    for (let i = 0; i < 16; i++) this.block[i] = (x[i]! + this.state[i]!) >>> 0;
    this.index = 0;
    // 128-bit block counter in words 12..15.
    for (let i = 12; i < 16; i++) {
      this.state[i] = (this.state[i]! + 1) >>> 0;
      if (this.state[i] !== 0) break;
    }
  }
}

const R_MASK = (1n << 254n) - 1n;
/** Montgomery radix 2^256 mod r: ffjavascript takes the drawn integer as a Montgomery form. */
const R_INV = (() => {
  const r = (1n << 256n) % SCALAR_MODULUS;
  let [a, b, x0, x1] = [r, SCALAR_MODULUS, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b, x0, x1] = [b, a - q * b, x1, x0 - q * x1];
  }
  return ((x0 % SCALAR_MODULUS) + SCALAR_MODULUS) % SCALAR_MODULUS;
})();

/** A field element drawn as ffjavascript's `Fr.fromRng` draws it. */
function drawScalar(rng: ChaCha20Stream): bigint {
  for (;;) {
    let v = 0n;
    for (let i = 0n; i < 4n; i++) v += rng.nextU64() << (64n * i);
    v &= R_MASK;
    if (v < SCALAR_MODULUS) return (v * R_INV) % SCALAR_MODULUS;
  }
}

/**
 * tau, alpha and beta of `powersoftau beacon <hash> <numIterationsExp>`.
 *
 * @example
 * const { tau } = ptauSecretsFromBeacon(Buffer.from(beaconHex, "hex"), 10);
 */
export function ptauSecretsFromBeacon(beaconHash: Uint8Array, numIterationsExp: number): PtauSecrets {
  if (!Number.isInteger(numIterationsExp) || numIterationsExp < 10 || numIterationsExp > 32) {
    throw new NonRetryableError("beacon iterations exponent must be an integer in 10..32 here", {
      details: { numIterationsExp },
    });
  }
  let hash = Buffer.from(beaconHash);
  const iterations = 2 ** numIterationsExp;
  for (let i = 0; i < iterations; i++) hash = createHash("sha256").update(hash).digest();
  const key = Array.from({ length: 8 }, (_, i) => hash.readUInt32BE(4 * i));
  const rng = new ChaCha20Stream(key);
  const tau = drawScalar(rng);
  const alpha = drawScalar(rng);
  const beta = drawScalar(rng);
  return { tau, alpha, beta };
}
