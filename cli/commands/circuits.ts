/**
 * `sui-zk-indexer circuits ...`: the Groth16 trusted setup over a setup folder (the published
 * transcript, see circuits/setup/ceremony.ts), proving, and the INSECURE --dev path.
 *
 *   circuits setup      --dir D --r1cs F --ptau F [--ptau-hash blake2b:…|sha256:…] [--wasm F]
 *   circuits contribute --dir D --name WHO [--entropy TEXT]
 *   circuits beacon     --dir D --hash HEX [--iterations-exp 10]
 *   circuits verify     --dir D [--ptau F] [--vk-hex HEX | --vk-file F]   exit 0 ok, 1 failed
 *   circuits export-vk  --dir D                                          prints the Sui key hex
 *   circuits prove      --dir D --input input.json [--out DIR]
 *   circuits dev        --dir D --r1cs F [--wasm F] [--power N] [--phase2 known-tau|snarkjs]
 *   circuits dev-ptau   --power N [--phase2 known-tau|snarkjs]
 *
 * Errors print `error: …` and exit 1 (2 for `verify` when the folder cannot be read).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { createCommon } from "../../common/context.ts";
import type { Logger } from "../../common/logger.ts";
import { applyBeacon, contribute, devSetup, exportSetupVerifyingKey, initSetup } from "../../circuits/setup/ceremony.ts";
import { DEV_PTAU_MAX_POWER, ensureDevPtau, type DevPhase2Method } from "../../circuits/setup/dev-ptau.ts";
import { loadProvingSetup, proveBatch } from "../../circuits/setup/prove.ts";
import { releaseSnarkjs } from "../../circuits/setup/snarkjs-runtime.ts";
import { verifySetup } from "../../circuits/setup/verify-setup.ts";
import { readGroth16Artifact } from "../../settler/groth16/artifact.ts";
import { parseHex, toHex } from "../../settler/groth16/bytes.ts";

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
    return n;
  };
}

const phase2Option = () =>
  new Option("--phase2 <method>", "how the dev ptau is prepared for phase 2").choices(["known-tau", "snarkjs"]).default("known-tau");

/**
 * Runs a subcommand body with a logger, prints errors as `error: …`, sets the exit code, and
 * releases snarkjs's worker threads so the process can exit.
 */
async function run(body: (logger: Logger) => Promise<number | void>, errorExitCode = 1): Promise<void> {
  const { logger } = createCommon();
  try {
    process.exitCode = (await body(logger)) ?? 0;
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = errorExitCode;
  } finally {
    await releaseSnarkjs();
  }
}

function setupCommand(): Command {
  return new Command("setup")
    .description("start a setup folder from a phase-1 ptau (hash-checked) and the circuit: writes the initial zkey and manifest.json")
    .requiredOption("--dir <dir>", "the setup folder (the transcript to publish)")
    .requiredOption("--r1cs <file>", "the circuit's .r1cs")
    .requiredOption("--ptau <file>", "phase-1 powers of tau, prepared for phase 2 (e.g. a public ceremony's final file)")
    .option("--ptau-hash <hash>", "expected hash of the ptau: blake2b:<hex> or sha256:<hex>; refused when it differs")
    .option("--wasm <file>", "the circuit's witness generator, copied in for proving")
    .option("--name <name>", "circuit name to record")
    .action((flags: { dir: string; r1cs: string; ptau: string; ptauHash?: string; wasm?: string; name?: string }) =>
      run(async (logger) => {
        const manifest = await initSetup({
          dir: flags.dir,
          r1csPath: flags.r1cs,
          ptauPath: flags.ptau,
          logger,
          ...(flags.ptauHash ? { expectedPtauHash: flags.ptauHash } : {}),
          ...(flags.wasm ? { wasmPath: flags.wasm } : {}),
          ...(flags.name ? { circuitName: flags.name } : {}),
        });
        process.stdout.write(`initialized ${flags.dir}: ${manifest.circuit.constraints} constraints, ptau 2^${manifest.phase1.power}\n`);
      }),
    );
}

function contributeCommand(): Command {
  return new Command("contribute")
    .description("add a phase-2 contribution to the folder's zkey chain (anyone holding the folder can)")
    .requiredOption("--dir <dir>", "the setup folder")
    .requiredOption("--name <name>", "who contributes (recorded in the zkey and the manifest)")
    .option("--entropy <text>", "extra entropy, mixed with fresh system randomness")
    .action((flags: { dir: string; name: string; entropy?: string }) =>
      run(async (logger) => {
        const artifact = await contribute({ dir: flags.dir, name: flags.name, logger, ...(flags.entropy ? { entropy: flags.entropy } : {}) });
        process.stdout.write(`contribution #${artifact.index} by ${flags.name}: ${artifact.path}\ncontribution hash: ${artifact.contributionHash}\n`);
      }),
    );
}

function beaconCommand(): Command {
  return new Command("beacon")
    .description("end the chain with a public random beacon (e.g. a future block hash)")
    .requiredOption("--dir <dir>", "the setup folder")
    .requiredOption("--hash <hex>", "the beacon value, hex")
    .option("--iterations-exp <n>", "hash iterations 2^n (10..63)", integer("--iterations-exp", 10, 63), 10)
    .option("--name <name>", "name recorded for the beacon step", "final beacon")
    .action((flags: { dir: string; hash: string; iterationsExp: number; name: string }) =>
      run(async (logger) => {
        const artifact = await applyBeacon({ dir: flags.dir, beaconHash: flags.hash, iterationsExp: flags.iterationsExp, name: flags.name, logger });
        process.stdout.write(`beacon applied: ${artifact.path}\ncontribution hash: ${artifact.contributionHash}\n`);
      }),
    );
}

function verifyCommand(): Command {
  return new Command("verify")
    .description("verify the transcript: hashes, zkey chain against the r1cs and the phase-1 ptau, contributions, verifying key")
    .requiredOption("--dir <dir>", "the setup folder")
    .option("--ptau <file>", "the phase-1 ptau, when not at the path the manifest records")
    .option("--vk-hex <hex>", "a verifying key in Sui bytes (e.g. emitted on chain) that must be the final zkey's")
    .option("--vk-file <file>", "the same from a file: hex, raw bytes or snarkjs verification_key.json")
    .action((flags: { dir: string; ptau?: string; vkHex?: string; vkFile?: string }) =>
      run(async (logger) => {
        const expected = flags.vkHex
          ? parseHex(flags.vkHex, "--vk-hex")
          : flags.vkFile
            ? readGroth16Artifact("vk", await readFile(flags.vkFile), "--vk-file").bytes
            : undefined;
        const result = await verifySetup({
          dir: flags.dir,
          logger,
          ...(flags.ptau ? { ptauPath: flags.ptau } : {}),
          ...(expected ? { expectedSuiVerifyingKey: expected } : {}),
        });
        for (const c of result.checks) process.stdout.write(`${c.ok ? "ok  " : "FAIL"}  ${c.check}${c.detail ? ` (${c.detail})` : ""}\n`);
        process.stdout.write(result.ok ? "setup verified\n" : "setup verification FAILED\n");
        return result.ok ? 0 : 1;
      }, 2),
    );
}

function exportVkCommand(): Command {
  return new Command("export-vk")
    .description("export the final zkey's verifying key: verification_key.json and verification_key.sui.hex; prints the hex")
    .requiredOption("--dir <dir>", "the setup folder")
    .action((flags: { dir: string }) =>
      run(async (logger) => {
        const { suiBytes } = await exportSetupVerifyingKey({ dir: flags.dir, logger });
        process.stdout.write(`${toHex(suiBytes)}\n`);
      }),
    );
}

function proveCommand(): Command {
  return new Command("prove")
    .description("prove one input with the folder's final zkey; writes snarkjs JSON and Sui hex")
    .requiredOption("--dir <dir>", "the setup folder")
    .requiredOption("--input <file>", "circuit input JSON (signal name to value)")
    .option("--out <dir>", "where to write proof.json, public.json, proof.sui.hex, public_inputs.sui.hex", ".")
    .action((flags: { dir: string; input: string; out: string }) =>
      run(async () => {
        const setup = await loadProvingSetup(flags.dir);
        const input = JSON.parse(await readFile(flags.input, "utf8")) as Record<string, unknown>;
        const result = await proveBatch({ zkeyPath: setup.zkeyPath, wasmPath: setup.wasmPath, input });
        await mkdir(flags.out, { recursive: true });
        await writeFile(join(flags.out, "proof.json"), `${JSON.stringify(result.proof, null, 2)}\n`);
        await writeFile(join(flags.out, "public.json"), `${JSON.stringify(result.publicSignals, null, 2)}\n`);
        await writeFile(join(flags.out, "proof.sui.hex"), `${toHex(result.suiProofBytes)}\n`);
        await writeFile(join(flags.out, "public_inputs.sui.hex"), `${toHex(result.suiPublicInputsBytes)}\n`);
        process.stdout.write(`proof written to ${flags.out}\n`);
      }),
    );
}

function devCommand(): Command {
  return new Command("dev")
    .description("INSECURE: a complete setup for tests and demos from a public-beacon ptau (tau is public)")
    .requiredOption("--dir <dir>", "the setup folder")
    .requiredOption("--r1cs <file>", "the circuit's .r1cs")
    .option("--wasm <file>", "the circuit's witness generator")
    .option("--power <n>", "ptau power (default: the smallest that fits)", integer("--power", 1, DEV_PTAU_MAX_POWER))
    .option("--name <name>", "circuit name to record")
    .addOption(phase2Option())
    .action((flags: { dir: string; r1cs: string; wasm?: string; power?: number; name?: string; phase2: DevPhase2Method }) =>
      run(async (logger) => {
        const { suiBytes } = (
          await devSetup({
            dir: flags.dir,
            r1csPath: flags.r1cs,
            method: flags.phase2,
            logger,
            ...(flags.wasm ? { wasmPath: flags.wasm } : {}),
            ...(flags.power ? { power: flags.power } : {}),
            ...(flags.name ? { circuitName: flags.name } : {}),
          })
        ).verifyingKey;
        process.stdout.write(`INSECURE dev setup in ${flags.dir}; verifying key (Sui bytes):\n${toHex(suiBytes)}\n`);
      }),
    );
}

function devPtauCommand(): Command {
  return new Command("dev-ptau")
    .description("INSECURE: build (or find cached) the dev powers of tau of 2^power under .cache/ptau; prints its path")
    .requiredOption("--power <n>", "ptau power", integer("--power", 1, DEV_PTAU_MAX_POWER))
    .addOption(phase2Option())
    .action((flags: { power: number; phase2: DevPhase2Method }) =>
      run(async (logger) => {
        const started = performance.now();
        const ptau = await ensureDevPtau(flags.power, { method: flags.phase2, logger });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(`${ptau.path}\n${ptau.cached ? "(cached)" : `(built in ${seconds} s)`}\n`);
      }),
    );
}

/**
 * The `circuits` command group.
 *
 * @example
 * program.addCommand(createCircuitsCommand());
 * // sui-zk-indexer circuits dev --dir circuits/build/x/setup --r1cs x.r1cs --wasm x.wasm
 */
export function createCircuitsCommand(): Command {
  return new Command("circuits")
    .description("Groth16 trusted setup (phase-1 import, phase-2 ceremony, verification, key export), proving, and an insecure --dev setup")
    .addCommand(setupCommand())
    .addCommand(contributeCommand())
    .addCommand(beaconCommand())
    .addCommand(verifyCommand())
    .addCommand(exportVkCommand())
    .addCommand(proveCommand())
    .addCommand(devCommand())
    .addCommand(devPtauCommand());
}
