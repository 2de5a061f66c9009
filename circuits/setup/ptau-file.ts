/**
 * Reads the layout of a snarkjs .ptau file (a "binfile": magic "ptau", version, section
 * count, then sections as id u32 || size u64 || data), without loading its points, so an
 * operator's phase-1 file (possibly gigabytes) is checked before use and the dev builder can
 * copy sections byte for byte.
 *
 * Sections: 1 header (n8, q, power, ceremonyPower), 2 tau·G1 (2·2^power − 1 points),
 * 3 tau·G2, 4 alpha·tau·G1, 5 beta·tau·G1 (2^power each), 6 beta·G2, 7 contributions,
 * 12–15 the same in Lagrange form for every domain size (written by "prepare phase2").
 */
import { open } from "node:fs/promises";
import { NonRetryableError } from "../../common/errors.ts";
import { FIELD_MODULUS } from "../../settler/groth16/curve.ts";

export interface PtauSection {
  id: number;
  /** File offset of the section's data (after its 12-byte id and size). */
  offset: number;
  size: number;
}

export interface PtauInfo {
  power: number;
  ceremonyPower: number;
  sections: PtauSection[];
  /** Sections 12–15 are present: the file can make Groth16 zkeys. */
  preparedForPhase2: boolean;
}

/**
 * Reads and checks the header and section table of a .ptau file; `label` names the file in
 * errors.
 *
 * @example
 * const { power, preparedForPhase2 } = await readPtauInfo("pot14_final.ptau", "--ptau");
 */
export async function readPtauInfo(path: string, label = path): Promise<PtauInfo> {
  const fail = (reason: string): never => {
    throw new NonRetryableError(`${label}: not a usable .ptau file: ${reason}`, { details: { path } });
  };
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const read = async (offset: number, length: number): Promise<Buffer> => {
      if (offset + length > size) fail("truncated");
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, offset);
      return buffer;
    };
    const head = await read(0, 12);
    if (head.toString("latin1", 0, 4) !== "ptau") fail("missing the ptau magic");
    if (head.readUInt32LE(4) !== 1) fail(`unsupported version ${head.readUInt32LE(4)}`);
    const sections: PtauSection[] = [];
    let at = 12;
    for (let i = 0; i < head.readUInt32LE(8); i++) {
      const entry = await read(at, 12);
      const section = { id: entry.readUInt32LE(0), offset: at + 12, size: Number(entry.readBigUInt64LE(4)) };
      if (section.offset + section.size > size) fail(`section ${section.id} is truncated`);
      sections.push(section);
      at = section.offset + section.size;
    }
    const header = sections.find((s) => s.id === 1) ?? fail("missing the header section");
    const data = await read(header.offset, header.size);
    const n8 = data.readUInt32LE(0);
    if (n8 !== 32 || header.size !== 4 + n8 + 8) fail(`field size ${n8} is not BN254's`);
    let q = 0n;
    for (let i = n8 - 1; i >= 0; i--) q = (q << 8n) | BigInt(data[4 + i]!);
    if (q !== FIELD_MODULUS) fail("the curve is not BN254 (bn128)");
    const ids = new Set(sections.map((s) => s.id));
    return {
      power: data.readUInt32LE(4 + n8),
      ceremonyPower: data.readUInt32LE(8 + n8),
      sections,
      preparedForPhase2: [12, 13, 14, 15].every((id) => ids.has(id)),
    };
  } finally {
    await handle.close();
  }
}

/**
 * The ptau power a circuit needs, by snarkjs's rule for Groth16 (zkey new):
 * floor(log2(constraints + public inputs + outputs)) + 1.
 *
 * @example
 * requiredPtauPower({ nConstraints: 15000, nPubInputs: 7, nOutputs: 0 }); // 14
 */
export function requiredPtauPower(r1cs: { nConstraints: number; nPubInputs: number; nOutputs: number }): number {
  const m = r1cs.nConstraints + r1cs.nPubInputs + r1cs.nOutputs;
  return Math.floor(Math.log2(Math.max(m, 1))) + 1;
}
