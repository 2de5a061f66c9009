/**
 * Poseidon over BN254 with circomlib's parameters: the same function as circomlib's
 * `Poseidon(n)` template and Sui's `sui::poseidon::poseidon_bn254`.
 *
 * circomlibjs needs an async WebAssembly set-up once; after that hashing is synchronous.
 * Every input is checked to be canonical first, because circomlibjs would reduce it
 * modulo r where Move aborts.
 */
import { buildPoseidon, type PoseidonFunction } from "circomlibjs";
import { NonRetryableError } from "../../common/errors.ts";
import { assertCanonical } from "./field.ts";

/** Most inputs one Poseidon call takes (circomlibjs and `poseidon_bn254` alike). */
export const POSEIDON_MAX_INPUTS = 16;

export interface Poseidon {
  /**
   * Poseidon of 1 to 16 canonical field elements.
   * @throws NonRetryableError on an input outside [0, r) or a bad input count.
   */
  hash(inputs: readonly bigint[]): bigint;
}

let loading: Promise<Poseidon> | undefined;

/**
 * The Poseidon hasher, built once per process.
 *
 * @example
 * const poseidon = await loadPoseidon();
 * const h = poseidon.hash([1n, 2n]);
 */
export function loadPoseidon(): Promise<Poseidon> {
  loading ??= buildPoseidon().then(wrap, (error: unknown) => {
    loading = undefined;
    throw new NonRetryableError("could not initialize circomlibjs Poseidon", { cause: error });
  });
  return loading;
}

function wrap(poseidon: PoseidonFunction): Poseidon {
  return {
    hash(inputs: readonly bigint[]): bigint {
      if (inputs.length < 1 || inputs.length > POSEIDON_MAX_INPUTS) {
        throw new NonRetryableError(`Poseidon takes 1 to ${POSEIDON_MAX_INPUTS} inputs`, {
          details: { count: inputs.length },
        });
      }
      inputs.forEach((input, i) => assertCanonical(input, `Poseidon input ${i}`));
      return poseidon.F.toObject(poseidon(inputs));
    },
  };
}
