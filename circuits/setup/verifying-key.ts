/**
 * Exports a zkey's verifying key as snarkjs JSON and as the bytes `sui::groth16` takes.
 */
import * as snarkjs from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { snarkjsVerificationKeyToSui } from "../../settler/groth16/snarkjs.ts";
import { captureSnarkjsLogger } from "./snarkjs-runtime.ts";

export interface ExportedVerifyingKey {
  /** snarkjs verification_key.json. */
  json: snarkjs.VerificationKey;
  /** Arkworks compressed: the argument of `groth16::prepare_verifying_key`. */
  suiBytes: Uint8Array;
}

/**
 * The verifying key of a Groth16 zkey, in both forms.
 *
 * @example
 * const { json, suiBytes } = await exportVerifyingKey("circuits/build/x/setup/zkey/0002_beacon.zkey");
 */
export async function exportVerifyingKey(zkeyPath: string, logger?: Logger): Promise<ExportedVerifyingKey> {
  const { logger: snarkLogger } = captureSnarkjsLogger(logger);
  let json: snarkjs.VerificationKey;
  try {
    json = await snarkjs.zKey.exportVerificationKey(zkeyPath, snarkLogger);
  } catch (error) {
    throw new NonRetryableError("could not export the verifying key from the zkey", { cause: error, details: { zkeyPath } });
  }
  return { json, suiBytes: snarkjsVerificationKeyToSui(json) };
}
