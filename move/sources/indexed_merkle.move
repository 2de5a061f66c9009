/// Checks against the indexed Merkle tree that sui-zk-indexer settles (DESIGN.md, "The state
/// tree"): a fixed-depth binary Poseidon tree over BN254 whose leaves are
/// `Poseidon(key, value, next_key, next_index)`, empty slots are 0, inner nodes are
/// `Poseidon(left, right)`, and keys form a sorted linked list (`next_key == 0` is +infinity).
/// A value of 0 means "absent" (deleted, wrapped, or no longer tracked).
///
/// Every function here is pure: it recomputes a root from a leaf and its siblings with
/// `sui::poseidon::poseidon_bn254`, which equals circomlib's Poseidon. The checks return
/// `false` for anything that is not a valid proof (including inputs at or above the field
/// modulus, which `poseidon_bn254` would abort on), so callers decide how to fail. They
/// accept and reject exactly what settler/tree/proof.ts does.
module sui_zk_indexer::indexed_merkle;

use sui::address;
use sui::poseidon::poseidon_bn254;

// === Constants ===

/// The BN254 scalar field modulus r: every tree value and public input is below it.
const FIELD_MODULUS: u256 =
    21888242871839275222246405745257275088548364400416034343698204186575808495617;

/// Leaf indices are u64, so no tree is deeper than 64 levels.
const MAX_DEPTH: u8 = 64;

/// The low 128 bits of a u256, for splitting an object id into two field elements.
const LOW_128_MASK: u256 = 0xffffffffffffffffffffffffffffffff;

/// Roots of the initial tree (sentinel leaf `Poseidon(0, 0, 0, 0)` at index 0, every other slot
/// empty) for the depths in use: 40 in production, the others in tests and small deployments.
/// `move/move.test.ts` recomputes each with circomlibjs, and `compute_empty_root` recomputes
/// them on chain in the Move tests.
const EMPTY_ROOT_DEPTH_4: u256 =
    20371286710787359019057956880706594538789522446831065017299232807673295524353;
const EMPTY_ROOT_DEPTH_8: u256 =
    15134152334789605668982119632409393335336862398107886665065297382376765469815;
const EMPTY_ROOT_DEPTH_16: u256 =
    8181633643570252780267588050742355616773367122445460898059303443849364022407;
const EMPTY_ROOT_DEPTH_20: u256 =
    15539952456376436358713615918652279990541983327333071595661461546083579241535;
const EMPTY_ROOT_DEPTH_32: u256 =
    14355648266941633466750845451325672554586702021634540025438546960694810402508;
const EMPTY_ROOT_DEPTH_40: u256 =
    15271958914093739167918036279582927596291707622102480308581284022762166491912;

// === Errors ===

#[error]
const EInvalidDepth: vector<u8> = b"The tree depth must be between 1 and 64";

// === Parameters ===

/// The BN254 scalar field modulus r.
public fun field_modulus(): u256 { FIELD_MODULUS }

/// The deepest tree these checks accept.
public fun max_depth(): u8 { MAX_DEPTH }

/// True when `x` is a canonical field element, i.e. below r.
public fun is_canonical(x: u256): bool { x < FIELD_MODULUS }

// === Hashing ===

/// The leaf of a key in the tree: `Poseidon(key, value, next_key, next_index)`.
/// Aborts (in `poseidon_bn254`) when a field is not canonical.
public fun leaf_hash(key: u256, value: u256, next_key: u256, next_index: u64): u256 {
    poseidon_bn254(&vector[key, value, next_key, (next_index as u256)])
}

/// The tree key of an object: `Poseidon(id_hi, id_lo)` where the 32-byte id is read as a
/// big-endian integer and split into its high and low 128 bits.
public fun object_key(object_id: ID): u256 {
    address_key(object_id.to_address())
}

/// `object_key` for an id given as an address.
public fun address_key(id: address): u256 {
    let n = address::to_u256(id);
    poseidon_bn254(&vector[n >> 128, n & LOW_128_MASK])
}

/// The root of a tree in which `leaf` sits at `index`, with `siblings` listed from the leaf
/// level upwards. Bit `i` of `index` says whether the node at level `i` is a right child.
/// Aborts (in `poseidon_bn254`) when a sibling is not canonical.
public fun compute_root(leaf: u256, index: u64, siblings: &vector<u256>): u256 {
    let depth = siblings.length();
    let mut node = leaf;
    let mut bits = index;
    let mut level = 0;
    while (level < depth) {
        let sibling = siblings[level];
        node = if ((bits & 1) == 0) {
            poseidon_bn254(&vector[node, sibling])
        } else {
            poseidon_bn254(&vector[sibling, node])
        };
        bits = bits >> 1;
        level = level + 1;
    };
    node
}

// === Empty tree ===

/// The root of the initial tree of `depth`: the hard-coded constant where there is one,
/// otherwise computed (2 * depth Poseidon calls). Either way it is never an arbitrary root.
public fun empty_root(depth: u8): u256 {
    assert!(depth >= 1 && depth <= MAX_DEPTH, EInvalidDepth);
    if (depth == 40) EMPTY_ROOT_DEPTH_40
    else if (depth == 32) EMPTY_ROOT_DEPTH_32
    else if (depth == 20) EMPTY_ROOT_DEPTH_20
    else if (depth == 16) EMPTY_ROOT_DEPTH_16
    else if (depth == 8) EMPTY_ROOT_DEPTH_8
    else if (depth == 4) EMPTY_ROOT_DEPTH_4
    else compute_empty_root(depth)
}

/// Recomputes the root of the initial tree of `depth`: the sentinel leaf
/// `Poseidon(0, 0, 0, 0)` at index 0 hashed up against empty subtrees, where an empty slot
/// is 0 and an empty subtree one level up is `Poseidon(empty, empty)`.
public fun compute_empty_root(depth: u8): u256 {
    assert!(depth >= 1 && depth <= MAX_DEPTH, EInvalidDepth);
    let mut node = poseidon_bn254(&vector[0u256, 0, 0, 0]);
    let mut empty = 0u256;
    let mut level = 0u8;
    while (level < depth) {
        // The sentinel sits at index 0, so it is always the left child.
        node = poseidon_bn254(&vector[node, empty]);
        empty = poseidon_bn254(&vector[empty, empty]);
        level = level + 1;
    };
    node
}

// === Proof checks ===

/// True when the leaf `(key, value, next_key, next_index)` sits at `leaf_index` under `root`
/// and `value` is not 0 (0 means absent). Key 0 is the sentinel's, never an object's.
public fun verify_presence(
    root: u256,
    key: u256,
    value: u256,
    next_key: u256,
    next_index: u64,
    leaf_index: u64,
    siblings: &vector<u256>,
): bool {
    key != 0 &&
    value != 0 &&
    path_is_well_formed(leaf_index, siblings) &&
    is_canonical(key) && is_canonical(value) && is_canonical(next_key) &&
    compute_root(leaf_hash(key, value, next_key, next_index), leaf_index, siblings) == root
}

/// True when `key` is absent because the low leaf `(low_key, low_value, low_next_key,
/// low_next_index)` at `low_index` under `root` brackets it: `low_key < key < low_next_key`,
/// with `low_next_key == 0` meaning +infinity (so key 0 is never "absent" this way). The low
/// leaf's own value does not matter.
public fun verify_absence_low_leaf(
    root: u256,
    key: u256,
    low_key: u256,
    low_value: u256,
    low_next_key: u256,
    low_next_index: u64,
    low_index: u64,
    siblings: &vector<u256>,
): bool {
    is_canonical(key) &&
    is_canonical(low_key) && is_canonical(low_value) && is_canonical(low_next_key) &&
    low_key < key &&
    (low_next_key == 0 || key < low_next_key) &&
    path_is_well_formed(low_index, siblings) &&
    compute_root(leaf_hash(low_key, low_value, low_next_key, low_next_index), low_index, siblings) == root
}

/// True when `key` is absent because its own leaf `(key, 0, next_key, next_index)` sits at
/// `leaf_index` under `root`: the key was seen, and its value is now 0. Key 0 (the
/// sentinel's) is not an object key, so the sentinel proves nothing here.
public fun verify_absence_zero_leaf(
    root: u256,
    key: u256,
    next_key: u256,
    next_index: u64,
    leaf_index: u64,
    siblings: &vector<u256>,
): bool {
    key != 0 &&
    path_is_well_formed(leaf_index, siblings) &&
    is_canonical(key) && is_canonical(next_key) &&
    compute_root(leaf_hash(key, 0, next_key, next_index), leaf_index, siblings) == root
}

// === Internal ===

/// A path is usable when the depth is in range, the index fits in it, and every sibling is
/// canonical (so hashing cannot abort on a forged path).
fun path_is_well_formed(index: u64, siblings: &vector<u256>): bool {
    let depth = siblings.length();
    if (depth == 0 || depth > (MAX_DEPTH as u64)) return false;
    // A shift by 64 would abort, and every u64 index fits a depth-64 tree.
    if (depth < 64 && (index >> (depth as u8)) != 0) return false;
    let mut i = 0;
    while (i < depth) {
        if (!is_canonical(siblings[i])) return false;
        i = i + 1;
    };
    true
}
