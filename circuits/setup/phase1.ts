/**
 * Phase 1 of the Groth16 setup: an existing powers-of-tau file (e.g. a public ceremony's),
 * checked by hash when the operator gives the expected one, and checked to be prepared for
 * phase 2 and large enough for the circuit.
 */
import { NonRetryableError } from "../../common/errors.ts";
import { assertHash, hashFile, parseExpectedHash, type FileHashes } from "./hash.ts";
import { readPtauInfo, requiredPtauPower, type PtauInfo } from "./ptau-file.ts";

export interface Phase1 {
  path: string;
  info: PtauInfo;
  hashes: FileHashes;
  /** As given, normalized to algorithm:hex; undefined when none was given. */
  expectedHash?: string;
}

/**
 * Checks a phase-1 file for a circuit of the given size.
 *
 * @example
 * const phase1 = await checkPhase1("pot14_final.ptau", { nConstraints, nPubInputs, nOutputs }, "blake2b:…");
 */
export async function checkPhase1(
  path: string,
  circuit: { nConstraints: number; nPubInputs: number; nOutputs: number },
  expectedHash?: string,
  label = "--ptau",
): Promise<Phase1> {
  const expected = expectedHash === undefined ? undefined : parseExpectedHash(expectedHash);
  const info = await readPtauInfo(path, label);
  if (!info.preparedForPhase2) {
    throw new NonRetryableError(`${label}: the powers of tau are not prepared for phase 2 (run snarkjs powersoftau prepare phase2)`, {
      details: { path },
    });
  }
  const needed = requiredPtauPower(circuit);
  if (info.power < needed) {
    throw new NonRetryableError(`${label}: 2^${info.power} powers of tau are too few for this circuit, which needs 2^${needed}`, {
      details: { path, constraints: circuit.nConstraints },
    });
  }
  const hashes = await hashFile(path);
  if (expected) assertHash(hashes, expected, label);
  return { path, info, hashes, ...(expected ? { expectedHash: `${expected.algorithm}:${expected.hex}` } : {}) };
}
