/**
 * Generates the committed settlement vectors (circuits/vectors/settlement_d<depth>_b<B>.json)
 * that the Move tests (through move/scripts/gen-vectors.ts -> move/tests/vectors.move), the
 * Sui test double's tests and the TypeScript tests share: a verifying key from a real
 * (INSECURE, --dev) setup of BatchUpdate(depth, B), and consecutive batches built on the
 * product tree from the empty tree, each with a real snarkjs proof in Sui's byte format.
 *
 *   npx tsx circuits/vectors/generate.ts            # writes the JSON, then run move/scripts/gen-vectors.ts
 *   npx tsx circuits/vectors/generate.ts --check    # proves nothing: re-verifies the committed file
 *
 * The JSON shape is the one move/scripts/vectors.ts parses: `{ depth, vk, startCursor,
 * trackingConfig, batches: [{ oldRoot, newRoot, oldNextIndex, newNextIndex,
 * batchCommitment, fromCursor, toCursor, proof, publicInputs }] }`, integers as decimal
 * strings, bytes as hex.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCircuit } from "../build.ts";
import { devSetup } from "../setup/ceremony.ts";
import { loadProvingSetup, proveBatch } from "../setup/prove.ts";
import { releaseSnarkjs } from "../setup/snarkjs-runtime.ts";
import { NonRetryableError } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { projectRoot } from "../../common/fixtures.ts";
import { toHex } from "../../settler/groth16/bytes.ts";
import { verifyGroth16 } from "../../settler/groth16/verifier.ts";
import { settlePublicInputs } from "../../settler/sui/registry-calls.ts";
import { toCircuitInputJson } from "../../settler/tree/batch-input.ts";
import { buildBatch, type StateChange } from "../../settler/tree/batch.ts";
import { encodeCursor } from "../../settler/tree/cursor.ts";
import { createIndexedMerkleTree } from "../../settler/tree/indexed-merkle-tree.ts";
import { objectKey } from "../../settler/tree/object-encoding.ts";
import { loadPoseidon, type Poseidon } from "../../settler/tree/poseidon.ts";

export const VECTORS_DIR = join(projectRoot, "circuits", "vectors");

/** One batch to prove: the changes in stream order and where the batch ends. */
export interface VectorBatchSpec {
  changes: StateChange[];
  toCursor: bigint;
}

export interface SettlementVectorSpec {
  depth: number;
  batchSize: number;
  startCursor: bigint;
  /** Tracking configuration bytes (the canonical JSON), emitted at registry creation. */
  trackingConfig: string;
  batches: VectorBatchSpec[];
}

/** The JSON written to circuits/vectors (what move/scripts/vectors.ts reads). */
export interface SettlementVectorsJson {
  description: string;
  depth: number;
  batchSize: number;
  vk: string;
  startCursor: string;
  trackingConfig: string;
  batches: {
    oldRoot: string;
    newRoot: string;
    oldNextIndex: string;
    newNextIndex: string;
    batchCommitment: string;
    fromCursor: string;
    toCursor: string;
    /** Real operations in the batch (the rest of the B slots are no-ops). */
    operations: number;
    proof: string;
    publicInputs: string;
  }[];
}

const hex32 = (n: bigint): string => `0x${n.toString(16).padStart(64, "0")}`;

/**
 * The default vectors: BatchUpdate(4, 2) (depth 4 is one of the empty roots Move hard-codes),
 * four consecutive batches: two inserts; an insert and an update; a deletion (value 0) with a
 * no-op slot; and a batch of only no-ops (an absent object deleted) that still advances the
 * cursor. Cursors cross checkpoints (span up to 2) and end inside a checkpoint.
 */
export function defaultVectorSpec(poseidon: Poseidon): SettlementVectorSpec {
  const key = (id: bigint) => objectKey(poseidon, hex32(id));
  const value = (...xs: bigint[]) => poseidon.hash(xs);
  const cp = (checkpoint: bigint, offset: bigint) => encodeCursor(checkpoint, offset);
  return {
    depth: 4,
    batchSize: 2,
    startCursor: cp(1000n, 0n),
    trackingConfig: Buffer.from('{"kind":"all","version":1}').toString("hex"),
    batches: [
      { changes: [{ key: key(0xa1n), value: value(1n, 1n) }, { key: key(0xa2n), value: value(1n, 2n) }], toCursor: cp(1000n, 5n) },
      { changes: [{ key: key(0xa1n), value: value(2n, 1n) }, { key: key(0xa3n), value: value(1n, 3n) }], toCursor: cp(1002n, 1n) },
      { changes: [{ key: key(0xa2n), value: 0n }], toCursor: cp(1003n, 7n) },
      { changes: [{ key: key(0xa9n), value: 0n }], toCursor: cp(1005n, 0n) },
    ],
  };
}

/**
 * Builds the batches on a fresh tree, runs a dev setup of the circuit and proves each batch;
 * every proof is checked with the TypeScript verifier before it is returned.
 *
 * @example
 * const json = await generateSettlementVectors(defaultVectorSpec(await loadPoseidon()));
 */
export async function generateSettlementVectors(
  spec: SettlementVectorSpec,
  options: { logger?: Logger; workDir?: string } = {},
): Promise<SettlementVectorsJson> {
  const poseidon = await loadPoseidon();
  const tree = await createIndexedMerkleTree({ depth: spec.depth, poseidon });
  let fromCursor = spec.startCursor;
  const built = spec.batches.map((b) => {
    const batch = buildBatch(tree, b.changes, { batchSize: spec.batchSize, fromCursor, toCursor: b.toCursor });
    fromCursor = b.toCursor;
    return batch;
  });

  const circuit = await buildCircuit({ depth: spec.depth, batch: spec.batchSize });
  const dir = await mkdtemp(join(options.workDir ?? tmpdir(), "settlement-vectors-"));
  try {
    const { verifyingKey } = await devSetup({ dir, r1csPath: circuit.r1cs, wasmPath: circuit.wasm, ...(options.logger ? { logger: options.logger } : {}) });
    const { zkeyPath } = await loadProvingSetup(dir);
    const vk = verifyingKey.suiBytes;
    const batches: SettlementVectorsJson["batches"] = [];
    for (const [i, batch] of built.entries()) {
      const proved = await proveBatch({ zkeyPath, wasmPath: circuit.wasm, input: toCircuitInputJson(batch.input) });
      const p = batch.publicInputs;
      const publicInputs = settlePublicInputs(p);
      if (toHex(publicInputs) !== toHex(proved.suiPublicInputsBytes)) {
        throw new NonRetryableError("the prover's public inputs differ from the ones settle builds", { details: { batch: i } });
      }
      if (!verifyGroth16({ vk, publicInputs, proof: proved.suiProofBytes })) {
        throw new NonRetryableError("a generated proof does not verify", { details: { batch: i } });
      }
      batches.push({
        oldRoot: p.oldRoot.toString(),
        newRoot: p.newRoot.toString(),
        oldNextIndex: p.oldNextIndex.toString(),
        newNextIndex: p.newNextIndex.toString(),
        batchCommitment: p.batchCommitment.toString(),
        fromCursor: p.fromCursor.toString(),
        toCursor: p.toCursor.toString(),
        operations: batch.operations.length,
        proof: toHex(proved.suiProofBytes),
        publicInputs: toHex(publicInputs),
      });
    }
    return {
      description: `BatchUpdate(${spec.depth}, ${spec.batchSize}) from an INSECURE dev setup (test vectors only), generated by circuits/vectors/generate.ts`,
      depth: spec.depth,
      batchSize: spec.batchSize,
      vk: toHex(vk),
      startCursor: spec.startCursor.toString(),
      trackingConfig: spec.trackingConfig,
      batches,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Checks a vectors file: consecutive batches and every proof valid under its vk.
 *
 * @example
 * checkSettlementVectors(JSON.parse(text)); // throws naming the batch otherwise
 */
export function checkSettlementVectors(json: SettlementVectorsJson): void {
  // Copies into plain Uint8Arrays: Buffer.slice is a view, and the verifier's decoders
  // slice and clear flag bits (settler/groth16/arkworks.ts takeFlags).
  const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
  const vk = bytes(json.vk);
  json.batches.forEach((b, i) => {
    const publicInputs = settlePublicInputs(b);
    if (toHex(publicInputs) !== b.publicInputs) throw new NonRetryableError("publicInputs differ from the batch fields", { details: { batch: i } });
    if (!verifyGroth16({ vk, publicInputs, proof: bytes(b.proof) })) {
      throw new NonRetryableError("proof does not verify", { details: { batch: i } });
    }
    const next = json.batches[i + 1];
    if (next && (next.oldRoot !== b.newRoot || next.fromCursor !== b.toCursor || next.oldNextIndex !== b.newNextIndex)) {
      throw new NonRetryableError("batches are not consecutive", { details: { batch: i + 1 } });
    }
  });
}

export function vectorsFileName(depth: number, batchSize: number): string {
  return `settlement_d${depth}_b${batchSize}.json`;
}

async function main(argv: string[]): Promise<void> {
  const poseidon = await loadPoseidon();
  const spec = defaultVectorSpec(poseidon);
  const file = join(VECTORS_DIR, vectorsFileName(spec.depth, spec.batchSize));
  if (argv.includes("--check")) {
    checkSettlementVectors(JSON.parse(await readFile(file, "utf8")) as SettlementVectorsJson);
    console.log(`${file}: every batch verifies and continues the previous one`);
    return;
  }
  const json = await generateSettlementVectors(spec);
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${file}; now run: npx tsx move/scripts/gen-vectors.ts`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2))
    .then(() => releaseSnarkjs())
    .catch(async (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      await releaseSnarkjs();
      process.exit(1);
    });
}
