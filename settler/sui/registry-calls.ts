// Typed builders for the Move calls of the settlement registry (move/sources/registry.move),
// for an @mysten/sui 2.x `Transaction`. The Sui CLI's codegen is not available here, so the
// Move parameter types are written down once in MOVE_CALLS: every builder encodes its
// arguments through that table, and registry-calls.test.ts checks the table against the Move
// sources parsed with move/move-parser.ts. Also here: the BCS layouts of the registry object
// and its events, checked against the Move structs the same way, and the public-input bytes
// `settle` verifies against.
import { bcs } from "@mysten/sui/bcs";
import type {
  Transaction,
  TransactionArgument,
  TransactionObjectArgument,
  TransactionResult,
} from "@mysten/sui/transactions";

/** The BN254 scalar field modulus r: every u256 the registry takes is a field element. */
export const FIELD_MODULUS =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const U64_MAX = (1n << 64n) - 1n;

/** An object id, or an object produced earlier in the same transaction. */
export type ObjectInput = string | TransactionObjectArgument;
export type U64Input = bigint | number | string;
/** A BN254 field element (below r). */
export type FieldInput = bigint | string;
export type BytesInput = Uint8Array | readonly number[];

/** The Move parameter types the builders can encode. */
export type MoveParamType =
  | "u8"
  | "u64"
  | "u256"
  | "vector<u8>"
  | "vector<u256>"
  | "&Registry"
  | "&mut Registry"
  | "&AdminCap"
  | "&SettlerCap";

/**
 * Parameter types of every bound Move function, in order, as written in the Move source
 * (module-local type names). A trailing `&TxContext` / `&mut TxContext` is left out: the
 * runtime supplies it, and the test allows it only in last position.
 */
export const MOVE_CALLS = {
  "registry::create_registry": ["vector<u8>", "u8", "u64", "u64", "vector<u8>"],
  "registry::settle": ["&mut Registry", "&SettlerCap", "u256", "u64", "u256", "u64", "vector<u8>"],
  "registry::pause": ["&mut Registry", "&AdminCap"],
  "registry::unpause": ["&mut Registry", "&AdminCap"],
  "registry::replace_settler": ["&mut Registry", "&AdminCap"],
  "registry::set_max_span": ["&mut Registry", "&AdminCap", "u64"],
  "registry::propose_key_rotation": ["&mut Registry", "&AdminCap", "vector<u8>", "vector<u8>"],
  "registry::cancel_key_rotation": ["&mut Registry", "&AdminCap"],
  "registry::apply_key_rotation": ["&mut Registry"],
  "registry::verify_presence": [
    "&Registry", "u256", "u256", "u256", "u256", "u64", "u64", "vector<u256>",
  ],
  "registry::verify_absence_low_leaf": [
    "&Registry", "u256", "u256", "u256", "u256", "u256", "u64", "u64", "vector<u256>",
  ],
  "registry::verify_absence_zero_leaf": [
    "&Registry", "u256", "u256", "u256", "u64", "u64", "vector<u256>",
  ],
} as const satisfies Record<string, readonly MoveParamType[]>;

export type MoveCallName = keyof typeof MOVE_CALLS;

function toBigInt(value: bigint | number | string, what: string): bigint {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError(`${what}: ${value} is not a safe integer; pass a bigint or a string`);
  }
  try {
    return BigInt(value);
  } catch {
    throw new RangeError(`${what}: ${String(value)} is not an integer`);
  }
}

function checkU64(value: U64Input, what: string): bigint {
  const n = toBigInt(value, what);
  if (n < 0n || n > U64_MAX) throw new RangeError(`${what}: ${n} does not fit in a u64`);
  return n;
}

/** Field elements must be canonical: Move's poseidon and settle abort on values >= r. */
function checkField(value: FieldInput, what: string): bigint {
  const n = toBigInt(value, what);
  if (n < 0n || n >= FIELD_MODULUS) {
    throw new RangeError(`${what}: ${n} is not a canonical BN254 field element (must be below r)`);
  }
  return n;
}

function checkBytes(value: BytesInput, what: string): number[] {
  const out = Array.from(value);
  for (const b of out) {
    if (!Number.isInteger(b) || b < 0 || b > 255) throw new RangeError(`${what}: ${b} is not a byte`);
  }
  return out;
}

function encodeArg(tx: Transaction, type: MoveParamType, value: unknown, what: string): TransactionArgument {
  switch (type) {
    case "u8": {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 255) throw new RangeError(`${what}: ${String(value)} is not a u8`);
      return tx.pure.u8(n);
    }
    case "u64":
      return tx.pure.u64(checkU64(value as U64Input, what));
    case "u256":
      return tx.pure.u256(checkField(value as FieldInput, what));
    case "vector<u8>":
      return tx.pure.vector("u8", checkBytes(value as BytesInput, what));
    case "vector<u256>":
      return tx.pure.vector(
        "u256",
        Array.from(value as readonly FieldInput[], (v, i) => checkField(v, `${what}[${i}]`)),
      );
    case "&Registry":
    case "&mut Registry":
    case "&AdminCap":
    case "&SettlerCap":
      return tx.object(value as ObjectInput);
  }
}

/** Adds `pkg::module::function(args)`, encoding each argument as MOVE_CALLS declares. */
function call(tx: Transaction, pkg: string, name: MoveCallName, args: readonly unknown[]): TransactionResult {
  const types: readonly MoveParamType[] = MOVE_CALLS[name];
  if (args.length !== types.length) {
    throw new Error(`${name} takes ${types.length} arguments, got ${args.length}`);
  }
  return tx.moveCall({
    target: `${pkg}::${name}`,
    arguments: types.map((type, i) => encodeArg(tx, type, args[i], `${name} argument ${i + 1}`)),
  });
}

// === Creation and settlement ===

export interface CreateRegistryArgs {
  /** Arkworks compressed BN254 verifying key of BatchUpdate. */
  vk: BytesInput;
  /** Tree depth, 1..64 (40 in production). */
  depth: number;
  /** First cursor to settle: checkpoint * 2^32 + offset. */
  startCursor: U64Input;
  /** Largest number of checkpoints one batch may span. */
  maxSpan: U64Input;
  /** The tracking configuration bytes; the registry stores their blake2b256. */
  trackingConfig: BytesInput;
}

/**
 * `registry::create_registry`: shares a new registry and returns `[adminCap, settlerCap]`
 * as results of this transaction; transfer them (see `createRegistryAndKeepCaps`).
 */
export function createRegistry(tx: Transaction, pkg: string, a: CreateRegistryArgs): TransactionResult {
  return call(tx, pkg, "registry::create_registry", [a.vk, a.depth, a.startCursor, a.maxSpan, a.trackingConfig]);
}

/** `create_registry` followed by a transfer of both capabilities to `owner`. */
export function createRegistryAndKeepCaps(
  tx: Transaction,
  pkg: string,
  a: CreateRegistryArgs & { owner: string },
): void {
  const [adminCap, settlerCap] = createRegistry(tx, pkg, a);
  if (!adminCap || !settlerCap) throw new Error("create_registry returns two capabilities");
  tx.transferObjects([adminCap, settlerCap], a.owner);
}

export interface SettleArgs {
  registry: ObjectInput;
  settlerCap: ObjectInput;
  newRoot: FieldInput;
  newNextIndex: U64Input;
  batchCommitment: FieldInput;
  toCursor: U64Input;
  /** A || B || C, arkworks compressed, 128 bytes. */
  proof: BytesInput;
}

/** `registry::settle`. The old root, old next index and from-cursor come from the registry. */
export function settle(tx: Transaction, pkg: string, a: SettleArgs): TransactionResult {
  const proof = checkBytes(a.proof, "settle proof");
  if (proof.length !== 128) throw new RangeError(`settle proof: expected 128 bytes, got ${proof.length}`);
  return call(tx, pkg, "registry::settle", [
    a.registry,
    a.settlerCap,
    a.newRoot,
    a.newNextIndex,
    a.batchCommitment,
    a.toCursor,
    proof,
  ]);
}

// === Admin ===

export interface AdminArgs {
  registry: ObjectInput;
  adminCap: ObjectInput;
}

export function pause(tx: Transaction, pkg: string, a: AdminArgs): TransactionResult {
  return call(tx, pkg, "registry::pause", [a.registry, a.adminCap]);
}

export function unpause(tx: Transaction, pkg: string, a: AdminArgs): TransactionResult {
  return call(tx, pkg, "registry::unpause", [a.registry, a.adminCap]);
}

/** `registry::replace_settler`: returns the new SettlerCap; the old one stops working. */
export function replaceSettler(tx: Transaction, pkg: string, a: AdminArgs): TransactionResult {
  return call(tx, pkg, "registry::replace_settler", [a.registry, a.adminCap]);
}

export function setMaxSpan(tx: Transaction, pkg: string, a: AdminArgs & { maxSpan: U64Input }): TransactionResult {
  return call(tx, pkg, "registry::set_max_span", [a.registry, a.adminCap, a.maxSpan]);
}

export function proposeKeyRotation(
  tx: Transaction,
  pkg: string,
  a: AdminArgs & { vk: BytesInput; trackingConfig: BytesInput },
): TransactionResult {
  return call(tx, pkg, "registry::propose_key_rotation", [a.registry, a.adminCap, a.vk, a.trackingConfig]);
}

export function cancelKeyRotation(tx: Transaction, pkg: string, a: AdminArgs): TransactionResult {
  return call(tx, pkg, "registry::cancel_key_rotation", [a.registry, a.adminCap]);
}

/** `registry::apply_key_rotation`: anyone may call it once the effective epoch has come. */
export function applyKeyRotation(tx: Transaction, pkg: string, a: { registry: ObjectInput }): TransactionResult {
  return call(tx, pkg, "registry::apply_key_rotation", [a.registry]);
}

// === Proof checks (return a bool; useful in a dry run or simulation) ===

export interface LeafPath {
  leafIndex: U64Input;
  /** Siblings from the leaf level up; exactly `depth` of them. */
  siblings: readonly FieldInput[];
}

export function verifyPresence(
  tx: Transaction,
  pkg: string,
  a: { registry: ObjectInput; root: FieldInput; key: FieldInput; value: FieldInput; nextKey: FieldInput; nextIndex: U64Input } & LeafPath,
): TransactionResult {
  return call(tx, pkg, "registry::verify_presence", [
    a.registry, a.root, a.key, a.value, a.nextKey, a.nextIndex, a.leafIndex, a.siblings,
  ]);
}

export function verifyAbsenceLowLeaf(
  tx: Transaction,
  pkg: string,
  a: {
    registry: ObjectInput;
    root: FieldInput;
    key: FieldInput;
    lowKey: FieldInput;
    lowValue: FieldInput;
    lowNextKey: FieldInput;
    lowNextIndex: U64Input;
  } & LeafPath,
): TransactionResult {
  return call(tx, pkg, "registry::verify_absence_low_leaf", [
    a.registry, a.root, a.key, a.lowKey, a.lowValue, a.lowNextKey, a.lowNextIndex, a.leafIndex, a.siblings,
  ]);
}

export function verifyAbsenceZeroLeaf(
  tx: Transaction,
  pkg: string,
  a: { registry: ObjectInput; root: FieldInput; key: FieldInput; nextKey: FieldInput; nextIndex: U64Input } & LeafPath,
): TransactionResult {
  return call(tx, pkg, "registry::verify_absence_zero_leaf", [
    a.registry, a.root, a.key, a.nextKey, a.nextIndex, a.leafIndex, a.siblings,
  ]);
}

// === Public inputs ===

export interface SettlementStatement {
  oldRoot: FieldInput;
  newRoot: FieldInput;
  oldNextIndex: U64Input;
  newNextIndex: U64Input;
  batchCommitment: FieldInput;
  fromCursor: U64Input;
  toCursor: U64Input;
}

/**
 * The 224 bytes `settle` verifies a proof against (`registry::public_inputs_bytes`): the
 * seven public inputs of BatchUpdate in circuit order, each a 32-byte little-endian scalar.
 */
export function settlePublicInputs(s: SettlementStatement): Uint8Array {
  const scalars = [
    checkField(s.oldRoot, "oldRoot"),
    checkField(s.newRoot, "newRoot"),
    checkU64(s.oldNextIndex, "oldNextIndex"),
    checkU64(s.newNextIndex, "newNextIndex"),
    checkField(s.batchCommitment, "batchCommitment"),
    checkU64(s.fromCursor, "fromCursor"),
    checkU64(s.toCursor, "toCursor"),
  ];
  const out = new Uint8Array(32 * scalars.length);
  scalars.forEach((scalar, i) => {
    let v = scalar;
    for (let b = 0; b < 32; b++) {
      out[32 * i + b] = Number(v & 0xffn);
      v >>= 8n;
    }
  });
  return out;
}

// === On-chain layouts (BCS), for reading the registry object and its events ===

const PreparedVerifyingKeyBcs = bcs.struct("PreparedVerifyingKey", {
  vk_gamma_abc_g1_bytes: bcs.vector(bcs.u8()),
  alpha_g1_beta_g2_bytes: bcs.vector(bcs.u8()),
  gamma_g2_neg_pc_bytes: bcs.vector(bcs.u8()),
  delta_g2_neg_pc_bytes: bcs.vector(bcs.u8()),
});

const RecentRootBcs = bcs.struct("RecentRoot", { root: bcs.u256(), batch: bcs.u64() });

const PendingRotationBcs = bcs.struct("PendingRotation", {
  vk: bcs.vector(bcs.u8()),
  pvk: PreparedVerifyingKeyBcs,
  vk_hash: bcs.vector(bcs.u8()),
  tracking_config_hash: bcs.vector(bcs.u8()),
  effective_epoch: bcs.u64(),
});

/** `registry::Registry`: a UID is its 32-byte object id. */
export const RegistryBcs = bcs.struct("Registry", {
  id: bcs.Address,
  depth: bcs.u8(),
  pvk: PreparedVerifyingKeyBcs,
  vk_hash: bcs.vector(bcs.u8()),
  root: bcs.u256(),
  next_index: bcs.u64(),
  next_cursor: bcs.u64(),
  max_span: bcs.u64(),
  batch_count: bcs.u64(),
  tracking_config_hash: bcs.vector(bcs.u8()),
  recent_roots: bcs.vector(RecentRootBcs),
  recent_head: bcs.u64(),
  paused: bcs.bool(),
  pending_rotation: bcs.option(PendingRotationBcs),
  settler_cap_id: bcs.Address,
});

export const RegistryCreatedBcs = bcs.struct("RegistryCreated", {
  registry_id: bcs.Address,
  admin_cap_id: bcs.Address,
  settler_cap_id: bcs.Address,
  depth: bcs.u8(),
  root: bcs.u256(),
  next_index: bcs.u64(),
  start_cursor: bcs.u64(),
  max_span: bcs.u64(),
  vk: bcs.vector(bcs.u8()),
  vk_hash: bcs.vector(bcs.u8()),
  tracking_config: bcs.vector(bcs.u8()),
  tracking_config_hash: bcs.vector(bcs.u8()),
  recent_roots: bcs.u64(),
  rotation_delay_epochs: bcs.u64(),
  creator: bcs.Address,
  epoch: bcs.u64(),
});

export const SettledBcs = bcs.struct("Settled", {
  registry_id: bcs.Address,
  batch: bcs.u64(),
  old_root: bcs.u256(),
  new_root: bcs.u256(),
  old_next_index: bcs.u64(),
  new_next_index: bcs.u64(),
  batch_commitment: bcs.u256(),
  from_cursor: bcs.u64(),
  to_cursor: bcs.u64(),
  vk_hash: bcs.vector(bcs.u8()),
  settler_cap_id: bcs.Address,
  sender: bcs.Address,
  epoch: bcs.u64(),
});

export const KeyRotationProposedBcs = bcs.struct("KeyRotationProposed", {
  registry_id: bcs.Address,
  vk: bcs.vector(bcs.u8()),
  vk_hash: bcs.vector(bcs.u8()),
  tracking_config: bcs.vector(bcs.u8()),
  tracking_config_hash: bcs.vector(bcs.u8()),
  proposed_epoch: bcs.u64(),
  effective_epoch: bcs.u64(),
});

export const KeyRotationCancelledBcs = bcs.struct("KeyRotationCancelled", {
  registry_id: bcs.Address,
  vk_hash: bcs.vector(bcs.u8()),
});

export const KeyRotationAppliedBcs = bcs.struct("KeyRotationApplied", {
  registry_id: bcs.Address,
  old_vk_hash: bcs.vector(bcs.u8()),
  vk_hash: bcs.vector(bcs.u8()),
  old_tracking_config_hash: bcs.vector(bcs.u8()),
  tracking_config_hash: bcs.vector(bcs.u8()),
  from_cursor: bcs.u64(),
  after_batch: bcs.u64(),
  epoch: bcs.u64(),
});

export const PauseChangedBcs = bcs.struct("PauseChanged", {
  registry_id: bcs.Address,
  paused: bcs.bool(),
  epoch: bcs.u64(),
});

export const SettlerReplacedBcs = bcs.struct("SettlerReplaced", {
  registry_id: bcs.Address,
  old_cap_id: bcs.Address,
  new_cap_id: bcs.Address,
});

export const MaxSpanChangedBcs = bcs.struct("MaxSpanChanged", {
  registry_id: bcs.Address,
  old_max_span: bcs.u64(),
  new_max_span: bcs.u64(),
});

/** Every BCS layout above, by Move struct name, for the layout test. */
export const REGISTRY_LAYOUTS = {
  Registry: RegistryBcs,
  RecentRoot: RecentRootBcs,
  PendingRotation: PendingRotationBcs,
  RegistryCreated: RegistryCreatedBcs,
  Settled: SettledBcs,
  KeyRotationProposed: KeyRotationProposedBcs,
  KeyRotationCancelled: KeyRotationCancelledBcs,
  KeyRotationApplied: KeyRotationAppliedBcs,
  PauseChanged: PauseChangedBcs,
  SettlerReplaced: SettlerReplacedBcs,
  MaxSpanChanged: MaxSpanChangedBcs,
} as const;

/** Move type of each BCS field above, for comparison with the Move struct definitions. */
export const REGISTRY_LAYOUT_TYPES: Record<keyof typeof REGISTRY_LAYOUTS, Record<string, string>> = {
  Registry: {
    id: "UID", depth: "u8", pvk: "PreparedVerifyingKey", vk_hash: "vector<u8>", root: "u256",
    next_index: "u64", next_cursor: "u64", max_span: "u64", batch_count: "u64",
    tracking_config_hash: "vector<u8>", recent_roots: "vector<RecentRoot>", recent_head: "u64",
    paused: "bool", pending_rotation: "Option<PendingRotation>", settler_cap_id: "ID",
  },
  RecentRoot: { root: "u256", batch: "u64" },
  PendingRotation: {
    vk: "vector<u8>", pvk: "PreparedVerifyingKey", vk_hash: "vector<u8>", tracking_config_hash: "vector<u8>", effective_epoch: "u64",
  },
  RegistryCreated: {
    registry_id: "ID", admin_cap_id: "ID", settler_cap_id: "ID", depth: "u8", root: "u256",
    next_index: "u64", start_cursor: "u64", max_span: "u64", vk: "vector<u8>", vk_hash: "vector<u8>",
    tracking_config: "vector<u8>", tracking_config_hash: "vector<u8>", recent_roots: "u64",
    rotation_delay_epochs: "u64", creator: "address", epoch: "u64",
  },
  Settled: {
    registry_id: "ID", batch: "u64", old_root: "u256", new_root: "u256", old_next_index: "u64",
    new_next_index: "u64", batch_commitment: "u256", from_cursor: "u64", to_cursor: "u64",
    vk_hash: "vector<u8>", settler_cap_id: "ID", sender: "address", epoch: "u64",
  },
  KeyRotationProposed: {
    registry_id: "ID", vk: "vector<u8>", vk_hash: "vector<u8>", tracking_config: "vector<u8>",
    tracking_config_hash: "vector<u8>", proposed_epoch: "u64", effective_epoch: "u64",
  },
  KeyRotationCancelled: { registry_id: "ID", vk_hash: "vector<u8>" },
  KeyRotationApplied: {
    registry_id: "ID", old_vk_hash: "vector<u8>", vk_hash: "vector<u8>",
    old_tracking_config_hash: "vector<u8>", tracking_config_hash: "vector<u8>", from_cursor: "u64",
    after_batch: "u64", epoch: "u64",
  },
  PauseChanged: { registry_id: "ID", paused: "bool", epoch: "u64" },
  SettlerReplaced: { registry_id: "ID", old_cap_id: "ID", new_cap_id: "ID" },
  MaxSpanChanged: { registry_id: "ID", old_max_span: "u64", new_max_span: "u64" },
};
