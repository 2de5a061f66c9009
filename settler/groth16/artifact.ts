/**
 * Reads a verifying key, public inputs or proof from a file's content in any of the forms an
 * auditor meets: Sui bytes as hex (optional 0x, whitespace ignored), the same bytes raw, or
 * snarkjs JSON (verification_key.json, public.json, proof.json), converted to Sui bytes.
 *
 * Detection, in order: content starting with `{` or `[` that parses as JSON is snarkjs JSON;
 * content that is all hex digits is hex; anything else is raw bytes. (Raw point bytes that
 * are valid JSON or pure hex digits do not occur in practice: a single non-printable byte
 * rules both out.)
 */
import type { Groth16Proof, PublicSignals, VerificationKey } from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import { parseHex } from "./bytes.ts";
import { snarkjsProofToSui, snarkjsPublicSignalsToSui, snarkjsVerificationKeyToSui } from "./snarkjs.ts";
import type { Groth16Argument } from "./sui-format.ts";

/** How the content was read. */
export type ArtifactEncoding = "hex" | "raw" | "snarkjs-json";

const HEX_CONTENT = /^\s*(0x)?[0-9a-fA-F]*\s*$/;

/**
 * The Sui bytes of a Groth16 artifact from a file's content; `label` names the argument in
 * errors.
 *
 * @example
 * const { bytes } = readGroth16Artifact("proof", readFileSync("proof.json"), "--proof-file");
 */
export function readGroth16Artifact(
  kind: Groth16Argument,
  content: Uint8Array,
  label: string,
): { bytes: Uint8Array; encoding: ArtifactEncoding } {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(content);
  const first = text.trimStart()[0];
  if (first === "{" || first === "[") {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (json !== undefined) return { bytes: fromSnarkjsJson(kind, json, label), encoding: "snarkjs-json" };
  }
  if (content.length > 0 && HEX_CONTENT.test(text)) return { bytes: parseHex(text, label), encoding: "hex" };
  return { bytes: content, encoding: "raw" };
}

function fromSnarkjsJson(kind: Groth16Argument, json: unknown, label: string): Uint8Array {
  try {
    switch (kind) {
      case "vk":
        return snarkjsVerificationKeyToSui(json as VerificationKey);
      case "proof":
        return snarkjsProofToSui(json as Groth16Proof);
      case "publicInputs":
        return snarkjsPublicSignalsToSui(json as PublicSignals);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NonRetryableError(`${label}: not a usable snarkjs ${kind} JSON file: ${reason}`, {
      cause: error,
      details: { argument: label },
    });
  }
}
