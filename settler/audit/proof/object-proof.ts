/**
 * `verify --proof FILE`: one object's inclusion or absence proof, checked offline against
 * a root, exactly as the Move contract checks it (settler/tree/proof.ts).
 *
 * The JSON (what `GET /v1/objects/{id}/proof` is to return; numbers that may exceed 2^53
 * are decimal strings, or 0x-hex for field elements):
 *
 * ```json
 * {
 *   "objectId": "0x…",                       // key = Poseidon(id_hi, id_lo), recomputed
 *   "root": "1234…",                         // optional when the auditor gives --root
 *   "depth": 40,
 *   "kind": "presence" | "lowLeaf" | "zeroValue",
 *   "leafIndex": "7",
 *   "leaf": { "key": "…", "value": "…", "nextKey": "…", "nextIndex": "…" },
 *   "siblings": ["…", …],                    // `depth` of them, leaf level first
 *   "object": {                              // optional, presence only: the state the
 *     "version": "42", "digest": "<base58>", //   leaf's value must commit to
 *     "owner": { "kind": "address", "address": "0x…" }, "type": "0x…::m::T"
 *   },
 *   "batch": "17", "registryId": "0x…"       // optional context, not checked here
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
  z.object({ kind: z.literal("shared"), initialSharedVersion: integer }),
  z.object({ kind: z.literal("immutable") }),
  z.object({ kind: z.literal("consensusAddress"), address, startVersion: integer }),
]);

export const objectProofSchema = z.object({
  objectId: address,
  root: integer.optional(),
  depth: z.number().int().min(1).max(64),
  kind: z.enum(["presence", "lowLeaf", "zeroValue"]),
  leafIndex: integer,
  leaf: z.object({ key: integer, value: integer, nextKey: integer, nextIndex: integer }),
  siblings: z.array(integer),
  object: z
    .object({ version: integer, digest: z.string().min(1), owner: ownerSchema, type: z.string().nullable() })
    .optional(),
  batch: integer.optional(),
  registryId: address.optional(),
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
 * const proof = parseObjectProof(JSON.parse(readFileSync("proof.json", "utf8")));
 */
export function parseObjectProof(value: unknown): ObjectProofJson {
  const parsed = objectProofSchema.safeParse(value);
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
  const key = objectKey(poseidon, proof.objectId);
  const base = { objectId: proof.objectId, key, kind: proof.kind };
  const fileRoot = proof.root === undefined ? undefined : BigInt(proof.root);
  const root = options.root ?? fileRoot;
  if (root === undefined) {
    return { ...base, root: 0n, valid: false, reason: "no root: the file has none and none was given" };
  }
  const verdict = (valid: boolean, reason: string): ObjectProofVerdict => ({ ...base, root, valid, reason });
  const leaf = {
    key: BigInt(proof.leaf.key),
    value: BigInt(proof.leaf.value),
    nextKey: BigInt(proof.leaf.nextKey),
    nextIndex: BigInt(proof.leaf.nextIndex),
  };
  const leafProof: LeafProof = { index: BigInt(proof.leafIndex), leaf, siblings: proof.siblings.map((s) => BigInt(s)) };
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
  const valid = verifyAbsenceProof(poseidon, { ...check, proof: { ...leafProof, kind: proof.kind } });
  if (!valid) return verdict(false, proof.kind === "lowLeaf" ? "the low leaf does not bracket the key, or its path does not lead to the root" : "the leaf is not the object's with value 0, or its path does not lead to the root");
  return verdict(true, proof.kind === "lowLeaf" ? `object absent: the low leaf ${leafProof.index} brackets its key` : `object absent: its leaf ${leafProof.index} holds value 0`);
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
      return { kind: "shared", initialSharedVersion: BigInt(o.initialSharedVersion) };
    case "immutable":
      return { kind: "immutable" };
    case "consensusAddress":
      return { kind: "consensusAddress", address: o.address, startVersion: BigInt(o.startVersion) };
  }
}

/**
 * The JSON of a proof from the tree, e.g. for tests or an API answering with it.
 *
 * @example
 * const json = objectProofJson({ objectId, depth: tree.depth, root: tree.root, kind: "presence", proof: tree.provePresence(key) });
 */
export function objectProofJson(input: {
  objectId: string;
  depth: number;
  root?: bigint;
  kind: ObjectProofJson["kind"];
  proof: LeafProof;
  object?: { version: bigint; digest: string; owner: Owner; type: string | null };
}): ObjectProofJson {
  const s = (v: bigint): string => v.toString();
  const json: ObjectProofJson = {
    objectId: input.objectId,
    depth: input.depth,
    kind: input.kind,
    leafIndex: s(input.proof.index),
    leaf: { key: s(input.proof.leaf.key), value: s(input.proof.leaf.value), nextKey: s(input.proof.leaf.nextKey), nextIndex: s(input.proof.leaf.nextIndex) },
    siblings: input.proof.siblings.map(s),
  };
  if (input.root !== undefined) json.root = s(input.root);
  if (input.object) {
    const o = input.object.owner;
    const ownerJson =
      o.kind === "shared"
        ? { kind: "shared" as const, initialSharedVersion: s(o.initialSharedVersion) }
        : o.kind === "consensusAddress"
          ? { kind: "consensusAddress" as const, address: o.address, startVersion: s(o.startVersion) }
          : o;
    json.object = { version: s(input.object.version), digest: input.object.digest, owner: ownerJson, type: input.object.type };
  }
  return json;
}
