/// The on-chain settlement registry of sui-zk-indexer (DESIGN.md, "On chain").
///
/// A shared `Registry` holds the Poseidon root of the indexed object state, and moves from one
/// root to the next only with a Groth16 proof (BN254) of the `BatchUpdate` circuit. `settle`
/// builds the proof's public inputs itself from the stored root, next free index and next
/// cursor plus its arguments, so a proof cannot be replayed, applied out of order, or move
/// the cursor backwards or further than `max_span` checkpoints.
///
/// `SettlerCap` authorizes `settle`; `AdminCap` pauses, replaces the settler, changes the
/// span and rotates the verifying key, which takes effect only `ROTATION_DELAY_EPOCHS` epochs
/// after it is proposed. Creation and rotation emit the raw verifying key and tracking
/// configuration, so an auditor can check them against the setup transcript.
///
/// What a settlement proves, and what it does not (it does not tie the batch to what Sui
/// executed), is stated in the project README's trust model.
module sui_zk_indexer::registry;

use std::bcs;
use sui::event;
use sui::groth16::{Self, PreparedVerifyingKey, PublicProofInputs};
use sui::hash;
use sui_zk_indexer::indexed_merkle;

// === Constants ===

/// How many roots stay checkable, the current one included, so that a proof fetched just
/// before a settlement still verifies for a while after it.
const RECENT_ROOTS: u64 = 32;

/// Epochs between proposing a verifying key and the first epoch it can be applied: time for
/// auditors to check it against the published setup transcript (a Sui epoch is about a day).
const ROTATION_DELAY_EPOCHS: u64 = 7;

/// A cursor is `checkpoint * 2^32 + offset`; the span limit applies to the checkpoint part.
const CHECKPOINT_SHIFT: u8 = 32;

/// The sentinel leaf occupies index 0 of a new tree, so the first free index is 1.
const FIRST_FREE_INDEX: u64 = 1;

// === Errors ===

#[error]
const EPaused: vector<u8> = b"The registry is paused";
#[error]
const EWrongRegistry: vector<u8> = b"The capability belongs to another registry";
#[error]
const ESettlerRevoked: vector<u8> = b"This settler capability has been replaced";
#[error]
const ECursorNotAdvancing: vector<u8> = b"to_cursor must be greater than the registry's next cursor";
#[error]
const ESpanTooLarge: vector<u8> = b"The batch spans more checkpoints than max_span allows";
#[error]
const ENonCanonical: vector<u8> = b"A field element is not below the BN254 scalar field modulus";
#[error]
const ENextIndexRegressed: vector<u8> = b"new_next_index is below the registry's next index";
#[error]
const ETreeFull: vector<u8> = b"new_next_index exceeds the capacity of the tree";
#[error]
const EInvalidProof: vector<u8> = b"The Groth16 proof does not verify for these public inputs";
#[error]
const EInvalidDepth: vector<u8> = b"The tree depth must be between 1 and 64";
#[error]
const EInvalidSpan: vector<u8> = b"max_span must be at least 1";
#[error]
const EAlreadyPaused: vector<u8> = b"The registry is already paused";
#[error]
const ENotPaused: vector<u8> = b"The registry is not paused";
#[error]
const ERotationPending: vector<u8> = b"A key rotation is already pending; cancel it first";
#[error]
const ENoPendingRotation: vector<u8> = b"No key rotation is pending";
#[error]
const ERotationNotDue: vector<u8> = b"The pending key rotation is not effective before its epoch";

// === Objects ===

/// The shared settlement state.
public struct Registry has key {
    id: UID,
    /// Depth of the indexed Merkle tree; fixed for the life of the registry.
    depth: u8,
    /// The key `settle` verifies with, prepared once at creation or rotation.
    pvk: PreparedVerifyingKey,
    /// blake2b256 of the raw (arkworks compressed) verifying key behind `pvk`.
    vk_hash: vector<u8>,
    /// The current root.
    root: u256,
    /// The next free leaf index.
    next_index: u64,
    /// Where the next batch starts: batches cover half-open cursor ranges [from, to).
    next_cursor: u64,
    /// The most checkpoints one batch may advance the cursor by.
    max_span: u64,
    /// Settled batches; batch numbers start at 1, 0 is the empty tree.
    batch_count: u64,
    /// blake2b256 of the tracking configuration (what the stream includes).
    tracking_config_hash: vector<u8>,
    /// Ring of the last `RECENT_ROOTS` roots with their batch numbers.
    recent_roots: vector<RecentRoot>,
    /// Slot of `recent_roots` the next root overwrites once the ring is full.
    recent_head: u64,
    paused: bool,
    pending_rotation: Option<PendingRotation>,
    /// The one `SettlerCap` that may settle; replacing it revokes the old one.
    settler_cap_id: ID,
}

/// A recent root and the batch that produced it.
public struct RecentRoot has copy, drop, store {
    root: u256,
    batch: u64,
}

/// A proposed verifying key, raw (readable from the object by anyone checking it) and
/// prepared (so a malformed key fails at proposal, not when applied), and the tracking
/// configuration that goes with it.
public struct PendingRotation has drop, store {
    vk: vector<u8>,
    pvk: PreparedVerifyingKey,
    vk_hash: vector<u8>,
    tracking_config_hash: vector<u8>,
    effective_epoch: u64,
}

/// Pauses, replaces the settler, changes the span and rotates the key of one registry.
public struct AdminCap has key, store {
    id: UID,
    registry_id: ID,
}

/// Settles batches on one registry while it is the registry's current settler.
public struct SettlerCap has key, store {
    id: UID,
    registry_id: ID,
}

// === Events ===

/// Emitted once by `create_registry`, with everything `verify` needs to start.
public struct RegistryCreated has copy, drop {
    registry_id: ID,
    admin_cap_id: ID,
    settler_cap_id: ID,
    depth: u8,
    root: u256,
    next_index: u64,
    start_cursor: u64,
    max_span: u64,
    vk: vector<u8>,
    vk_hash: vector<u8>,
    tracking_config: vector<u8>,
    tracking_config_hash: vector<u8>,
    recent_roots: u64,
    rotation_delay_epochs: u64,
    creator: address,
    epoch: u64,
}

/// Emitted by every successful `settle`: the full statement that was proven and who posted it.
public struct Settled has copy, drop {
    registry_id: ID,
    batch: u64,
    old_root: u256,
    new_root: u256,
    old_next_index: u64,
    new_next_index: u64,
    batch_commitment: u256,
    from_cursor: u64,
    to_cursor: u64,
    vk_hash: vector<u8>,
    settler_cap_id: ID,
    sender: address,
    epoch: u64,
}

/// Emitted when the admin proposes a new verifying key and tracking configuration.
public struct KeyRotationProposed has copy, drop {
    registry_id: ID,
    vk: vector<u8>,
    vk_hash: vector<u8>,
    tracking_config: vector<u8>,
    tracking_config_hash: vector<u8>,
    proposed_epoch: u64,
    effective_epoch: u64,
}

/// Emitted when the admin withdraws a pending rotation.
public struct KeyRotationCancelled has copy, drop {
    registry_id: ID,
    vk_hash: vector<u8>,
}

/// Emitted when a rotation takes effect: batches from `from_cursor` on are proven under the
/// new key and tracking configuration.
public struct KeyRotationApplied has copy, drop {
    registry_id: ID,
    old_vk_hash: vector<u8>,
    vk_hash: vector<u8>,
    old_tracking_config_hash: vector<u8>,
    tracking_config_hash: vector<u8>,
    from_cursor: u64,
    after_batch: u64,
    epoch: u64,
}

/// Emitted by `pause` and `unpause`.
public struct PauseChanged has copy, drop {
    registry_id: ID,
    paused: bool,
    epoch: u64,
}

/// Emitted by `replace_settler`.
public struct SettlerReplaced has copy, drop {
    registry_id: ID,
    old_cap_id: ID,
    new_cap_id: ID,
}

/// Emitted by `set_max_span`.
public struct MaxSpanChanged has copy, drop {
    registry_id: ID,
    old_max_span: u64,
    new_max_span: u64,
}

// === Creation ===

/// Shares a new registry over the empty tree of `depth` and returns its admin and settler
/// capabilities (a PTB transfers them). `vk` is an arkworks compressed BN254 verifying key of
/// `BatchUpdate`; it is prepared here, so a malformed key aborts in `sui::groth16`.
public fun create_registry(
    vk: vector<u8>,
    depth: u8,
    start_cursor: u64,
    max_span: u64,
    tracking_config: vector<u8>,
    ctx: &mut TxContext,
): (AdminCap, SettlerCap) {
    assert!(depth >= 1 && depth <= indexed_merkle::max_depth(), EInvalidDepth);
    assert!(max_span >= 1, EInvalidSpan);
    let pvk = groth16::prepare_verifying_key(&groth16::bn254(), &vk);
    let vk_hash = hash::blake2b256(&vk);
    let tracking_config_hash = hash::blake2b256(&tracking_config);
    let root = indexed_merkle::empty_root(depth);

    let id = object::new(ctx);
    let registry_id = id.to_inner();
    let admin = AdminCap { id: object::new(ctx), registry_id };
    let settler = SettlerCap { id: object::new(ctx), registry_id };

    event::emit(RegistryCreated {
        registry_id,
        admin_cap_id: object::id(&admin),
        settler_cap_id: object::id(&settler),
        depth,
        root,
        next_index: FIRST_FREE_INDEX,
        start_cursor,
        max_span,
        vk,
        vk_hash,
        tracking_config,
        tracking_config_hash,
        recent_roots: RECENT_ROOTS,
        rotation_delay_epochs: ROTATION_DELAY_EPOCHS,
        creator: ctx.sender(),
        epoch: ctx.epoch(),
    });

    transfer::share_object(Registry {
        id,
        depth,
        pvk,
        vk_hash,
        root,
        next_index: FIRST_FREE_INDEX,
        next_cursor: start_cursor,
        max_span,
        batch_count: 0,
        tracking_config_hash,
        recent_roots: vector[RecentRoot { root, batch: 0 }],
        recent_head: 1,
        paused: false,
        pending_rotation: option::none(),
        settler_cap_id: object::id(&settler),
    });
    (admin, settler)
}

// === Settlement ===

/// Moves the registry to `new_root` with a proof that applying the batch committed by
/// `batch_commitment` to the current root gives `new_root`, advancing the next free index to
/// `new_next_index` and the cursor from the stored next cursor to `to_cursor`.
/// `proof_points` is A || B || C, arkworks compressed (128 bytes).
public fun settle(
    registry: &mut Registry,
    cap: &SettlerCap,
    new_root: u256,
    new_next_index: u64,
    batch_commitment: u256,
    to_cursor: u64,
    proof_points: vector<u8>,
    ctx: &TxContext,
) {
    assert!(!registry.paused, EPaused);
    assert!(cap.registry_id == object::id(registry), EWrongRegistry);
    assert!(object::id(cap) == registry.settler_cap_id, ESettlerRevoked);

    let from_cursor = registry.next_cursor;
    assert!(to_cursor > from_cursor, ECursorNotAdvancing);
    // No underflow: to_cursor > from_cursor implies the same order of their checkpoints.
    let span = (to_cursor >> CHECKPOINT_SHIFT) - (from_cursor >> CHECKPOINT_SHIFT);
    assert!(span <= registry.max_span, ESpanTooLarge);

    assert!(indexed_merkle::is_canonical(new_root), ENonCanonical);
    assert!(indexed_merkle::is_canonical(batch_commitment), ENonCanonical);
    let old_next_index = registry.next_index;
    assert!(new_next_index >= old_next_index, ENextIndexRegressed);
    assert!((new_next_index as u128) <= (1u128 << registry.depth), ETreeFull);

    let old_root = registry.root;
    let inputs = public_inputs_bytes(
        old_root,
        new_root,
        old_next_index,
        new_next_index,
        batch_commitment,
        from_cursor,
        to_cursor,
    );
    assert!(verify_batch_proof(&registry.pvk, inputs, proof_points), EInvalidProof);

    let batch = registry.batch_count + 1;
    registry.root = new_root;
    registry.next_index = new_next_index;
    registry.next_cursor = to_cursor;
    registry.batch_count = batch;
    registry.record_root(new_root, batch);

    event::emit(Settled {
        registry_id: object::id(registry),
        batch,
        old_root,
        new_root,
        old_next_index,
        new_next_index,
        batch_commitment,
        from_cursor,
        to_cursor,
        vk_hash: registry.vk_hash,
        settler_cap_id: object::id(cap),
        sender: ctx.sender(),
        epoch: ctx.epoch(),
    });
}

/// The public inputs of `BatchUpdate` in circuit order (oldRoot, newRoot, oldNextIndex,
/// newNextIndex, batchCommitment, fromCursor, toCursor), each a 32-byte little-endian scalar,
/// concatenated: exactly the bytes `settle` verifies against. BCS encodes a u256 as 32
/// little-endian bytes, and the u64 values are widened first.
public fun public_inputs_bytes(
    old_root: u256,
    new_root: u256,
    old_next_index: u64,
    new_next_index: u64,
    batch_commitment: u256,
    from_cursor: u64,
    to_cursor: u64,
): vector<u8> {
    let mut bytes = bcs::to_bytes(&old_root);
    bytes.append(bcs::to_bytes(&new_root));
    bytes.append(bcs::to_bytes(&(old_next_index as u256)));
    bytes.append(bcs::to_bytes(&(new_next_index as u256)));
    bytes.append(bcs::to_bytes(&batch_commitment));
    bytes.append(bcs::to_bytes(&(from_cursor as u256)));
    bytes.append(bcs::to_bytes(&(to_cursor as u256)));
    bytes
}

// === Admin ===

/// Stops `settle` until `unpause`. Reads and proof checks keep working.
public fun pause(registry: &mut Registry, admin: &AdminCap, ctx: &TxContext) {
    registry.assert_admin(admin);
    assert!(!registry.paused, EAlreadyPaused);
    registry.paused = true;
    event::emit(PauseChanged { registry_id: object::id(registry), paused: true, epoch: ctx.epoch() });
}

/// Lets `settle` run again.
public fun unpause(registry: &mut Registry, admin: &AdminCap, ctx: &TxContext) {
    registry.assert_admin(admin);
    assert!(registry.paused, ENotPaused);
    registry.paused = false;
    event::emit(PauseChanged { registry_id: object::id(registry), paused: false, epoch: ctx.epoch() });
}

/// Issues a new `SettlerCap` and revokes the current one (for a lost or leaked settler key).
public fun replace_settler(
    registry: &mut Registry,
    admin: &AdminCap,
    ctx: &mut TxContext,
): SettlerCap {
    registry.assert_admin(admin);
    let registry_id = object::id(registry);
    let settler = SettlerCap { id: object::new(ctx), registry_id };
    let old_cap_id = registry.settler_cap_id;
    registry.settler_cap_id = object::id(&settler);
    event::emit(SettlerReplaced { registry_id, old_cap_id, new_cap_id: object::id(&settler) });
    settler
}

/// Changes how many checkpoints one batch may span.
public fun set_max_span(registry: &mut Registry, admin: &AdminCap, max_span: u64) {
    registry.assert_admin(admin);
    assert!(max_span >= 1, EInvalidSpan);
    let old_max_span = registry.max_span;
    registry.max_span = max_span;
    event::emit(MaxSpanChanged {
        registry_id: object::id(registry),
        old_max_span,
        new_max_span: max_span,
    });
}

/// Proposes a new verifying key with the tracking configuration it goes with (which may be
/// the current one). It can be applied from `ROTATION_DELAY_EPOCHS` epochs after this one.
public fun propose_key_rotation(
    registry: &mut Registry,
    admin: &AdminCap,
    vk: vector<u8>,
    tracking_config: vector<u8>,
    ctx: &TxContext,
) {
    registry.assert_admin(admin);
    assert!(registry.pending_rotation.is_none(), ERotationPending);
    let pvk = groth16::prepare_verifying_key(&groth16::bn254(), &vk);
    let vk_hash = hash::blake2b256(&vk);
    let tracking_config_hash = hash::blake2b256(&tracking_config);
    let proposed_epoch = ctx.epoch();
    let effective_epoch = proposed_epoch + ROTATION_DELAY_EPOCHS;
    registry.pending_rotation.fill(PendingRotation {
        vk,
        pvk,
        vk_hash,
        tracking_config_hash,
        effective_epoch,
    });
    event::emit(KeyRotationProposed {
        registry_id: object::id(registry),
        vk,
        vk_hash,
        tracking_config,
        tracking_config_hash,
        proposed_epoch,
        effective_epoch,
    });
}

/// Withdraws the pending rotation.
public fun cancel_key_rotation(registry: &mut Registry, admin: &AdminCap) {
    registry.assert_admin(admin);
    assert!(registry.pending_rotation.is_some(), ENoPendingRotation);
    let pending = registry.pending_rotation.extract();
    event::emit(KeyRotationCancelled {
        registry_id: object::id(registry),
        vk_hash: pending.vk_hash,
    });
}

/// Makes the pending rotation effective once its epoch has come. Anyone may call it: the
/// admin already committed to the key, and the delay is what protects users.
public fun apply_key_rotation(registry: &mut Registry, ctx: &TxContext) {
    assert!(registry.pending_rotation.is_some(), ENoPendingRotation);
    assert!(ctx.epoch() >= registry.pending_rotation.borrow().effective_epoch, ERotationNotDue);
    let PendingRotation {
        vk: _,
        pvk,
        vk_hash,
        tracking_config_hash,
        effective_epoch: _,
    } = registry.pending_rotation.extract();
    let old_vk_hash = registry.vk_hash;
    let old_tracking_config_hash = registry.tracking_config_hash;
    registry.pvk = pvk;
    registry.vk_hash = vk_hash;
    registry.tracking_config_hash = tracking_config_hash;
    event::emit(KeyRotationApplied {
        registry_id: object::id(registry),
        old_vk_hash,
        vk_hash,
        old_tracking_config_hash,
        tracking_config_hash,
        from_cursor: registry.next_cursor,
        after_batch: registry.batch_count,
        epoch: ctx.epoch(),
    });
}

// === Proof checks against the registry ===

/// True when the leaf `(key, value, next_key, next_index)` sits at `leaf_index` under `root`,
/// `root` is the current root or one of the recent ones, and `value` is not 0.
public fun verify_presence(
    registry: &Registry,
    root: u256,
    key: u256,
    value: u256,
    next_key: u256,
    next_index: u64,
    leaf_index: u64,
    siblings: vector<u256>,
): bool {
    siblings.length() == (registry.depth as u64) &&
    registry.is_recent_root(root) &&
    indexed_merkle::verify_presence(root, key, value, next_key, next_index, leaf_index, &siblings)
}

/// True when `key` is absent under `root` (current or recent) because the low leaf at
/// `low_index` brackets it: `low_key < key < low_next_key`, `low_next_key == 0` = +infinity.
public fun verify_absence_low_leaf(
    registry: &Registry,
    root: u256,
    key: u256,
    low_key: u256,
    low_value: u256,
    low_next_key: u256,
    low_next_index: u64,
    low_index: u64,
    siblings: vector<u256>,
): bool {
    siblings.length() == (registry.depth as u64) &&
    registry.is_recent_root(root) &&
    indexed_merkle::verify_absence_low_leaf(
        root,
        key,
        low_key,
        low_value,
        low_next_key,
        low_next_index,
        low_index,
        &siblings,
    )
}

/// True when `key` is absent under `root` (current or recent) because its own leaf at
/// `leaf_index` has value 0.
public fun verify_absence_zero_leaf(
    registry: &Registry,
    root: u256,
    key: u256,
    next_key: u256,
    next_index: u64,
    leaf_index: u64,
    siblings: vector<u256>,
): bool {
    siblings.length() == (registry.depth as u64) &&
    registry.is_recent_root(root) &&
    indexed_merkle::verify_absence_zero_leaf(root, key, next_key, next_index, leaf_index, &siblings)
}

// === Reads ===

public fun root(registry: &Registry): u256 { registry.root }

public fun next_index(registry: &Registry): u64 { registry.next_index }

public fun next_cursor(registry: &Registry): u64 { registry.next_cursor }

public fun max_span(registry: &Registry): u64 { registry.max_span }

public fun batch_count(registry: &Registry): u64 { registry.batch_count }

public fun depth(registry: &Registry): u8 { registry.depth }

public fun vk_hash(registry: &Registry): vector<u8> { registry.vk_hash }

public fun tracking_config_hash(registry: &Registry): vector<u8> { registry.tracking_config_hash }

public fun is_paused(registry: &Registry): bool { registry.paused }

public fun settler_cap_id(registry: &Registry): ID { registry.settler_cap_id }

/// The epoch from which the pending rotation can be applied, if one is pending.
public fun pending_rotation_epoch(registry: &Registry): Option<u64> {
    if (registry.pending_rotation.is_some()) {
        option::some(registry.pending_rotation.borrow().effective_epoch)
    } else {
        option::none()
    }
}

/// True when `root` is the current root or one of the last `RECENT_ROOTS` roots.
public fun is_recent_root(registry: &Registry, root: u256): bool {
    registry.recent_root_batch(root).is_some()
}

/// The batch that produced `root` (0 for the empty tree), if `root` is still recent.
public fun recent_root_batch(registry: &Registry, root: u256): Option<u64> {
    let roots = &registry.recent_roots;
    let mut i = 0;
    while (i < roots.length()) {
        let entry = &roots[i];
        if (entry.root == root) return option::some(entry.batch);
        i = i + 1;
    };
    option::none()
}

/// The registry a capability belongs to.
public fun admin_cap_registry_id(cap: &AdminCap): ID { cap.registry_id }

public fun settler_cap_registry_id(cap: &SettlerCap): ID { cap.registry_id }

public fun recent_roots_capacity(): u64 { RECENT_ROOTS }

public fun rotation_delay_epochs(): u64 { ROTATION_DELAY_EPOCHS }

// === Internal ===

fun assert_admin(registry: &Registry, admin: &AdminCap) {
    assert!(admin.registry_id == object::id(registry), EWrongRegistry);
}

/// Writes `root` into the ring, overwriting the oldest entry once it holds `RECENT_ROOTS`.
fun record_root(registry: &mut Registry, root: u256, batch: u64) {
    let entry = RecentRoot { root, batch };
    let head = registry.recent_head;
    if (registry.recent_roots.length() < RECENT_ROOTS) {
        registry.recent_roots.push_back(entry);
    } else {
        let slot = &mut registry.recent_roots[head];
        *slot = entry;
    };
    registry.recent_head = (head + 1) % RECENT_ROOTS;
}

/// `public_proof_inputs_from_bytes` is the framework call that takes the concatenated 32-byte
/// scalars; newer frameworks mark it deprecated in favour of a per-scalar constructor that
/// older ones lack, so keep the one that exists in both.
#[allow(deprecated_usage)]
fun verify_batch_proof(
    pvk: &PreparedVerifyingKey,
    public_inputs: vector<u8>,
    proof_points: vector<u8>,
): bool {
    let inputs: PublicProofInputs = groth16::public_proof_inputs_from_bytes(public_inputs);
    let proof = groth16::proof_points_from_bytes(proof_points);
    groth16::verify_groth16_proof(&groth16::bn254(), pvk, &inputs, &proof)
}

// === Test-only ===

/// Replaces the current root without a proof, to test that a proof for another old root fails.
#[test_only]
public fun set_root_for_testing(registry: &mut Registry, root: u256) {
    registry.root = root;
}

/// Records `root` as if a batch had settled it, to test proofs against recent roots.
#[test_only]
public fun record_root_for_testing(registry: &mut Registry, root: u256) {
    let batch = registry.batch_count + 1;
    registry.root = root;
    registry.batch_count = batch;
    registry.record_root(root, batch);
}
