/**
 * `sui-zk-indexer verify-proof`: checks a Groth16 proof over BN254 exactly as `sui::groth16`
 * would (prepare_verifying_key + verify_groth16_proof), for auditors.
 *
 * Each of the three values comes inline as hex (--vk, --public-inputs, --proof) or from a
 * file (--vk-file, ...) holding hex, raw bytes or snarkjs JSON (see settler/groth16/artifact.ts).
 * Prints `valid` or `invalid` on stdout (the reason for `invalid` on stderr). Exit codes:
 * 0 valid; 1 invalid (including non-canonical or off-curve encodings, which Sui also rejects);
 * 2 the arguments are malformed: bad hex, an unreadable file, a wrong length or count.
 */
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { parseHex } from "../../settler/groth16/bytes.ts";
import { readGroth16Artifact } from "../../settler/groth16/artifact.ts";
import { shapeProblems, type Groth16Argument } from "../../settler/groth16/sui-format.ts";
import { checkGroth16 } from "../../settler/groth16/verifier.ts";

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

interface VerifyProofOptions {
  vk?: string;
  vkFile?: string;
  publicInputs?: string;
  publicInputsFile?: string;
  proof?: string;
  proofFile?: string;
}

const ARGUMENTS: Record<Groth16Argument, { inline: keyof VerifyProofOptions; file: keyof VerifyProofOptions; flag: string }> = {
  vk: { inline: "vk", file: "vkFile", flag: "--vk" },
  publicInputs: { inline: "publicInputs", file: "publicInputsFile", flag: "--public-inputs" },
  proof: { inline: "proof", file: "proofFile", flag: "--proof" },
};

class UsageError extends Error {}

function readArgument(kind: Groth16Argument, options: VerifyProofOptions): Uint8Array {
  const { inline, file, flag } = ARGUMENTS[kind];
  const inlineValue = options[inline];
  const fileValue = options[file];
  if (inlineValue !== undefined && fileValue !== undefined) throw new UsageError(`give ${flag} or ${flag}-file, not both`);
  if (inlineValue === undefined && fileValue === undefined) throw new UsageError(`${flag} or ${flag}-file is required`);
  try {
    if (inlineValue !== undefined) return parseHex(inlineValue, flag);
    let content: Uint8Array;
    try {
      content = readFileSync(fileValue!);
    } catch (error) {
      throw new UsageError(`${flag}-file: cannot read ${fileValue}: ${(error as Error).message}`);
    }
    return readGroth16Artifact(kind, content, `${flag}-file`).bytes;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

/** Runs the check; returns the exit code. Exported for in-process callers. */
export function runVerifyProof(options: VerifyProofOptions, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): number {
  let bytes: { vk: Uint8Array; publicInputs: Uint8Array; proof: Uint8Array };
  try {
    bytes = { vk: readArgument("vk", options), publicInputs: readArgument("publicInputs", options), proof: readArgument("proof", options) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.stderr.write(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const problems = shapeProblems(bytes);
  if (problems.length > 0) {
    for (const p of problems) out.stderr.write(`error: ${ARGUMENTS[p.argument].flag}: ${p.message}\n`);
    return EXIT_USAGE;
  }
  const verdict = checkGroth16(bytes);
  if (verdict.valid) {
    out.stdout.write("valid\n");
    return EXIT_VALID;
  }
  out.stdout.write("invalid\n");
  out.stderr.write(`reason: ${verdict.reason}\n`);
  return EXIT_INVALID;
}

/**
 * The `verify-proof` command.
 *
 * @example
 * // sui-zk-indexer verify-proof --vk-file vk.hex --public-inputs 0100...00 --proof-file proof.json
 * program.addCommand(createVerifyProofCommand());
 */
export function createVerifyProofCommand(): Command {
  return new Command("verify-proof")
    .description(
      "Verify a BN254 Groth16 proof as sui::groth16 does. Files may hold hex, raw bytes or snarkjs JSON. " +
        "Prints valid/invalid; exit 0 valid, 1 invalid, 2 malformed arguments",
    )
    .addOption(new Option("--vk <hex>", "verifying key, arkworks compressed (264 + 32·nPublic bytes), as hex"))
    .addOption(new Option("--vk-file <path>", "verifying key file: hex, raw bytes or snarkjs verification_key.json"))
    .addOption(new Option("--public-inputs <hex>", "public inputs: 32-byte little-endian scalars, concatenated, as hex"))
    .addOption(new Option("--public-inputs-file <path>", "public inputs file: hex, raw bytes or snarkjs public.json"))
    .addOption(new Option("--proof <hex>", "proof points A || B || C (128 bytes), as hex"))
    .addOption(new Option("--proof-file <path>", "proof file: hex, raw bytes or snarkjs proof.json"))
    .exitOverride((error) => {
      // Usage errors commander detects itself (an unknown option, a missing value) exit 2 too.
      process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    })
    .action((options: VerifyProofOptions) => {
      process.exitCode = runVerifyProof(options, { stdout: process.stdout, stderr: process.stderr });
    });
}
