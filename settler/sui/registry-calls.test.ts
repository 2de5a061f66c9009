// The call builders against the Move sources: same functions, same argument types in the
// same order (MOVE_CALLS vs the parsed signatures), arguments encoded as those types, and
// the BCS layouts of the registry and its events equal to the Move structs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bcs } from "@mysten/sui/bcs";
import { Transaction } from "@mysten/sui/transactions";
import { fromBase64, normalizeSuiAddress, toHex } from "@mysten/sui/utils";
import { describe, expect, it } from "vitest";
import { parseMove, type MoveFunction, type MoveModule } from "../../move/move-parser.ts";
import {
  applyKeyRotation,
  cancelKeyRotation,
  createRegistry,
  createRegistryAndKeepCaps,
  FIELD_MODULUS,
  MOVE_CALLS,
  pause,
  proposeKeyRotation,
  REGISTRY_LAYOUT_TYPES,
  REGISTRY_LAYOUTS,
  replaceSettler,
  setMaxSpan,
  settle,
  settlePublicInputs,
  unpause,
  verifyAbsenceLowLeaf,
  verifyAbsenceZeroLeaf,
  verifyPresence,
  type MoveCallName,
  type MoveParamType,
} from "./registry-calls.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

async function moduleOf(name: string): Promise<MoveModule> {
  const source = readFileSync(path.join(repoRoot, "move", "sources", `${name}.move`), "utf8");
  const { errors, modules } = await parseMove(source);
  expect(errors).toEqual([]);
  return modules[0]!;
}

const registryModule = await moduleOf("registry");
const merkleModule = await moduleOf("indexed_merkle");
const modules: Record<string, MoveModule> = { registry: registryModule, indexed_merkle: merkleModule };

/** Public Move functions a PTB has no use for, each with the reason it has no builder. */
const UNBOUND: Record<string, string> = {
  "registry::public_inputs_bytes": "mirrored off chain by settlePublicInputs",
  "registry::root": "read from the object with RegistryBcs",
  "registry::next_index": "read from the object with RegistryBcs",
  "registry::next_cursor": "read from the object with RegistryBcs",
  "registry::max_span": "read from the object with RegistryBcs",
  "registry::batch_count": "read from the object with RegistryBcs",
  "registry::depth": "read from the object with RegistryBcs",
  "registry::vk_hash": "read from the object with RegistryBcs",
  "registry::tracking_config_hash": "read from the object with RegistryBcs",
  "registry::is_paused": "read from the object with RegistryBcs",
  "registry::settler_cap_id": "read from the object with RegistryBcs",
  "registry::pending_rotation_epoch": "read from the object with RegistryBcs",
  "registry::is_recent_root": "read from the object with RegistryBcs (recent_roots)",
  "registry::recent_root_batch": "read from the object with RegistryBcs (recent_roots)",
  "registry::admin_cap_registry_id": "a cap's registry_id is in the cap object",
  "registry::settler_cap_registry_id": "a cap's registry_id is in the cap object",
  "registry::recent_roots_capacity": "emitted in RegistryCreated",
  "registry::rotation_delay_epochs": "emitted in RegistryCreated",
};

function moveFunction(name: string): MoveFunction | undefined {
  const [module, fn] = name.split("::");
  return modules[module!]?.functions.find((f) => f.name === fn);
}

describe("MOVE_CALLS against the Move sources", () => {
  it.each(Object.entries(MOVE_CALLS))("%s has the same parameter types in the same order", (name, types) => {
    const fn = moveFunction(name);
    expect(fn, `${name} is not declared in move/sources`).toBeDefined();
    expect(fn!.visibility === "public" || fn!.entry).toBe(true);
    expect(fn!.attributes).not.toContain("test_only");
    const params = fn!.params.map((p) => p.type);
    // The runtime passes the TxContext, only ever as the last parameter.
    const isContext = (t: string | undefined): boolean => t === "&TxContext" || t === "&mut TxContext";
    if (isContext(params.at(-1))) params.pop();
    expect(params.some(isContext)).toBe(false);
    expect(params).toEqual([...types]);
  });

  it("every public registry function has a builder or a stated reason not to", () => {
    const isPublic = (f: MoveFunction): boolean =>
      (f.visibility === "public" || f.entry) && !f.attributes.includes("test_only");
    const declared = registryModule.functions.filter(isPublic).map((f) => `registry::${f.name}`).sort();
    const covered = [...Object.keys(MOVE_CALLS), ...Object.keys(UNBOUND)].sort();
    expect(covered).toEqual(declared);
  });

  it("the bound functions are the ones that change or check the registry", () => {
    // Every function taking &mut Registry is bound: those are the operator's transactions.
    const mutating = registryModule.functions
      .filter((f) => f.visibility === "public" && !f.attributes.includes("test_only") && f.params[0]?.type === "&mut Registry")
      .map((f) => `registry::${f.name}`);
    for (const name of mutating) expect(Object.keys(MOVE_CALLS)).toContain(name);
  });
});

// === What the builders put in a transaction ===

interface BuiltCall {
  target: string;
  args: ({ kind: "pure"; bytes: Uint8Array } | { kind: "object"; id: string } | { kind: "result" })[];
}

function lastMoveCall(tx: Transaction): BuiltCall {
  const data = tx.getData();
  const command = [...data.commands].reverse().find((c) => c.MoveCall)!;
  const call = command.MoveCall!;
  return {
    target: `${call.package}::${call.module}::${call.function}`,
    args: call.arguments.map((arg) => {
      if (arg.$kind !== "Input") return { kind: "result" as const };
      const input = data.inputs[arg.Input]!;
      if (input.Pure) return { kind: "pure" as const, bytes: fromBase64(input.Pure.bytes) };
      if (input.UnresolvedObject) return { kind: "object" as const, id: input.UnresolvedObject.objectId };
      throw new Error(`unexpected input ${JSON.stringify(input)}`);
    }),
  };
}

/** Decodes a pure argument as the Move type it was declared with. */
function decode(type: MoveParamType, bytes: Uint8Array): unknown {
  switch (type) {
    case "u8":
      return bcs.u8().parse(bytes);
    case "u64":
      return BigInt(bcs.u64().parse(bytes));
    case "u256":
      return BigInt(bcs.u256().parse(bytes));
    case "vector<u8>":
      return toHex(Uint8Array.from(bcs.vector(bcs.u8()).parse(bytes)));
    case "vector<u256>":
      return bcs.vector(bcs.u256()).parse(bytes).map((x) => BigInt(x));
    default:
      throw new Error(`${type} is an object, not a pure value`);
  }
}

const PKG = normalizeSuiAddress("0xabc");
const REGISTRY = normalizeSuiAddress("0x111");
const ADMIN_CAP = normalizeSuiAddress("0x222");
const SETTLER_CAP = normalizeSuiAddress("0x333");
const PROOF = Uint8Array.from({ length: 128 }, (_, i) => i);
const SIBLINGS = [1n, FIELD_MODULUS - 1n, 3n];

/** Each builder with arguments whose expected decoded values are listed in Move order. */
const CASES: { name: MoveCallName; build: (tx: Transaction) => void; expected: unknown[] }[] = [
  {
    name: "registry::create_registry",
    build: (tx) =>
      createRegistry(tx, PKG, { vk: [1, 2, 3], depth: 40, startCursor: (9n << 32n) + 1n, maxSpan: 100, trackingConfig: [7] }),
    expected: ["010203", 40, (9n << 32n) + 1n, 100n, "07"],
  },
  {
    name: "registry::settle",
    build: (tx) =>
      settle(tx, PKG, {
        registry: REGISTRY,
        settlerCap: SETTLER_CAP,
        newRoot: FIELD_MODULUS - 1n,
        newNextIndex: "12",
        batchCommitment: 77n,
        toCursor: (1n << 64n) - 1n,
        proof: PROOF,
      }),
    expected: [REGISTRY, SETTLER_CAP, FIELD_MODULUS - 1n, 12n, 77n, (1n << 64n) - 1n, toHex(PROOF)],
  },
  { name: "registry::pause", build: (tx) => pause(tx, PKG, { registry: REGISTRY, adminCap: ADMIN_CAP }), expected: [REGISTRY, ADMIN_CAP] },
  { name: "registry::unpause", build: (tx) => unpause(tx, PKG, { registry: REGISTRY, adminCap: ADMIN_CAP }), expected: [REGISTRY, ADMIN_CAP] },
  {
    name: "registry::replace_settler",
    build: (tx) => replaceSettler(tx, PKG, { registry: REGISTRY, adminCap: ADMIN_CAP }),
    expected: [REGISTRY, ADMIN_CAP],
  },
  {
    name: "registry::set_max_span",
    build: (tx) => setMaxSpan(tx, PKG, { registry: REGISTRY, adminCap: ADMIN_CAP, maxSpan: 5 }),
    expected: [REGISTRY, ADMIN_CAP, 5n],
  },
  {
    name: "registry::propose_key_rotation",
    build: (tx) => proposeKeyRotation(tx, PKG, { registry: REGISTRY, adminCap: ADMIN_CAP, vk: [9, 9], trackingConfig: new Uint8Array([1]) }),
    expected: [REGISTRY, ADMIN_CAP, "0909", "01"],
  },
  {
    name: "registry::cancel_key_rotation",
    build: (tx) => cancelKeyRotation(tx, PKG, { registry: REGISTRY, adminCap: ADMIN_CAP }),
    expected: [REGISTRY, ADMIN_CAP],
  },
  { name: "registry::apply_key_rotation", build: (tx) => applyKeyRotation(tx, PKG, { registry: REGISTRY }), expected: [REGISTRY] },
  {
    name: "registry::verify_presence",
    build: (tx) =>
      verifyPresence(tx, PKG, { registry: REGISTRY, root: 1n, key: 2n, value: 3n, nextKey: 4n, nextIndex: 5, leafIndex: 6, siblings: SIBLINGS }),
    expected: [REGISTRY, 1n, 2n, 3n, 4n, 5n, 6n, SIBLINGS],
  },
  {
    name: "registry::verify_absence_low_leaf",
    build: (tx) =>
      verifyAbsenceLowLeaf(tx, PKG, {
        registry: REGISTRY, root: 1n, key: 2n, lowKey: 3n, lowValue: 4n, lowNextKey: 5n, lowNextIndex: 6, leafIndex: 7, siblings: SIBLINGS,
      }),
    expected: [REGISTRY, 1n, 2n, 3n, 4n, 5n, 6n, 7n, SIBLINGS],
  },
  {
    name: "registry::verify_absence_zero_leaf",
    build: (tx) =>
      verifyAbsenceZeroLeaf(tx, PKG, { registry: REGISTRY, root: 1n, key: 2n, nextKey: 3n, nextIndex: 4, leafIndex: 5, siblings: SIBLINGS }),
    expected: [REGISTRY, 1n, 2n, 3n, 4n, 5n, SIBLINGS],
  },
];

describe("call builders", () => {
  it("every bound function has a builder case here", () => {
    expect(CASES.map((c) => c.name).sort()).toEqual(Object.keys(MOVE_CALLS).sort());
  });

  it.each(CASES)("$name targets the function and encodes each argument as its Move type", ({ name, build, expected }) => {
    const tx = new Transaction();
    build(tx);
    const call = lastMoveCall(tx);
    expect(call.target).toBe(`${PKG}::${name}`);
    const types = MOVE_CALLS[name];
    expect(call.args).toHaveLength(types.length);
    call.args.forEach((arg, i) => {
      const type = types[i]!;
      if (type.startsWith("&")) {
        expect(arg, `${name} argument ${i + 1}`).toEqual({ kind: "object", id: expected[i] });
      } else {
        expect(arg.kind, `${name} argument ${i + 1}`).toBe("pure");
        if (arg.kind === "pure") expect(decode(type, arg.bytes), `${name} argument ${i + 1}`).toEqual(expected[i]);
      }
    });
  });

  it("createRegistryAndKeepCaps transfers both returned capabilities", () => {
    const tx = new Transaction();
    createRegistryAndKeepCaps(tx, PKG, { vk: [1], depth: 8, startCursor: 0, maxSpan: 1, trackingConfig: [], owner: "0x5" });
    const { commands } = tx.getData();
    expect(commands.map((c) => c.$kind)).toEqual(["MoveCall", "TransferObjects"]);
    expect(commands[1]!.TransferObjects!.objects).toEqual([
      { $kind: "NestedResult", NestedResult: [0, 0] },
      { $kind: "NestedResult", NestedResult: [0, 1] },
    ]);
  });

  it("a settler cap produced earlier in the transaction is passed as a result", () => {
    const tx = new Transaction();
    const [, settlerCap] = createRegistry(tx, PKG, { vk: [1], depth: 8, startCursor: 0, maxSpan: 1, trackingConfig: [] });
    settle(tx, PKG, { registry: REGISTRY, settlerCap: settlerCap!, newRoot: 1n, newNextIndex: 1, batchCommitment: 1n, toCursor: 1, proof: PROOF });
    expect(lastMoveCall(tx).args[1]).toEqual({ kind: "result" });
  });

  it("rejects values Move would abort on or could not decode", () => {
    const base = { registry: REGISTRY, settlerCap: SETTLER_CAP, newRoot: 1n, newNextIndex: 1, batchCommitment: 1n, toCursor: 1, proof: PROOF };
    const tx = new Transaction();
    expect(() => settle(tx, PKG, { ...base, newRoot: FIELD_MODULUS })).toThrow(/canonical/);
    expect(() => settle(tx, PKG, { ...base, batchCommitment: -1n })).toThrow(/canonical/);
    expect(() => settle(tx, PKG, { ...base, newNextIndex: 1n << 64n })).toThrow(/u64/);
    expect(() => settle(tx, PKG, { ...base, toCursor: 2 ** 60 })).toThrow(/safe integer/);
    expect(() => settle(tx, PKG, { ...base, toCursor: "1.5" })).toThrow(/integer/);
    expect(() => settle(tx, PKG, { ...base, proof: PROOF.slice(1) })).toThrow(/128 bytes/);
    expect(() => settle(tx, PKG, { ...base, proof: [256, ...PROOF.slice(1)] })).toThrow(/byte/);
    expect(() => createRegistry(tx, PKG, { vk: [], depth: 256, startCursor: 0, maxSpan: 1, trackingConfig: [] })).toThrow(/u8/);
    expect(() =>
      verifyPresence(tx, PKG, { registry: REGISTRY, root: 1n, key: 1n, value: 1n, nextKey: 0n, nextIndex: 0, leafIndex: 0, siblings: [FIELD_MODULUS] }),
    ).toThrow(/siblings|argument 8/);
  });
});

describe("settlePublicInputs", () => {
  it("equals registry::public_inputs_bytes on the vector the Move test asserts", () => {
    // Same values and expected bytes as registry_tests.move,
    // public_inputs_are_seven_little_endian_scalars_in_circuit_order.
    const bytes = settlePublicInputs({
      oldRoot: 1n,
      newRoot: 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20n,
      oldNextIndex: 3,
      newNextIndex: 4,
      batchCommitment: 5n,
      fromCursor: (7n << 32n) + 9n,
      toCursor: (1n << 64n) - 1n,
    });
    const moveTest = readFileSync(path.join(repoRoot, "move", "tests", "registry_tests.move"), "utf8");
    const literal = /public_inputs_are_seven_little_endian_scalars_in_circuit_order\(\)[\s\S]*?x"([0-9a-f]+)"/.exec(moveTest)?.[1];
    expect(literal).toBeDefined();
    expect(toHex(bytes)).toBe(literal);
    // And independently: scalar i occupies bytes 32i..32i+31, least significant byte first.
    expect(bytes).toHaveLength(7 * 32);
    expect(bytes[32]).toBe(0x20);
    expect(bytes[63]).toBe(0x01);
    expect(toHex(bytes.slice(160, 168))).toBe("0900000007000000");
  });

  it("refuses non-canonical field elements and oversized integers", () => {
    const s = { oldRoot: 0n, newRoot: 0n, oldNextIndex: 0, newNextIndex: 0, batchCommitment: 0n, fromCursor: 0, toCursor: 1 };
    expect(() => settlePublicInputs({ ...s, oldRoot: FIELD_MODULUS })).toThrow(/oldRoot/);
    expect(() => settlePublicInputs({ ...s, toCursor: 1n << 64n })).toThrow(/toCursor/);
  });
});

// === BCS layouts ===

/** Minimal reference BCS encoder driven by Move type names, independent of @mysten/bcs. */
function encodeReference(type: string, value: unknown, structs: Record<string, Record<string, string>>): number[] {
  const le = (n: bigint, bytes: number): number[] => Array.from({ length: bytes }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  const uleb = (n: number): number[] => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return out;
  };
  if (type === "u8") return [Number(value)];
  if (type === "u64") return le(BigInt(value as bigint), 8);
  if (type === "u256") return le(BigInt(value as bigint), 32);
  if (type === "bool") return [value ? 1 : 0];
  if (type === "address" || type === "ID" || type === "UID") {
    return Array.from(Buffer.from(normalizeSuiAddress(value as string).slice(2), "hex"));
  }
  const vec = /^vector<(.+)>$/.exec(type);
  if (vec) {
    const items = value as unknown[];
    return [...uleb(items.length), ...items.flatMap((item) => encodeReference(vec[1]!, item, structs))];
  }
  const opt = /^Option<(.+)>$/.exec(type);
  if (opt) return value === null ? [0] : [1, ...encodeReference(opt[1]!, value, structs)];
  const fields = structs[type];
  if (!fields) throw new Error(`no layout for ${type}`);
  const record = value as Record<string, unknown>;
  return Object.entries(fields).flatMap(([name, fieldType]) => encodeReference(fieldType, record[name], structs));
}

/** A sample value with a different value in every field, so a swapped field changes the bytes. */
function sampleValue(type: string, seed: number, structs: Record<string, Record<string, string>>): unknown {
  if (type === "u8") return (seed % 250) + 1;
  if (type === "u64") return BigInt(1000 + seed);
  if (type === "u256") return (BigInt(seed + 1) << 200n) | 7n;
  if (type === "bool") return seed % 2 === 1;
  if (type === "address" || type === "ID" || type === "UID") return normalizeSuiAddress(`0x${(seed + 1).toString(16)}`);
  const vec = /^vector<(.+)>$/.exec(type);
  if (vec) return [sampleValue(vec[1]!, seed + 1, structs), sampleValue(vec[1]!, seed + 2, structs)];
  const opt = /^Option<(.+)>$/.exec(type);
  if (opt) return sampleValue(opt[1]!, seed + 3, structs);
  const fields = structs[type];
  if (!fields) throw new Error(`no layout for ${type}`);
  return Object.fromEntries(Object.entries(fields).map(([name, t], i) => [name, sampleValue(t, seed * 31 + i, structs)]));
}

describe("BCS layouts of the registry and its events", () => {
  const groth16Layout = {
    PreparedVerifyingKey: {
      vk_gamma_abc_g1_bytes: "vector<u8>",
      alpha_g1_beta_g2_bytes: "vector<u8>",
      gamma_g2_neg_pc_bytes: "vector<u8>",
      delta_g2_neg_pc_bytes: "vector<u8>",
    },
  };
  const structs: Record<string, Record<string, string>> = { ...REGISTRY_LAYOUT_TYPES, ...groth16Layout };

  it("every struct of registry.move with copy+drop (events) or in the object is described", () => {
    const events = registryModule.structs.filter((s) => s.abilities.includes("copy") && s.abilities.includes("drop"));
    const described = Object.keys(REGISTRY_LAYOUT_TYPES);
    for (const s of [...events, ...registryModule.structs.filter((s) => s.name === "Registry" || s.name === "PendingRotation")]) {
      expect(described, s.name).toContain(s.name);
    }
  });

  it.each(Object.keys(REGISTRY_LAYOUT_TYPES))("%s has the Move struct's fields, in order, with its types", (name) => {
    const struct = registryModule.structs.find((s) => s.name === name);
    expect(struct, `${name} is not a struct of registry.move`).toBeDefined();
    const layout = REGISTRY_LAYOUT_TYPES[name as keyof typeof REGISTRY_LAYOUT_TYPES];
    expect(Object.entries(layout)).toEqual(struct!.fields.map((f) => [f.name, f.type]));
  });

  it.each(Object.keys(REGISTRY_LAYOUTS))("%s serializes as the Move layout does", (name) => {
    const layout = REGISTRY_LAYOUTS[name as keyof typeof REGISTRY_LAYOUTS];
    const value = sampleValue(name, 3, structs);
    const reference = encodeReference(name, value, structs);
    // The BCS types take the same JSON-like shape the reference encoder reads.
    const bytes = (layout as { serialize(v: unknown): { toBytes(): Uint8Array } }).serialize(value).toBytes();
    expect(toHex(bytes)).toBe(toHex(Uint8Array.from(reference)));
  });

  it("parses a registry object back to its fields", () => {
    const value = sampleValue("Registry", 5, structs) as Record<string, unknown>;
    const parsed = REGISTRY_LAYOUTS.Registry.parse(Uint8Array.from(encodeReference("Registry", value, structs)));
    expect(BigInt(parsed.root)).toBe(value.root);
    expect(BigInt(parsed.next_cursor)).toBe(value.next_cursor);
    expect(parsed.settler_cap_id).toBe(value.settler_cap_id);
    expect(parsed.recent_roots).toHaveLength(2);
  });
});
