/**
 * Reads circom's binary .r1cs files (iden3 format: "r1cs", version, sections; section 1 =
 * header, 2 = constraints) and checks a witness against the constraints with plain bigint
 * arithmetic: for every constraint, <A,w> * <B,w> = <C,w> modulo the field prime.
 */
import { readFile } from "node:fs/promises";
import { NonRetryableError } from "../common/errors.ts";

export interface R1csHeader {
  prime: bigint;
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nLabels: bigint;
  nConstraints: number;
}

/** A linear combination: wire id -> coefficient. */
export type LinearCombination = Map<number, bigint>;

export interface R1csConstraint {
  a: LinearCombination;
  b: LinearCombination;
  c: LinearCombination;
}

export interface R1cs extends R1csHeader {
  constraints: R1csConstraint[];
}

/**
 * @example
 * const { nConstraints, nPubIn } = await readR1csHeader(built.r1cs);
 */
export async function readR1csHeader(path: string): Promise<R1csHeader> {
  const { header } = parse(await readFile(path), path, false);
  return header;
}

/**
 * @example
 * const r1cs = await readR1cs(built.r1cs);
 */
export async function readR1cs(path: string): Promise<R1cs> {
  const { header, constraints } = parse(await readFile(path), path, true);
  return { ...header, constraints };
}

/**
 * The index of the first constraint the witness breaks, or -1 when it satisfies all.
 * witness[0] must be 1 (circom's constant wire).
 *
 * @example
 * expect(firstFailedConstraint(r1cs, witness)).toBe(-1);
 */
export function firstFailedConstraint(r1cs: R1cs, witness: readonly bigint[]): number {
  if (witness.length !== r1cs.nWires) {
    throw new NonRetryableError("witness length does not match the r1cs wire count", {
      details: { witness: witness.length, wires: r1cs.nWires },
    });
  }
  if (witness[0] !== 1n) return 0;
  const p = r1cs.prime;
  const evaluate = (lc: LinearCombination): bigint => {
    let sum = 0n;
    for (const [wire, coefficient] of lc) sum += coefficient * (witness[wire] as bigint);
    return sum % p;
  };
  for (let i = 0; i < r1cs.constraints.length; i++) {
    const { a, b, c } = r1cs.constraints[i] as R1csConstraint;
    if ((evaluate(a) * evaluate(b) - evaluate(c)) % p !== 0n) return i;
  }
  return -1;
}

function parse(
  bytes: Buffer,
  path: string,
  withConstraints: boolean,
): { header: R1csHeader; constraints: R1csConstraint[] } {
  const fail = (why: string): never => {
    throw new NonRetryableError(`not a readable r1cs file: ${why}`, { details: { path } });
  };
  if (bytes.length < 12 || bytes.toString("latin1", 0, 4) !== "r1cs") fail("bad magic");
  const sections = new Map<number, { start: number; size: number }>();
  const nSections = bytes.readUInt32LE(8);
  let offset = 12;
  for (let i = 0; i < nSections; i++) {
    if (offset + 12 > bytes.length) fail("truncated section table");
    const type = bytes.readUInt32LE(offset);
    const size = Number(bytes.readBigUInt64LE(offset + 4));
    sections.set(type, { start: offset + 12, size });
    offset += 12 + size;
  }
  const headerSection = sections.get(1) ?? fail("no header section");
  let at = headerSection.start;
  const n8 = bytes.readUInt32LE(at);
  const prime = readLE(bytes, at + 4, n8);
  at += 4 + n8;
  const header: R1csHeader = {
    prime,
    nWires: bytes.readUInt32LE(at),
    nPubOut: bytes.readUInt32LE(at + 4),
    nPubIn: bytes.readUInt32LE(at + 8),
    nPrvIn: bytes.readUInt32LE(at + 12),
    nLabels: bytes.readBigUInt64LE(at + 16),
    nConstraints: bytes.readUInt32LE(at + 24),
  };
  const constraints: R1csConstraint[] = [];
  if (withConstraints) {
    const section = sections.get(2) ?? fail("no constraints section");
    let pos = section.start;
    const readLc = (): LinearCombination => {
      const lc: LinearCombination = new Map();
      const terms = bytes.readUInt32LE(pos);
      pos += 4;
      for (let t = 0; t < terms; t++) {
        lc.set(bytes.readUInt32LE(pos), readLE(bytes, pos + 4, n8));
        pos += 4 + n8;
      }
      return lc;
    };
    for (let i = 0; i < header.nConstraints; i++) constraints.push({ a: readLc(), b: readLc(), c: readLc() });
    if (pos !== section.start + section.size) fail("constraints section length mismatch");
  }
  return { header, constraints };
}

function readLE(bytes: Buffer, start: number, length: number): bigint {
  // 64 bits at a time: r1cs files hold hundreds of thousands of coefficients.
  let value = 0n;
  let i = start + length;
  for (; i - 8 >= start; i -= 8) value = (value << 64n) | bytes.readBigUInt64LE(i - 8);
  for (i--; i >= start; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}
