/**
 * `verify --setup DIR`: a published setup transcript (circuits/setup's manifest, zkeys,
 * ptau) held to three things the auditor does not take from the operator:
 * - the circuit: the transcript's r1cs is BatchUpdate(depth, B) compiled from this
 *   repository's circuit sources (same bytes), and its depth is the registry's;
 * - the phase-1 file: the auditor's own copy of the public powers of tau, by hash;
 * - the key on chain: the final zkey's verifying key is the raw key the registry emitted.
 * The transcript's internal consistency (hashes, zkey chain from r1cs and ptau through valid
 * contributions, exported key) is circuits/setup's verifySetup.
 */
import { buildCircuit, circuitName, type CircuitParams } from "../../../circuits/build.ts";
import { hashFile } from "../../../circuits/setup/hash.ts";
import { artifactFile, findArtifact, readManifest } from "../../../circuits/setup/manifest.ts";
import { verifySetup, type SetupCheck } from "../../../circuits/setup/verify-setup.ts";
import type { Logger } from "../../../common/logger.ts";

export interface AuditSetupOptions {
  dir: string;
  /** The raw verifying key emitted on chain (creation or rotation event). */
  onChainVk: Uint8Array;
  /** The auditor's copy of the phase-1 ptau; default the path the manifest records. */
  ptauPath?: string;
  /** The registry's tree depth, when known: the circuit must be of that depth. */
  depth?: number;
  /**
   * Where the reference r1cs comes from: compiled from this repository's sources (default,
   * cached in circuits/build), or a file the auditor compiled elsewhere.
   */
  referenceR1cs?: string;
  logger?: Logger;
}

export interface SetupAudit {
  ok: boolean;
  dev: boolean;
  circuit: string;
  checks: SetupCheck[];
}

const NAME = /^batch_update_d(\d+)_b(\d+)$/;

/**
 * @example
 * const audit = await auditSetup({ dir: "published-setup", onChainVk, ptauPath: "ppot_0080_16.ptau", depth: 40 });
 * for (const c of audit.checks) console.log(c.ok ? "ok  " : "FAIL", c.check);
 */
export async function auditSetup(options: AuditSetupOptions): Promise<SetupAudit> {
  const manifest = await readManifest(options.dir, "auditing the setup");
  const checks: SetupCheck[] = [];
  const record = (check: string, ok: boolean, detail?: string): void => {
    checks.push({ check, ok, ...(detail ? { detail } : {}) });
  };

  // The circuit.
  const match = NAME.exec(manifest.circuit.name);
  const params: CircuitParams | null = match ? { depth: Number(match[1]), batch: Number(match[2]) } : null;
  if (options.depth !== undefined) {
    record(
      `the circuit's depth is the registry's (${options.depth})`,
      params?.depth === options.depth,
      params === null ? `cannot tell the depth of circuit ${manifest.circuit.name}` : params.depth === options.depth ? undefined : `the circuit has depth ${params.depth}`,
    );
  }
  const r1cs = findArtifact(manifest, "circuit-r1cs");
  if (!r1cs) {
    record("the transcript has an r1cs", false);
  } else if (!options.referenceR1cs && params === null) {
    record("the transcript names a BatchUpdate circuit to compile", false, `circuit name ${manifest.circuit.name} is not batch_update_d<depth>_b<B>`);
  } else {
    const label = options.referenceR1cs ? `the reference r1cs ${options.referenceR1cs}` : `${circuitName(params!)} compiled from this repository's circuit sources`;
    try {
      const reference = options.referenceR1cs ?? (await buildCircuit(params!)).r1cs;
      const [theirs, ours] = await Promise.all([hashFile(artifactFile(options.dir, r1cs)), hashFile(reference)]);
      const same = theirs.sha256 === ours.sha256 && theirs.blake2b512 === ours.blake2b512;
      record(`the transcript's r1cs is ${label}`, same, same ? undefined : `sha256 ${theirs.sha256}, reference ${ours.sha256}`);
    } catch (error) {
      record(`the transcript's r1cs can be compared with ${label}`, false, (error as Error).message);
    }
  }

  // The transcript itself, the phase-1 file and the key on chain.
  const verified = await verifySetup({
    dir: options.dir,
    expectedSuiVerifyingKey: options.onChainVk,
    ...(options.ptauPath ? { ptauPath: options.ptauPath } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  checks.push(...verified.checks);
  if (!verified.checks.some((c) => c.check.startsWith("the verifying key given"))) {
    record("the verifying key emitted on chain is the final zkey's", false, "the final zkey's key could not be exported");
  }
  return { ok: checks.every((c) => c.ok), dev: manifest.dev, circuit: manifest.circuit.name, checks };
}
