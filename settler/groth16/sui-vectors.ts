/**
 * Parser for the shared Sui Groth16 / Poseidon test vectors
 * (fixtures/groth16/sui_groth16_vectors.txt), so tests run every vector in the file as it
 * is, and fail when its layout changes rather than silently running fewer vectors.
 */
import { NonRetryableError } from "../../common/errors.ts";
import { parseHex } from "./bytes.ts";
import type { PreparedVerifyingKeyBytes } from "./sui-format.ts";

/** A raw verifying key, public inputs and proof with the verdict Sui gives. */
export interface RawKeyVector {
  kind: "raw";
  name: string;
  vk: Uint8Array;
  publicInputs: Uint8Array;
  proof: Uint8Array;
  expected: boolean;
}

/** The same with a prepared key (`groth16::pvk_from_bytes`). */
export interface PreparedKeyVector {
  kind: "prepared";
  name: string;
  pvk: PreparedVerifyingKeyBytes;
  publicInputs: Uint8Array;
  proof: Uint8Array;
  expected: boolean;
}

/** `prepare_verifying_key` of a raw key with the components the file states. */
export interface PrepareKeyVector {
  kind: "prepare";
  name: string;
  vk: Uint8Array;
  expected: Partial<PreparedVerifyingKeyBytes>;
}

export type Groth16Vector = RawKeyVector | PreparedKeyVector | PrepareKeyVector;

/** `poseidon_bn254(inputs) == output`. */
export interface PoseidonVector {
  inputs: bigint[];
  output: bigint;
}

export interface SuiVectors {
  groth16: Groth16Vector[];
  poseidon: PoseidonVector[];
  /** A single input at or above r, which Sui's Poseidon refuses. */
  poseidonNonCanonicalInput: bigint;
}

const LABEL_LINE = /^([a-z0-9_]+)(?: \([^)]*\))?:\s*$/;
const INLINE_EXPECTED = /^expected ([a-z0-9_]+): ([0-9a-f]+)\s*$/;
// "expected: true", "expected (prediction): true ...", or "expected: <Move call> == true".
const VERDICT = /^expected(?: \([^)]*\))?: (?:(true|false)\b|.*== (true|false)\s*$)/;
const HEX_LINE = /^[0-9a-f]+$/;

function fail(reason: string, context: string): never {
  throw new NonRetryableError(`sui vectors file: ${reason}`, { details: { context: context.slice(0, 80) } });
}

interface Block {
  name: string;
  fields: Map<string, string>;
  inlineExpected: Map<string, string>;
  verdict?: boolean;
}

function parseBlock(name: string, lines: string[]): Block {
  const block: Block = { name, fields: new Map(), inlineExpected: new Map() };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const label = LABEL_LINE.exec(line);
    const next = lines[i + 1]?.trim() ?? "";
    if (label && HEX_LINE.test(next)) {
      block.fields.set(label[1]!, next);
      i++;
      continue;
    }
    const inline = INLINE_EXPECTED.exec(line);
    if (inline) {
      block.inlineExpected.set(inline[1]!, inline[2]!);
      continue;
    }
    const verdict = VERDICT.exec(line);
    if (verdict) block.verdict = (verdict[1] ?? verdict[2]) === "true";
  }
  return block;
}

function hex(block: Block, field: string): Uint8Array {
  const value = block.fields.get(field);
  if (value === undefined) fail(`missing field ${field}`, block.name);
  return parseHex(value, `${block.name} ${field}`);
}

function verdictOf(block: Block): boolean {
  if (block.verdict === undefined) fail("missing expected verdict", block.name);
  return block.verdict;
}

function classify(block: Block): Groth16Vector {
  const has = (...names: string[]) => names.every((n) => block.fields.has(n));
  if (has("vk_gamma_abc_g1_bytes", "alpha_g1_beta_g2_bytes", "gamma_g2_neg_pc_bytes", "delta_g2_neg_pc_bytes")) {
    return {
      kind: "prepared",
      name: block.name,
      pvk: {
        vkGammaAbcG1: hex(block, "vk_gamma_abc_g1_bytes"),
        alphaG1BetaG2: hex(block, "alpha_g1_beta_g2_bytes"),
        gammaG2NegPc: hex(block, "gamma_g2_neg_pc_bytes"),
        deltaG2NegPc: hex(block, "delta_g2_neg_pc_bytes"),
      },
      publicInputs: hex(block, "public_inputs"),
      proof: hex(block, "proof_points"),
      expected: verdictOf(block),
    };
  }
  if (has("vk", "public_inputs", "proof_points")) {
    return {
      kind: "raw",
      name: block.name,
      vk: hex(block, "vk"),
      publicInputs: hex(block, "public_inputs"),
      proof: hex(block, "proof_points"),
      expected: verdictOf(block),
    };
  }
  if (has("vk") && block.inlineExpected.size > 0) {
    const expected: Partial<PreparedVerifyingKeyBytes> = {};
    const names: Record<string, keyof PreparedVerifyingKeyBytes> = {
      vk_gamma_abc_g1: "vkGammaAbcG1",
      alpha_g1_beta_g2: "alphaG1BetaG2",
      gamma_g2_neg_pc: "gammaG2NegPc",
      delta_g2_neg_pc: "deltaG2NegPc",
    };
    for (const [field, value] of block.inlineExpected) {
      const key = names[field];
      if (!key) fail(`unknown expected component ${field}`, block.name);
      expected[key] = parseHex(value, `${block.name} expected ${field}`);
    }
    return { kind: "prepare", name: block.name, vk: hex(block, "vk"), expected };
  }
  return fail("block matches no known vector shape", block.name);
}

function parsePoseidon(lines: string[]): { vectors: PoseidonVector[]; nonCanonical: bigint } {
  const vectors: PoseidonVector[] = [];
  let pending = "";
  let nonCanonical: bigint | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    const negative = /^Negative: input (\d+)/.exec(line);
    if (negative) nonCanonical = BigInt(negative[1]!);
    if (line.startsWith("[") || (pending && line.startsWith("->"))) pending += ` ${line}`;
    const done = /^\s*\[([^\]]*)\]\s*->\s*(\d+)/.exec(pending);
    if (!done) continue;
    const spec = done[1]!.trim();
    const range = /^(\d+)\.\.(\d+)$/.exec(spec);
    const inputs = range
      ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => BigInt(Number(range[1]) + i))
      : spec.split(",").map((s) => BigInt(s.trim()));
    vectors.push({ inputs, output: BigInt(done[2]!) });
    pending = "";
  }
  if (nonCanonical === undefined) fail("missing the non-canonical Poseidon input", "POSEIDON");
  return { vectors, nonCanonical };
}

/**
 * Parses the vectors file's text. Throws when a block has an unknown shape or misses a field.
 *
 * @example
 * const { groth16, poseidon } = parseSuiVectors(readFileSync(join(fixturesDir(), "groth16/sui_groth16_vectors.txt"), "utf8"));
 */
export function parseSuiVectors(text: string): SuiVectors {
  const sections = text.split(/^={10,}\s*$/m).map((s) => s.split("\n"));
  const groth16: Groth16Vector[] = [];
  let poseidon: { vectors: PoseidonVector[]; nonCanonical: bigint } | undefined;
  for (const lines of sections) {
    const title = lines.find((l) => l.trim() !== "")?.trim() ?? "";
    if (title.startsWith("VECTOR")) {
      // A vector may carry a second test from the same source after "Also in that file:".
      const split = lines.findIndex((l) => l.startsWith("Also in that file:"));
      const parts = split < 0 ? [lines] : [lines.slice(0, split), lines.slice(split)];
      parts.forEach((part, i) => {
        const name = i === 0 ? title : `${title.split(" — ")[0]} / ${part[0]!.replace("Also in that file:", "").trim()}`;
        groth16.push(classify(parseBlock(name, part)));
      });
    } else if (title.startsWith("POSEIDON")) {
      poseidon = parsePoseidon(lines);
    }
  }
  if (!poseidon) fail("no POSEIDON section", "");
  return { groth16, poseidon: poseidon.vectors, poseidonNonCanonicalInput: poseidon.nonCanonical };
}
