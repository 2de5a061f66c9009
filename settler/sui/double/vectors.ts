/**
 * The committed settlement vectors (circuits/vectors/settlement_d*_b*.json, made by
 * circuits/vectors/generate.ts; the same numbers move/tests/vectors.move holds) as typed
 * values, for the tests of the double, the client and the poster.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../../common/fixtures.ts";
import type { BatchPublicInputs } from "../../tree/batch-input.ts";

export interface VectorBatch extends BatchPublicInputs {
  operations: number;
  proof: Uint8Array;
  publicInputs: Uint8Array;
}

export interface SettlementVectors {
  file: string;
  depth: number;
  batchSize: number;
  vk: Uint8Array;
  startCursor: bigint;
  trackingConfig: Uint8Array;
  batches: VectorBatch[];
}

interface Json {
  depth: number;
  batchSize: number;
  vk: string;
  startCursor: string;
  trackingConfig: string;
  batches: Record<string, string | number>[];
}

/**
 * @example
 * const v = loadSettlementVectors();
 * v.batches[0]!.oldRoot === emptyRoot(poseidon, v.depth); // true
 */
export function loadSettlementVectors(): SettlementVectors {
  const dir = join(projectRoot, "circuits", "vectors");
  const name = readdirSync(dir).find((f) => /^settlement_d\d+_b\d+\.json$/.test(f));
  if (!name) throw new Error("circuits/vectors has no settlement vectors: run npx tsx circuits/vectors/generate.ts");
  const file = join(dir, name);
  const json = JSON.parse(readFileSync(file, "utf8")) as Json;
  const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
  return {
    file,
    depth: json.depth,
    batchSize: json.batchSize,
    vk: bytes(json.vk),
    startCursor: BigInt(json.startCursor),
    trackingConfig: bytes(json.trackingConfig),
    batches: json.batches.map((b) => ({
      oldRoot: BigInt(b.oldRoot!),
      newRoot: BigInt(b.newRoot!),
      oldNextIndex: BigInt(b.oldNextIndex!),
      newNextIndex: BigInt(b.newNextIndex!),
      batchCommitment: BigInt(b.batchCommitment!),
      fromCursor: BigInt(b.fromCursor!),
      toCursor: BigInt(b.toCursor!),
      operations: Number(b.operations),
      proof: bytes(String(b.proof)),
      publicInputs: bytes(String(b.publicInputs)),
    })),
  };
}
