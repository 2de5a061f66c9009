// Builds the test vectors the Move tests read, and renders them as the test-only Move module
// `sui_zk_indexer::vectors` (move/tests/vectors.move), so that the Move tests and the
// TypeScript tests check the same numbers:
// - settlement vectors (verifying key, proofs, public inputs, roots) from the circuit's
//   committed JSON (circuits/vectors/*.json), validated here against the rules `settle`
//   applies (consecutive batches, empty starting root, public-input bytes);
// - tree vectors (presence, low-leaf and zero-leaf absence proofs, object keys, empty roots)
//   taken from the product's indexed Merkle tree (settler/tree), so a Move test that accepts
//   them shows Move and TypeScript agree bit for bit;
// - a foreign verifying key (Sui's documented BN254 example) to create registries whose key
//   does not match our circuit.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createIndexedMerkleTree } from "../../settler/tree/indexed-merkle-tree.ts";
import { FIELD_MODULUS } from "../../settler/tree/field.ts";
import { objectKey } from "../../settler/tree/object-encoding.ts";
import { loadPoseidon, type Poseidon } from "../../settler/tree/poseidon.ts";
import type { LeafProof as TreeLeafProof } from "../../settler/tree/proof.ts";
import { emptyRoot } from "../../settler/tree/tree-hash.ts";
import { settlePublicInputs } from "../../settler/sui/registry-calls.ts";
import type { BatchPublicInputs } from "../../settler/tree/batch-input.ts";

/**
 * The BN254 verifying key of Sui's Groth16 documentation example (circuit `c <== a * b`, one
 * public input): docs.sui.io/develop/cryptography/groth16, also VECTOR 1 of
 * ../shared/fixtures/groth16/sui_groth16_vectors.txt. It prepares on Sui, but no proof of our
 * circuit verifies under it.
 */
export const FOREIGN_VK_HEX =
  "94d781ec65145ed90beca1859d5f38ec4d1e30d4123424bb7b0c6fc618257b1551af0374b50e5da874ed3abbc80822e4378fdef9e72c423a66095361dacad8243d1a043fc217ea306d7c3dcab877be5f03502c824833fc4301ef8b712711c49ebd491d7424efffd121baf85244404bded1fe26bdf6ef5962a3361cef3ed1661d897d6654c60dca3d648ce82fa91dc737f35aa798fb52118bb20fd9ee1f84a7aabef505258940dc3bc9de41472e20634f311e5b6f7a17d82f2f2fcec06553f71e5cd295f9155e0f93cb7ed6f212d0ccddb01ebe7dd924c97a3f1fc9d03a9eb915020000000000000072548cb052d61ed254de62618c797853ad3b8a96c60141c2bfc12236638f1b0faf9ecf024817d8964c4b2fed6537bcd70600a85cdec0ca4b0435788dbffd81ab";

/** Depths whose empty roots Move hard-codes in indexed_merkle.move. */
export const HARD_CODED_DEPTHS = [4, 8, 16, 20, 32, 40] as const;

/** Depth of the tree the presence/absence vectors come from (one of HARD_CODED_DEPTHS). */
export const TREE_DEPTH = 8;

export interface LeafProof {
  root: bigint;
  /** The key the proof is about. */
  queryKey: bigint;
  /** The leaf that proves it: the key's own leaf, or its low leaf. */
  leafKey: bigint;
  leafValue: bigint;
  leafNextKey: bigint;
  leafNextIndex: bigint;
  leafIndex: bigint;
  siblings: bigint[];
}

export interface TreeVectors {
  depth: number;
  root: bigint;
  nextIndex: bigint;
  presence: LeafProof[];
  lowLeafAbsence: LeafProof[];
  zeroLeafAbsence: LeafProof[];
  /** Absence proofs against the empty tree of `depth` (low leaf = the sentinel). */
  emptyTreeAbsence: LeafProof[];
  objectKeys: { objectId: string; key: bigint }[];
  emptyRoots: { depth: number; root: bigint }[];
}

export interface BatchVector extends BatchPublicInputs {
  proof: string;
  publicInputs: string;
}

export interface SettlementVectors {
  /** Repository-relative path of the JSON the vectors came from. */
  source: string;
  depth: number;
  vk: string;
  startCursor: bigint;
  trackingConfig: string;
  batches: BatchVector[];
}

const hex32 = (n: bigint): string => `0x${n.toString(16).padStart(64, "0")}`;

function flatten(root: bigint, queryKey: bigint, proof: TreeLeafProof): LeafProof {
  return {
    root,
    queryKey,
    leafKey: proof.leaf.key,
    leafValue: proof.leaf.value,
    leafNextKey: proof.leaf.nextKey,
    leafNextIndex: proof.leaf.nextIndex,
    leafIndex: proof.index,
    siblings: [...proof.siblings],
  };
}

/** The tree vectors: fixed keys and values, so the output is reproducible. */
export async function buildTreeVectors(poseidon?: Poseidon): Promise<TreeVectors> {
  const H = poseidon ?? (await loadPoseidon());
  const tree = await createIndexedMerkleTree({ depth: TREE_DEPTH, poseidon: H });

  // Object ids: small system ids, a mixed pattern, and the largest id (both halves 2^128 - 1).
  const objectIds = [1n, 2n, 5n, 6n, 0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefn, (1n << 256n) - 1n].map(hex32);
  const objectKeys = objectIds.map((objectId) => ({ objectId, key: objectKey(H, objectId) }));
  // Raw keys at and above 2^253, where a 252-bit comparison would go wrong, and r - 2 near
  // the top of the field (r - 1 stays absent to exercise next_key 0 = +infinity).
  const high = [1n << 253n, (1n << 253n) + 1n, FIELD_MODULUS - 2n];
  const keys = [...objectKeys.map((o) => o.key), ...high];
  keys.forEach((key, i) => tree.apply(key, H.hash([BigInt(i + 1), 0x5eedn])));
  // An update, and two keys whose value went back to 0 (deleted or no longer tracked).
  tree.apply(keys[1]!, H.hash([2n, 0xbeefn]));
  tree.apply(keys[3]!, 0n);
  tree.apply(high[1]!, 0n);

  const root = tree.root;
  const presence: LeafProof[] = [];
  const zeroLeafAbsence: LeafProof[] = [];
  for (const key of keys) {
    if (tree.valueOf(key) === 0n) zeroLeafAbsence.push(flatten(root, key, tree.proveAbsence(key)));
    else presence.push(flatten(root, key, tree.provePresence(key)));
  }

  // Absent keys: below every key (low leaf = sentinel), between keys, above every key
  // (low.next_key = 0), and next to a key above 2^253.
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const absent = [1n, objectKey(H, hex32(3n)), objectKey(H, hex32(4n)), sorted[2]! + 1n, (1n << 253n) + 2n, FIELD_MODULUS - 1n];
  const lowLeafAbsence = absent.map((key) => {
    const proof = tree.proveAbsence(key);
    if (proof.kind !== "lowLeaf") throw new Error(`vector key ${key} is in the tree`);
    return flatten(root, key, proof);
  });

  const empty = await createIndexedMerkleTree({ depth: TREE_DEPTH, poseidon: H });
  const emptyTreeAbsence = [objectKey(H, hex32(7n)), FIELD_MODULUS - 1n].map((key) =>
    flatten(empty.root, key, empty.proveAbsence(key)),
  );

  return {
    depth: TREE_DEPTH,
    root,
    nextIndex: tree.nextIndex,
    presence,
    lowLeafAbsence,
    zeroLeafAbsence,
    emptyTreeAbsence,
    objectKeys,
    emptyRoots: HARD_CODED_DEPTHS.map((depth) => ({ depth, root: emptyRoot(H, depth) })),
  };
}

// === Settlement vectors from the circuit's JSON ===

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Reads `name` or its snake_case spelling, so either convention of the JSON works. */
function field(obj: { [key: string]: Json }, name: string, where: string): Json {
  const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const value = obj[name] ?? obj[snake];
  if (value === undefined || value === null) throw new Error(`${where}: missing field "${name}"`);
  return value;
}

function asBigInt(value: Json, where: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value);
  throw new Error(`${where}: expected an integer (number, decimal or 0x string), got ${JSON.stringify(value)}`);
}

function asHex(value: Json, where: string, length?: number): string {
  if (typeof value !== "string" || !/^(0x)?([0-9a-fA-F]{2})*$/.test(value)) {
    throw new Error(`${where}: expected hex bytes, got ${JSON.stringify(value)}`);
  }
  const hex = value.replace(/^0x/, "").toLowerCase();
  if (length !== undefined && hex.length !== 2 * length) {
    throw new Error(`${where}: expected ${length} bytes, got ${hex.length / 2}`);
  }
  return hex;
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/**
 * Parses and checks the circuit's settlement vectors. Expected shape (camelCase or
 * snake_case keys; integers as numbers, decimal or 0x strings; bytes as hex):
 * `{ depth, vk, startCursor, trackingConfig?, batches: [{ oldRoot, newRoot, oldNextIndex,
 * newNextIndex, batchCommitment, fromCursor, toCursor, proof, publicInputs? }, ...] }`
 * with at least two consecutive batches starting from the empty tree.
 */
export function parseSettlementVectors(text: string, source: string, poseidon: Poseidon): SettlementVectors {
  const raw = JSON.parse(text) as Json;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${source}: not a JSON object`);
  const depth = Number(asBigInt(field(raw, "depth", source), `${source} depth`));
  const vk = asHex(field(raw, "vk", source), `${source} vk`);
  // 296 bytes for one public input, 32 more per input: BatchUpdate has 7.
  if (vk.length !== 2 * (296 + 32 * 6)) throw new Error(`${source}: vk is ${vk.length / 2} bytes, expected 488 (7 public inputs)`);
  const startCursor = asBigInt(field(raw, "startCursor", source), `${source} startCursor`);
  // Optional: the tracking configuration is not part of the proof.
  const trackingConfigJson = raw.trackingConfig ?? raw.tracking_config;
  const trackingConfig =
    trackingConfigJson === undefined || trackingConfigJson === null
      ? ""
      : asHex(trackingConfigJson, `${source} trackingConfig`);
  const list = field(raw, "batches", source);
  if (!Array.isArray(list) || list.length < 2) throw new Error(`${source}: "batches" must list at least two batches`);

  const batches = list.map((b, i): BatchVector => {
    const where = `${source} batches[${i}]`;
    if (typeof b !== "object" || b === null || Array.isArray(b)) throw new Error(`${where}: not an object`);
    const num = (name: string): bigint => asBigInt(field(b, name, where), `${where}.${name}`);
    const batch: BatchVector = {
      oldRoot: num("oldRoot"),
      newRoot: num("newRoot"),
      oldNextIndex: num("oldNextIndex"),
      newNextIndex: num("newNextIndex"),
      batchCommitment: num("batchCommitment"),
      fromCursor: num("fromCursor"),
      toCursor: num("toCursor"),
      proof: asHex(field(b, "proof", where), `${where}.proof`, 128),
      publicInputs: "",
    };
    batch.publicInputs = toHex(settlePublicInputs(batch));
    const given = b.publicInputs ?? b.public_inputs;
    if (given !== undefined && given !== null && asHex(given, `${where}.publicInputs`) !== batch.publicInputs) {
      throw new Error(`${where}: publicInputs differ from the bytes settle builds from the batch fields`);
    }
    return batch;
  });

  // The chain settle enforces: each batch starts where the previous one ended.
  const first = batches[0]!;
  const initialRoot = emptyRoot(poseidon, depth);
  if (first.oldRoot !== initialRoot) throw new Error(`${source}: batch 0 does not start from the empty root of depth ${depth}`);
  if (first.oldNextIndex !== 1n) throw new Error(`${source}: batch 0 must start at next index 1 (the sentinel holds 0)`);
  if (first.fromCursor !== startCursor) throw new Error(`${source}: batch 0 must start at startCursor`);
  batches.forEach((b, i) => {
    if (b.toCursor <= b.fromCursor) throw new Error(`${source} batches[${i}]: toCursor must exceed fromCursor`);
    const next = batches[i + 1];
    if (!next) return;
    if (next.oldRoot !== b.newRoot || next.oldNextIndex !== b.newNextIndex || next.fromCursor !== b.toCursor) {
      throw new Error(`${source} batches[${i + 1}] does not continue batches[${i}] (root, next index and cursor)`);
    }
  });
  return { source, depth, vk, startCursor, trackingConfig, batches };
}

/** The settlement JSON in circuits/vectors/, if the circuit engineers have committed it. */
export function findSettlementJson(repoRoot: string): string | undefined {
  const dir = path.join(repoRoot, "circuits", "vectors");
  if (!existsSync(dir)) return undefined;
  const candidates = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => path.join(dir, f))
    .filter((f) => {
      try {
        const json = JSON.parse(readFileSync(f, "utf8")) as { [key: string]: unknown };
        return "vk" in json && "batches" in json;
      } catch {
        return false;
      }
    });
  if (candidates.length > 1) {
    throw new Error(`several settlement vector files in circuits/vectors: ${candidates.join(", ")}; pass --settlement`);
  }
  const all = readdirSync(dir).filter((f) => f.endsWith(".json"));
  if (candidates.length === 0 && all.length > 0) {
    // Vectors were committed in a shape this reader does not know: say so rather than keep
    // rendering the "missing" placeholder.
    throw new Error(
      `circuits/vectors has ${all.join(", ")} but none with "vk" and "batches": adapt parseSettlementVectors in move/scripts/vectors.ts or pass --settlement`,
    );
  }
  return candidates[0];
}

// === Rendering ===

const u256 = (n: bigint): string => `${n}u256`;
const u256List = (xs: readonly bigint[], indent: string): string =>
  xs.length === 0 ? "vector[]" : `vector[\n${xs.map((x) => `${indent}    ${u256(x)},`).join("\n")}\n${indent}]`;

function renderLeafProof(p: LeafProof, indent: string): string {
  const i = `${indent}    `;
  return [
    "LeafProof {",
    `${i}root: ${u256(p.root)},`,
    `${i}query_key: ${u256(p.queryKey)},`,
    `${i}leaf_key: ${u256(p.leafKey)},`,
    `${i}leaf_value: ${u256(p.leafValue)},`,
    `${i}leaf_next_key: ${u256(p.leafNextKey)},`,
    `${i}leaf_next_index: ${p.leafNextIndex},`,
    `${i}leaf_index: ${p.leafIndex},`,
    `${i}siblings: ${u256List(p.siblings, i)},`,
    `${indent}}`,
  ].join("\n");
}

/** `if (i == 0) a else if (i == 1) b ... else abort ENoSuchVector` over rendered values. */
function renderIndexed(values: string[], indent: string): string {
  if (values.length === 0) return "abort ENoSuchVector";
  const branches = values.map((v, i) => `${i === 0 ? "" : `${indent}else `}if (i == ${i}) ${v}`);
  return `${branches.join("\n")}\n${indent}else abort ENoSuchVector`;
}

function renderBatch(b: BatchVector, indent: string): string {
  const i = `${indent}    `;
  return [
    "Batch {",
    `${i}old_root: ${u256(b.oldRoot)},`,
    `${i}new_root: ${u256(b.newRoot)},`,
    `${i}old_next_index: ${b.oldNextIndex},`,
    `${i}new_next_index: ${b.newNextIndex},`,
    `${i}batch_commitment: ${u256(b.batchCommitment)},`,
    `${i}from_cursor: ${b.fromCursor},`,
    `${i}to_cursor: ${b.toCursor},`,
    `${i}proof: x"${b.proof}",`,
    `${i}public_inputs: x"${b.publicInputs}",`,
    `${indent}}`,
  ].join("\n");
}

function renderSettlement(s: SettlementVectors | undefined): string {
  if (!s) {
    return `// === Settlement vectors ===
// Rendered from circuits/vectors/*.json, which has not been committed yet. Until it is, every
// accessor aborts with ESettlementVectorsMissing, so the settlement tests that need a real
// proof fail loudly instead of passing vacuously. Regenerate with
// \`npx tsx move/scripts/gen-vectors.ts\` once the JSON exists.

#[error]
const ESettlementVectorsMissing: vector<u8> = b"circuits/vectors/*.json is not committed yet: regenerate move/tests/vectors.move";

public fun settlement_vectors_present(): bool { false }

public fun vk(): vector<u8> { abort ESettlementVectorsMissing }

public fun depth(): u8 { abort ESettlementVectorsMissing }

public fun start_cursor(): u64 { abort ESettlementVectorsMissing }

public fun tracking_config(): vector<u8> { abort ESettlementVectorsMissing }

public fun batch_count(): u64 { abort ESettlementVectorsMissing }

public fun batch(_i: u64): Batch { abort ESettlementVectorsMissing }
`;
  }
  return `// === Settlement vectors ===
// Rendered from ${s.source}.

public fun settlement_vectors_present(): bool { true }

/// Arkworks compressed verifying key of BatchUpdate(depth ${s.depth}).
public fun vk(): vector<u8> {
    x"${s.vk}"
}

public fun depth(): u8 { ${s.depth} }

public fun start_cursor(): u64 { ${s.startCursor} }

public fun tracking_config(): vector<u8> { x"${s.trackingConfig}" }

public fun batch_count(): u64 { ${s.batches.length} }

/// Batch \`i\` (0-based): batch i + 1 of a registry created with \`vk()\`, \`depth()\` and
/// \`start_cursor()\`.
public fun batch(i: u64): Batch {
    ${renderIndexed(s.batches.map((b) => renderBatch(b, "    ")), "    ")}
}
`;
}

/** The whole test-only Move module. */
export function renderVectorsModule(tree: TreeVectors, settlement: SettlementVectors | undefined): string {
  const proofs = (list: LeafProof[]): string => renderIndexed(list.map((p) => renderLeafProof(p, "    ")), "    ");
  const objectCases = tree.objectKeys.map((o) => `(@${o.objectId}, ${u256(o.key)})`);
  const emptyRootCases = tree.emptyRoots.map((e) => `(${e.depth}, ${u256(e.root)})`);
  return `// GENERATED by move/scripts/gen-vectors.ts; do not edit. Regenerate with
// \`npx tsx move/scripts/gen-vectors.ts\`; move/vectors.test.ts fails when this file is stale.
#[test_only]
module sui_zk_indexer::vectors;

#[error]
const ENoSuchVector: vector<u8> = b"No test vector with this index";

/// One settled batch and its proof, as BatchUpdate proved it.
public struct Batch has copy, drop {
    old_root: u256,
    new_root: u256,
    old_next_index: u64,
    new_next_index: u64,
    batch_commitment: u256,
    from_cursor: u64,
    to_cursor: u64,
    proof: vector<u8>,
    public_inputs: vector<u8>,
}

public fun old_root(self: &Batch): u256 { self.old_root }

public fun new_root(self: &Batch): u256 { self.new_root }

public fun old_next_index(self: &Batch): u64 { self.old_next_index }

public fun new_next_index(self: &Batch): u64 { self.new_next_index }

public fun batch_commitment(self: &Batch): u256 { self.batch_commitment }

public fun from_cursor(self: &Batch): u64 { self.from_cursor }

public fun to_cursor(self: &Batch): u64 { self.to_cursor }

public fun proof(self: &Batch): vector<u8> { self.proof }

public fun public_inputs(self: &Batch): vector<u8> { self.public_inputs }

/// A leaf with its path: the queried key's own leaf (presence, zero-leaf absence) or its low
/// leaf (low-leaf absence).
public struct LeafProof has copy, drop {
    root: u256,
    query_key: u256,
    leaf_key: u256,
    leaf_value: u256,
    leaf_next_key: u256,
    leaf_next_index: u64,
    leaf_index: u64,
    siblings: vector<u256>,
}

public fun root(self: &LeafProof): u256 { self.root }

public fun query_key(self: &LeafProof): u256 { self.query_key }

public fun leaf_key(self: &LeafProof): u256 { self.leaf_key }

public fun leaf_value(self: &LeafProof): u256 { self.leaf_value }

public fun leaf_next_key(self: &LeafProof): u256 { self.leaf_next_key }

public fun leaf_next_index(self: &LeafProof): u64 { self.leaf_next_index }

public fun leaf_index(self: &LeafProof): u64 { self.leaf_index }

public fun siblings(self: &LeafProof): vector<u256> { self.siblings }

// === A verifying key of another circuit ===

/// Sui's documented BN254 example key (one public input): valid, but not ours.
public fun foreign_vk(): vector<u8> {
    x"${FOREIGN_VK_HEX}"
}

${renderSettlement(settlement)}
// === Tree vectors (settler/tree, circomlibjs Poseidon, depth ${tree.depth}) ===

public fun tree_depth(): u8 { ${tree.depth} }

public fun tree_root(): u256 { ${u256(tree.root)} }

public fun tree_next_index(): u64 { ${tree.nextIndex} }

public fun presence_count(): u64 { ${tree.presence.length} }

public fun presence(i: u64): LeafProof {
    ${proofs(tree.presence)}
}

public fun low_leaf_absence_count(): u64 { ${tree.lowLeafAbsence.length} }

public fun low_leaf_absence(i: u64): LeafProof {
    ${proofs(tree.lowLeafAbsence)}
}

public fun zero_leaf_absence_count(): u64 { ${tree.zeroLeafAbsence.length} }

public fun zero_leaf_absence(i: u64): LeafProof {
    ${proofs(tree.zeroLeafAbsence)}
}

/// Absence proofs against the empty tree of \`tree_depth()\`: the low leaf is the sentinel.
public fun empty_tree_absence_count(): u64 { ${tree.emptyTreeAbsence.length} }

public fun empty_tree_absence(i: u64): LeafProof {
    ${proofs(tree.emptyTreeAbsence)}
}

public fun object_key_count(): u64 { ${tree.objectKeys.length} }

/// An object id and its tree key.
public fun object_key_case(i: u64): (address, u256) {
    ${renderIndexed(objectCases, "    ")}
}

public fun empty_root_count(): u64 { ${tree.emptyRoots.length} }

/// A depth and the root of its empty tree, computed with circomlibjs.
public fun empty_root_case(i: u64): (u8, u256) {
    ${renderIndexed(emptyRootCases, "    ")}
}
`;
}

/** Everything the generator writes, from the repository at `repoRoot`. */
export async function renderVectors(repoRoot: string, settlementPath?: string): Promise<string> {
  const poseidon = await loadPoseidon();
  const tree = await buildTreeVectors(poseidon);
  const jsonPath = settlementPath ?? findSettlementJson(repoRoot);
  const settlement = jsonPath
    ? parseSettlementVectors(readFileSync(jsonPath, "utf8"), path.relative(repoRoot, jsonPath), poseidon)
    : undefined;
  return renderVectorsModule(tree, settlement);
}
