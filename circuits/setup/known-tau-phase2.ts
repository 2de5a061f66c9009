/**
 * "prepare phase2" for a powers-of-tau file whose secrets are KNOWN (the --dev setup only):
 * writes the Lagrange sections 12–15 directly as L_i(tau)·G, instead of snarkjs's inverse FFTs
 * over curve points, which take minutes to hours on a small machine. The output has the same
 * layout as snarkjs's (header, sections 2–7 copied, then 12–15 for every domain size; section
 * 12 also for 2^(power+1) with the last tau power taken as 0, as snarkjs does), and the tests
 * check it byte for byte against snarkjs's own preparePhase2 and with `powersoftau verify`.
 *
 * For a domain of size N with root of unity w (snarkjs's Fr.w[log N]):
 *   L_i(tau) = (tau^N − 1) · w^i / (N · (tau − w^i)).
 * Never use this for a real ceremony: it needs tau, which must not exist.
 */
import { readFile, writeFile } from "node:fs/promises";
import { FpInvertBatch } from "@noble/curves/abstract/modular.js";
import { bn254 } from "@noble/curves/bn254.js";
import type { CurveGroup, SnarkjsCurve } from "snarkjs";
import { NonRetryableError } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { concatBytes, writeLe } from "../../settler/groth16/bytes.ts";
import { FIELD_MODULUS } from "../../settler/groth16/curve.ts";
import type { PtauSecrets } from "./beacon-key.ts";
import { FixedBaseMultiplier } from "./fixed-base.ts";
import { readPtauInfo, type PtauSection } from "./ptau-file.ts";

const Fr = bn254.fields.Fr;

/**
 * The Lagrange basis at tau for the domain of size 2^k; with `dropLast`, the variant for a
 * tau·G1 section missing its last power (coefficient tau^(N−1) taken as 0).
 */
export function lagrangeAtTau(tau: bigint, k: number, omega: bigint, dropLast = false): bigint[] {
  const n = 1 << k;
  const nInv = Fr.inv(BigInt(n));
  const powers: bigint[] = new Array<bigint>(n);
  let w = 1n;
  for (let i = 0; i < n; i++) {
    powers[i] = w;
    w = Fr.mul(w, omega);
  }
  if (w !== 1n) throw new NonRetryableError("root of unity has the wrong order", { details: { k } });
  const inverses = FpInvertBatch(Fr, powers.map((wi) => Fr.sub(tau, wi)));
  const zN = Fr.mul(Fr.sub(Fr.pow(tau, BigInt(n)), 1n), nInv);
  const lastTerm = Fr.mul(Fr.pow(tau, BigInt(n - 1)), nInv);
  return powers.map((wi, i) => {
    const inv = inverses[i];
    if (inv === undefined) throw new NonRetryableError("tau is a root of unity: the dev setup cannot use it");
    const li = Fr.mul(Fr.mul(zN, wi), inv);
    return dropLast ? Fr.sub(li, Fr.mul(lastTerm, wi)) : li;
  });
}

function sectionBytes(file: Uint8Array, sections: PtauSection[], id: number): Uint8Array {
  const section = sections.find((s) => s.id === id);
  if (!section) throw new NonRetryableError(`ptau file has no section ${id}`);
  return file.subarray(section.offset, section.offset + section.size);
}

function sectionWithHeader(id: number, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, id, true);
  view.setBigUint64(4, BigInt(data.length), true);
  return concatBytes(head, data);
}

/** Throws unless the file's points are the multiples of the generators by the given secrets. */
function assertSecretsMatch(curve: SnarkjsCurve, file: Uint8Array, sections: PtauSection[], secrets: PtauSecrets): void {
  const check = (group: CurveGroup, id: number, index: number, scalar: bigint, what: string) => {
    const size = group.F.n8 * 2;
    const stored = sectionBytes(file, sections, id).subarray(index * size, (index + 1) * size);
    const expected = group.toAffine(group.timesFr(group.g, curve.Fr.e(scalar)));
    if (!group.eq(group.fromRprLEM(stored, 0), expected)) {
      throw new NonRetryableError(`ptau file does not match the known secrets: ${what} differs`);
    }
  };
  check(curve.G1, 2, 1, secrets.tau, "tau·G1");
  check(curve.G2, 3, 1, secrets.tau, "tau·G2");
  check(curve.G1, 4, 0, secrets.alpha, "alpha·G1");
  check(curve.G1, 5, 0, secrets.beta, "beta·G1");
  check(curve.G2, 6, 0, secrets.beta, "beta·G2");
}

/**
 * Writes `output`: `input` (a ptau with known secrets) prepared for phase 2.
 *
 * @example
 * await knownTauPreparePhase2({ input: "beacon.ptau", output: "dev.ptau", secrets, curve });
 */
export async function knownTauPreparePhase2(options: {
  input: string;
  output: string;
  secrets: PtauSecrets;
  curve: SnarkjsCurve;
  logger?: Logger;
}): Promise<void> {
  const { input, output, secrets, curve, logger } = options;
  const info = await readPtauInfo(input);
  const file = await readFile(input);
  const { power } = info;
  assertSecretsMatch(curve, file, info.sections, secrets);
  const omega = (k: number) => curve.Fr.toObject(curve.Fr.w[k]!);

  const g1 = await FixedBaseMultiplier.create(curve.G1, curve.G1.g);
  const g2 = await FixedBaseMultiplier.create(curve.G2, curve.G2.g);
  const tauG1: Uint8Array[] = [];
  const tauG2: Uint8Array[] = [];
  const alphaTauG1: Uint8Array[] = [];
  const betaTauG1: Uint8Array[] = [];
  for (let k = 0; k <= power; k++) {
    const started = performance.now();
    const l = lagrangeAtTau(secrets.tau, k, omega(k));
    tauG1.push(await g1.multiplyAll(l));
    tauG2.push(await g2.multiplyAll(l));
    alphaTauG1.push(await g1.multiplyAll(l.map((x) => Fr.mul(x, secrets.alpha))));
    betaTauG1.push(await g1.multiplyAll(l.map((x) => Fr.mul(x, secrets.beta))));
    logger?.debug({ power: k, ms: Math.round(performance.now() - started) }, "dev ptau: Lagrange level written");
  }
  // snarkjs also keeps tau·G1 over the doubled domain, whose last power the file lacks.
  tauG1.push(await g1.multiplyAll(lagrangeAtTau(secrets.tau, power + 1, omega(power + 1), true)));

  // The header as snarkjs's preparePhase2 writes it: ceremonyPower becomes power.
  const header = concatBytes(writeLe(32n, 4), writeLe(FIELD_MODULUS, 32), writeLe(BigInt(power), 4), writeLe(BigInt(power), 4));
  const magic = concatBytes(new TextEncoder().encode("ptau"), writeLe(1n, 4), writeLe(11n, 4));
  await writeFile(
    output,
    concatBytes(
      magic,
      sectionWithHeader(1, header),
      ...[2, 3, 4, 5, 6, 7].map((id) => sectionWithHeader(id, sectionBytes(file, info.sections, id))),
      sectionWithHeader(12, concatBytes(...tauG1)),
      sectionWithHeader(13, concatBytes(...tauG2)),
      sectionWithHeader(14, concatBytes(...alphaTauG1)),
      sectionWithHeader(15, concatBytes(...betaTauG1)),
    ),
  );
}
