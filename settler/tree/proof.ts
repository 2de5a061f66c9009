/**
 * Presence and absence proofs against a root, and their verification exactly as the Move
 * contract performs it (same hashes, same order checks, value 0 = absent). Verification
 * returns false for anything malformed instead of throwing, as Move aborts the check.
 */
import { isCanonical } from "./field.ts";
import type { Poseidon } from "./poseidon.ts";
import type { LeafData } from "./store.ts";
import { computeRoot, leafHash } from "./tree-hash.ts";

/** A leaf with its position and siblings (leaf level first). */
export interface LeafProof {
  index: bigint;
  leaf: LeafData;
  siblings: bigint[];
}

/** The key's own leaf, with a non-zero value. */
export type PresenceProof = LeafProof;

/**
 * Absence of a key: either its low leaf (leaf.key < key < leaf.nextKey, nextKey 0 =
 * +infinity: the key is not in the list), or its own leaf holding value 0.
 */
export type AbsenceProof = (LeafProof & { kind: "lowLeaf" }) | (LeafProof & { kind: "zeroValue" });

export interface ProofCheck<P> {
  root: bigint;
  depth: number;
  key: bigint;
  proof: P;
}

/**
 * True when `proof` shows `key` present (non-zero value) under `root`.
 *
 * @example
 * verifyPresenceProof(poseidon, { root: tree.root, depth: tree.depth, key, proof: tree.provePresence(key) });
 */
export function verifyPresenceProof(poseidon: Poseidon, check: ProofCheck<PresenceProof>): boolean {
  const { proof, key } = check;
  return (
    wellFormed(check) &&
    proof.leaf.key === key &&
    proof.leaf.value !== 0n &&
    reachesRoot(poseidon, check)
  );
}

/**
 * True when `proof` shows `key` absent under `root`.
 *
 * @example
 * verifyAbsenceProof(poseidon, { root: tree.root, depth: tree.depth, key, proof: tree.proveAbsence(key) });
 */
export function verifyAbsenceProof(poseidon: Poseidon, check: ProofCheck<AbsenceProof>): boolean {
  const { proof, key } = check;
  if (!wellFormed(check)) return false;
  let ordered: boolean;
  switch (proof.kind) {
    case "lowLeaf":
      ordered = proof.leaf.key < key && (proof.leaf.nextKey === 0n || key < proof.leaf.nextKey);
      break;
    case "zeroValue":
      ordered = proof.leaf.key === key && proof.leaf.value === 0n;
      break;
    default:
      return false;
  }
  return ordered && reachesRoot(poseidon, check);
}

function wellFormed({ root, depth, key, proof }: ProofCheck<LeafProof>): boolean {
  const { leaf, index, siblings } = proof;
  return (
    Number.isInteger(depth) &&
    siblings.length === depth &&
    // key 0 is the sentinel's, never an object's
    key !== 0n &&
    [root, key, leaf.key, leaf.value, leaf.nextKey, leaf.nextIndex, ...siblings].every(
      (x) => typeof x === "bigint" && isCanonical(x),
    ) &&
    typeof index === "bigint" &&
    index >= 0n &&
    index < 1n << BigInt(depth)
  );
}

function reachesRoot(poseidon: Poseidon, { root, proof }: ProofCheck<LeafProof>): boolean {
  return computeRoot(poseidon, leafHash(poseidon, proof.leaf), proof.index, proof.siblings) === root;
}
