/**
 * `verify --proof FILE`: one object's inclusion or absence proof, checked offline against
 * a root, exactly as the Move contract checks it (settler/tree/proof.ts).
 *
 * The file is what `GET /v1/objects/{id}/proof` returns (api/routes/settlements.ts,
 * `ObjectProof`): the whole answer `{ "checkpoint", "data": { … } }` or its `data` alone.
 * Field elements are decimal strings (0x-hex is accepted too):
 *
 * ```json
 * {
 *   "object_id": "0x…",                      // key = Poseidon(id_hi, id_lo), recomputed
 *   "key": "…", "present": true,             // optional; checked when given
 *   "kind": "presence" | "low_leaf" | "zero_value",
 *   "leaf": { "index": "7", "key": "…", "value": "…", "next_key": "…", "next_index": "…" },
 *   "siblings": ["…", …],                    // `depth` of them, leaf level first
 *   "depth": 40,
 *   "root": "1234…",                         // optional when the auditor gives --root
 *   "batch": "17", "cursor": "…", "tx_digest": "…",   // context, not checked here
 *   "object": {                              // optional, presence only, not served by the
 *     "version": "42", "digest": "<base58>", //   API: the state the leaf's value must
 *     "owner": { "kind": "address", "address": "0x…" }, "type": "0x…::m::T"   // commit to
 *   }
 * }
 * ```
 */
import { fromBase58 } from "@mysten/bcs";
import { z } from "zod";
import { NonRetryableError } from "../../../common/errors.ts";
import type { Owner } from "../../../indexer/model.ts";
import { objectKey, objectValue, type ObjectState } from "../../tree/object-encoding.ts";
import type { Poseidon } from "../../tree/poseidon.ts";
import { verifyAbsenceProof, verifyPresenceProof, type LeafProof } from "../../tree/proof.ts";

const integer = z.union([z.string().regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/), z.number().int().nonnegative()]);
const address = z.string().regex(/^0x[0-9a-f]{64}$/, "a canonical address (0x + 64 lowercase hex digits)");

const ownerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("address"), address }),
  z.object({ kind: z.literal("object"), address }),
  z.object({ kind: z.literal("shared"), initial_shared_version: integer }),
  z.object({ kind: z.literal("immutable") }),
  z.object({ kind: z.literal("consensusAddress"), address, start_version: integer }),
]);

export const objectProofSchema = z.object({
  object_id: address,
  key: integer.optional(),
  present: z.boolean().optional(),
  kind: z.enum(["presence", "low_leaf", "zero_value"]),
  leaf: z.object({ index: integer, key: integer, value: integer, next_key: integer, next_index: integer }),
  siblings: z.array(integer),
  depth: z.number().int().min(1).max(64),
  root: integer.optional(),
  batch: integer.optional(),
  cursor: integer.optional(),
  tx_digest: z.string().nullable().optional(),
  object: z
    .object({ version: integer, digest: z.string().min(1), owner: ownerSchema, type: z.string().nullable() })
    .optional(),
});

export type ObjectProofJson = z.infer<typeof objectProofSchema>;

export interface ObjectProofVerdict {
  valid: boolean;
  /** What was shown (or why not), one sentence. */
  reason: string;
  objectId: string;
  key: bigint;
  root: bigint;
  kind: ObjectProofJson["kind"];
}

/**
 * Validates the JSON shape; throws a NonRetryableError naming the first bad field.
 *
 * @example
 * const proof = parseObjectProof(JSON.parse(readFileSync("proof.json", "utf8"))); // the API's answer or its data
 */
export function parseObjectProof(value: unknown): ObjectProofJson {
  // The API's answer wraps the proof: { checkpoint, data }.
  const inner = typeof value === "object" && value !== null && !("object_id" in value) && "data" in value ? (value as { data: unknown }).data : value;
  const parsed = objectProofSchema.safeParse(inner);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NonRetryableError("not an object proof", { details: { field: issue?.path.join(".") ?? "", problem: issue?.message } });
  }
  return parsed.data;
}

/**
 * Checks the proof against `root` (default: the file's own). Never throws for a proof that
 * does not verify; malformed values are invalid, as Move aborts on them.
 *
 * @example
 * const verdict = verifyObjectProof(await loadPoseidon(), proof, { root: onChainRoot });
 * console.log(verdict.valid ? "valid" : "invalid", verdict.reason);
 */
export function verifyObjectProof(poseidon: Poseidon, proof: ObjectProofJson, options: { root?: bigint } = {}): ObjectProofVerdict {
  const key = objectKey(poseidon, proof.object_id);
  const base = { objectId: proof.object_id, key, kind: proof.kind };
  const fileRoot = proof.root === undefined ? undefined : BigInt(proof.root);
  const root = options.root ?? fileRoot;
  if (root === undefined) {
    return { ...base, root: 0n, valid: false, reason: "no root: the file has none and none was given" };
  }
  const verdict = (valid: boolean, reason: string): ObjectProofVerdict => ({ ...base, root, valid, reason });
  if (proof.key !== undefined && BigInt(proof.key) !== key) return verdict(false, "the key given is not Poseidon of the object id");
  if (proof.present !== undefined && proof.present !== (proof.kind === "presence")) return verdict(false, `"present" contradicts kind ${proof.kind}`);
  const leaf = {
    key: BigInt(proof.leaf.key),
    value: BigInt(proof.leaf.value),
    nextKey: BigInt(proof.leaf.next_key),
    nextIndex: BigInt(proof.leaf.next_index),
  };
  const leafProof: LeafProof = { index: BigInt(proof.leaf.index), leaf, siblings: proof.siblings.map((s) => BigInt(s)) };
  if (proof.siblings.length !== proof.depth) return verdict(false, `${proof.siblings.length} siblings for a tree of depth ${proof.depth}`);
  const check = { root, depth: proof.depth, key };

  if (proof.kind === "presence") {
    if (!verifyPresenceProof(poseidon, { ...check, proof: leafProof })) {
      return verdict(false, leaf.key !== key ? "the leaf is not the object's (its key differs)" : leaf.value === 0n ? "the leaf's value is 0: the object is absent" : "the path does not lead to the root");
    }
    if (proof.object) {
      let value: bigint;
      try {
        value = objectValue(poseidon, objectState(proof.object));
      } catch (error) {
        return verdict(false, `the object state does not encode: ${(error as Error).message}`);
      }
      if (value !== leaf.value) return verdict(false, "the leaf's value does not commit to the object state given");
      return verdict(true, `object present at version ${proof.object.version} (leaf ${leafProof.index})`);
    }
    return verdict(true, `object present with value ${leaf.value} (leaf ${leafProof.index})`);
  }
  if (proof.object) return verdict(false, "an absence proof carries no object state");
  const kind = proof.kind === "low_leaf" ? "lowLeaf" : "zeroValue";
  if (!verifyAbsenceProof(poseidon, { ...check, proof: { ...leafProof, kind } })) {
    return verdict(false, kind === "lowLeaf" ? "the low leaf does not bracket the key, or its path does not lead to the root" : "the leaf is not the object's with value 0, or its path does not lead to the root");
  }
  return verdict(true, kind === "lowLeaf" ? `object absent: the low leaf ${leafProof.index} brackets its key` : `object absent: its leaf ${leafProof.index} holds value 0`);
}

function objectState(object: NonNullable<ObjectProofJson["object"]>): ObjectState {
  const digest = fromBase58(object.digest);
  if (digest.length !== 32) throw new Error(`digest has ${digest.length} bytes, not 32`);
  return { version: BigInt(object.version), digest, owner: owner(object.owner), type: object.type };
}

function owner(o: NonNullable<ObjectProofJson["object"]>["owner"]): Owner {
  switch (o.kind) {
    case "address":
    case "object":
      return { kind: o.kind, address: o.address };
    case "shared":
      return { kind: "shared", initialSharedVersion: BigInt(o.initial_shared_version) };
    case "immutable":
      return { kind: "immutable" };
    case "consensusAddress":
      return { kind: "consensusAddress", address: o.address, startVersion: BigInt(o.start_version) };
  }
}

/**
 * The JSON of a proof from the tree, in the API's shape (for tests, or tools that hold a tree).
 *
 * @example
 * const json = objectProofJson({ objectId, depth: tree.depth, root: tree.root, kind: "presence", proof: tree.provePresence(key) });
 */
export function objectProofJson(input: {
  objectId: string;
  depth: number;
  root?: bigint;
  key?: bigint;
  kind: "presence" | "lowLeaf" | "zeroValue";
  proof: LeafProof;
  object?: { version: bigint; digest: string; owner: Owner; type: string | null };
}): ObjectProofJson {
  const s = (v: bigint): string => v.toString();
  const { leaf } = input.proof;
  const json: ObjectProofJson = {
    object_id: input.objectId,
    present: input.kind === "presence",
    kind: input.kind === "presence" ? "presence" : input.kind === "lowLeaf" ? "low_leaf" : "zero_value",
    leaf: { index: s(input.proof.index), key: s(leaf.key), value: s(leaf.value), next_key: s(leaf.nextKey), next_index: s(leaf.nextIndex) },
    siblings: input.proof.siblings.map(s),
    depth: input.depth,
  };
  if (input.key !== undefined) json.key = s(input.key);
  if (input.root !== undefined) json.root = s(input.root);
  if (input.object) {
    const o = input.object.owner;
    const owner =
      o.kind === "shared"
        ? { kind: "shared" as const, initial_shared_version: s(o.initialSharedVersion) }
        : o.kind === "consensusAddress"
          ? { kind: "consensusAddress" as const, address: o.address, start_version: s(o.startVersion) }
          : o;
    json.object = { version: s(input.object.version), digest: input.object.digest, owner, type: input.object.type };
  }
  return json;
}
