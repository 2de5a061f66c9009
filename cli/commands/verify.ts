/**
 * `sui-zk-indexer verify`: the auditor's command (settler/audit/README.md). Any of:
 *
 *   verify --registry ID (--from-dir DIR | --remote-store URL | --grpc URL)
 *          --from-checkpoint N --to-checkpoint N [--committee FILE]
 *       every settlement of the registry found in those checkpoints, checked against its
 *       proof and against its batch recomputed from the same checkpoints, which are checked
 *       themselves (digest chain always; certificates from the trusted committee given);
 *   verify --setup DIR (--vk HEX | with --registry) [--ptau FILE] [--r1cs FILE]
 *       a published setup transcript against this repository's circuit, the phase-1 file
 *       and the verifying key emitted on chain;
 *   verify --proof FILE [--root N]
 *       one object inclusion / absence proof, offline.
 *
 * Prints a table per check. Exit codes: 0 everything verified; 1 a mismatch (the first
 * one is named on the last line); 2 the arguments are wrong or a file cannot be read.
 */
import { readFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { Command } from "commander";
import { createCommon, type Common } from "../../common/context.ts";
import { BaseError } from "../../common/errors.ts";
import { stopOnSignals } from "../../common/shutdown.ts";
import { addCheckpointSourceOptions, checkpointSourceFromFlags, type CheckpointSourceFlags } from "../options/checkpoint-source.ts";
import { loadCommitteeFile } from "../../settler/audit/checkpoint/committee-file.ts";
import { parseObjectProof, verifyObjectProof } from "../../settler/audit/proof/object-proof.ts";
import { auditRegistry } from "../../settler/audit/settlements/run.ts";
import { formatSettlementTable } from "../../settler/audit/settlements/table.ts";
import type { SettlementReport } from "../../settler/audit/settlements/result.ts";
import { auditSetup } from "../../settler/audit/setup/audit-setup.ts";
import { parseHex, toHex } from "../../settler/groth16/bytes.ts";
import { loadPoseidon } from "../../settler/tree/poseidon.ts";

export const EXIT_OK = 0;
export const EXIT_MISMATCH = 1;
export const EXIT_USAGE = 2;

export interface VerifyFlags extends CheckpointSourceFlags {
  registry?: string;
  fromCheckpoint?: string;
  toCheckpoint?: string;
  committee?: string;
  setup?: string;
  vk?: string;
  ptau?: string;
  r1cs?: string;
  proof?: string;
  root?: string;
}

export interface VerifyIo {
  stdout: Writable;
  stderr: Writable;
}

class UsageError extends Error {}

const ADDRESS = /^0x[0-9a-fA-F]{1,64}$/;

function u64(flag: string, value: string | undefined): bigint {
  if (value === undefined) throw new UsageError(`${flag} is required with --registry`);
  if (!/^[0-9]{1,20}$/.test(value) || BigInt(value) > 0xffffffffffffffffn) throw new UsageError(`${flag}: not a checkpoint sequence number: ${value}`);
  return BigInt(value);
}

function fieldValue(flag: string, value: string): bigint {
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) throw new UsageError(`${flag}: expected a decimal or 0x-hex number, got ${value}`);
  return BigInt(value);
}

/**
 * Runs the checks the flags ask for and returns the exit code.
 *
 * @example
 * const code = await runVerify(createCommon(), { proof: "proof.json", root: "123" }, { stdout: process.stdout, stderr: process.stderr });
 */
export async function runVerify(common: Common, flags: VerifyFlags, io: VerifyIo): Promise<number> {
  const say = (text: string): void => void io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  const complain = (text: string): void => void io.stderr.write(`error: ${text}\n`);
  let mismatch: string | null = null;
  const note = (what: string): void => {
    mismatch ??= what;
  };
  try {
    if (!flags.registry && !flags.setup && !flags.proof) throw new UsageError("give --registry ID, --setup DIR or --proof FILE (or several)");
    if (flags.setup && !flags.vk && !flags.registry) throw new UsageError("--setup needs the key emitted on chain: --vk HEX, or --registry ID with a checkpoint source");
    if (flags.registry && !ADDRESS.test(flags.registry)) throw new UsageError(`--registry: not an object id: ${flags.registry}`);
    const vkFlag = flags.vk ? parseVk(flags.vk) : null;

    let report: SettlementReport | null = null;
    if (flags.registry) {
      const fromCheckpoint = u64("--from-checkpoint", flags.fromCheckpoint);
      const toCheckpoint = u64("--to-checkpoint", flags.toCheckpoint);
      if (toCheckpoint < fromCheckpoint) throw new UsageError("--to-checkpoint is before --from-checkpoint");
      const committee = flags.committee ? await loadCommitteeFile(flags.committee) : null;
      let source;
      try {
        source = checkpointSourceFromFlags(common, flags);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      try {
        report = await auditRegistry(common, { source, registryId: flags.registry, fromCheckpoint, toCheckpoint, committee });
      } finally {
        await source.close?.();
      }
      say(formatSettlementTable(report));
      if (!committee) say("certificates not checked: give --committee FILE (a committee you trust) to check them");
      if (!report.ok) note(report.failures[0] ? "settlements" : "settlements (unverified batches)");
    }

    if (flags.setup) {
      const vk = vkFlag ?? report?.registry?.vk ?? null;
      if (!vk) {
        say(`setup ${flags.setup}: not checked: the registry's creation (and its key) was not found`);
        note("setup");
      } else {
        if (vkFlag && report?.registry && toHex(vkFlag) !== toHex(report.registry.vk)) {
          say("warning: --vk differs from the key the registry emitted at creation; checking --vk (a rotated key?)");
        }
        const audit = await auditSetup({
          dir: flags.setup,
          onChainVk: vk,
          ...(flags.ptau ? { ptauPath: flags.ptau } : {}),
          ...(flags.r1cs ? { referenceR1cs: flags.r1cs } : {}),
          ...(report?.registry ? { depth: report.registry.depth } : {}),
          logger: common.logger,
        });
        say(`setup ${flags.setup} (${audit.circuit}${audit.dev ? ", INSECURE dev setup" : ""}):`);
        for (const c of audit.checks) say(`  ${c.ok ? "ok  " : "FAIL"} ${c.check}${c.detail ? `: ${c.detail}` : ""}`);
        if (!audit.ok) note(`setup: ${audit.checks.find((c) => !c.ok)?.check ?? ""}`);
        else say("OK: the setup transcript matches the circuit, the phase-1 file and the key on chain");
      }
    }

    if (flags.proof) {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(flags.proof, "utf8"));
      } catch (error) {
        throw new UsageError(`--proof: cannot read ${flags.proof}: ${(error as Error).message}`);
      }
      const proof = (() => {
        try {
          return parseObjectProof(json);
        } catch (error) {
          throw new UsageError(`--proof: ${(error as Error).message}`);
        }
      })();
      const root = flags.root !== undefined ? fieldValue("--root", flags.root) : undefined;
      const verdict = verifyObjectProof(await loadPoseidon(), proof, root === undefined ? {} : { root });
      say(`proof ${flags.proof}: ${verdict.valid ? "valid" : "INVALID"}: ${verdict.reason} (object ${verdict.objectId}, root ${verdict.root})`);
      if (!verdict.valid) note(`proof: ${verdict.reason}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      complain(error.message);
      return EXIT_USAGE;
    }
    // Unreadable inputs (a committee or setup file, a source that fails): the message
    // carries the details.
    complain(error instanceof BaseError || error instanceof Error ? error.message : String(error));
    return EXIT_USAGE;
  }
  if (mismatch !== null) {
    io.stderr.write(`verify: FAILED (${mismatch})\n`);
    return EXIT_MISMATCH;
  }
  return EXIT_OK;
}

function parseVk(text: string): Uint8Array {
  try {
    return parseHex(text, "--vk");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function createVerifyCommand(): Command {
  return addCheckpointSourceOptions(
    new Command("verify")
      .description("Audit settlements, a setup transcript, or an object proof (exit 0 verified, 1 mismatch, 2 usage)")
      .option("--registry <id>", "the registry object id: audit every settlement found in the scanned checkpoints")
      .option("--from-checkpoint <n>", "first checkpoint to scan (at or before the registry's creation and start cursor)")
      .option("--to-checkpoint <n>", "last checkpoint to scan for settlements")
      .option("--committee <file>", "a committee you trust (JSON): check every checkpoint's certificate from it")
      .option("--setup <dir>", "a published setup transcript folder (manifest.json, zkeys, ptau)")
      .option("--vk <hex>", "the raw verifying key emitted on chain (default: the registry's creation event)")
      .option("--ptau <file>", "your copy of the phase-1 powers of tau (default: the path in the manifest)")
      .option("--r1cs <file>", "a reference r1cs to compare with (default: compiled from this repository's circuit)")
      .option("--proof <file>", "an object proof JSON (GET /v1/objects/{id}/proof) to check offline")
      .option("--root <n>", "the root to check --proof against (default: the root in the file)"),
  ).action(async (flags: VerifyFlags) => {
    const common = createCommon();
    // SIGINT/SIGTERM end the scan; the batches not reached are reported unverified.
    stopOnSignals(common.shutdown, (signal) => common.logger.info({ signal }, "stopping the audit"));
    try {
      process.exitCode = await runVerify(common, flags, { stdout: process.stdout, stderr: process.stderr });
    } finally {
      await common.shutdown.stop("verify finished");
    }
  });
}
