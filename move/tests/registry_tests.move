// Tests of the settlement registry. Settlements that must verify use the circuit's committed
// vectors (vectors::vk(), vectors::batch(i)); every rule that rejects a call before or
// instead of the proof check runs on a registry created with a foreign key, so those tests
// do not depend on the circuit.
#[test_only]
module sui_zk_indexer::registry_tests;

use std::unit_test::assert_eq;
use sui::hash::blake2b256;
use sui::test_scenario::{Self as ts, Scenario};
use sui_zk_indexer::indexed_merkle;
use sui_zk_indexer::registry::{Self, Registry, AdminCap, SettlerCap};
use sui_zk_indexer::vectors::{Self, LeafProof};

const ADMIN: address = @0xAD;
const SETTLER: address = @0x5E;
const OTHER: address = @0x07;

/// A span no test batch reaches.
const WIDE_SPAN: u64 = 1000000;

const TRACKING: vector<u8> = b"track: all objects";

// === Helpers ===

/// A scenario with one registry: the admin holds its AdminCap, SETTLER its SettlerCap, and the
/// next transaction is SETTLER's.
fun create(vk: vector<u8>, depth: u8, start_cursor: u64, max_span: u64): Scenario {
    let mut scenario = ts::begin(ADMIN);
    let (admin, settler) = registry::create_registry(
        vk,
        depth,
        start_cursor,
        max_span,
        TRACKING,
        scenario.ctx(),
    );
    transfer::public_transfer(admin, ADMIN);
    transfer::public_transfer(settler, SETTLER);
    scenario.next_tx(SETTLER);
    scenario
}

/// A registry under our circuit's key, ready for vectors::batch(0).
fun create_for_vectors(): Scenario {
    create(vectors::vk(), vectors::depth(), vectors::start_cursor(), WIDE_SPAN)
}

/// A registry under Sui's example key: nothing of ours verifies under it.
fun create_foreign(depth: u8, start_cursor: u64, max_span: u64): Scenario {
    create(vectors::foreign_vk(), depth, start_cursor, max_span)
}

/// Settles with SETTLER's cap; the scenario must be in a SETTLER transaction.
fun settle_with(
    scenario: &mut Scenario,
    new_root: u256,
    new_next_index: u64,
    batch_commitment: u256,
    to_cursor: u64,
    proof: vector<u8>,
) {
    let mut registry = scenario.take_shared<Registry>();
    let cap = scenario.take_from_sender<SettlerCap>();
    registry.settle(&cap, new_root, new_next_index, batch_commitment, to_cursor, proof, scenario.ctx());
    ts::return_shared(registry);
    scenario.return_to_sender(cap);
}

fun settle_batch(scenario: &mut Scenario, i: u64) {
    let b = vectors::batch(i);
    settle_with(scenario, b.new_root(), b.new_next_index(), b.batch_commitment(), b.to_cursor(), b.proof());
}

/// A well-formed proof-sized byte string that is not a proof of anything.
fun junk_proof(): vector<u8> {
    let mut proof = vector[];
    let mut i = 0;
    while (i < 128) {
        proof.push_back(1);
        i = i + 1;
    };
    proof
}

fun pause_as_admin(scenario: &mut Scenario) {
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared<Registry>();
    let admin = scenario.take_from_sender<AdminCap>();
    registry.pause(&admin, scenario.ctx());
    ts::return_shared(registry);
    scenario.return_to_sender(admin);
    scenario.next_tx(SETTLER);
}

fun unpause_as_admin(scenario: &mut Scenario) {
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared<Registry>();
    let admin = scenario.take_from_sender<AdminCap>();
    registry.unpause(&admin, scenario.ctx());
    ts::return_shared(registry);
    scenario.return_to_sender(admin);
    scenario.next_tx(SETTLER);
}

fun propose_as_admin(scenario: &mut Scenario, vk: vector<u8>, tracking_config: vector<u8>) {
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared<Registry>();
    let admin = scenario.take_from_sender<AdminCap>();
    registry.propose_key_rotation(&admin, vk, tracking_config, scenario.ctx());
    ts::return_shared(registry);
    scenario.return_to_sender(admin);
}

fun apply_rotation(scenario: &mut Scenario) {
    let mut registry = scenario.take_shared<Registry>();
    registry.apply_key_rotation(scenario.ctx());
    ts::return_shared(registry);
}

fun advance_epochs(scenario: &mut Scenario, epochs: u64) {
    let mut i = 0;
    while (i < epochs) {
        scenario.next_epoch(ADMIN);
        i = i + 1;
    };
}

fun cursor(checkpoint: u64, offset: u64): u64 { (checkpoint << 32) + offset }

fun registry_presence(registry: &Registry, p: &LeafProof): bool {
    registry.verify_presence(
        p.root(),
        p.query_key(),
        p.leaf_value(),
        p.leaf_next_key(),
        p.leaf_next_index(),
        p.leaf_index(),
        p.siblings(),
    )
}

fun registry_low_leaf_absence(registry: &Registry, p: &LeafProof): bool {
    registry.verify_absence_low_leaf(
        p.root(),
        p.query_key(),
        p.leaf_key(),
        p.leaf_value(),
        p.leaf_next_key(),
        p.leaf_next_index(),
        p.leaf_index(),
        p.siblings(),
    )
}

fun registry_zero_leaf_absence(registry: &Registry, p: &LeafProof): bool {
    registry.verify_absence_zero_leaf(
        p.root(),
        p.query_key(),
        p.leaf_next_key(),
        p.leaf_next_index(),
        p.leaf_index(),
        p.siblings(),
    )
}

// === Creation ===

#[test]
fun a_new_registry_starts_from_the_empty_root() {
    let depth = vectors::tree_depth();
    let start = cursor(7, 3);
    let mut scenario = ts::begin(ADMIN);
    let (admin, settler) = registry::create_registry(
        vectors::foreign_vk(),
        depth,
        start,
        10,
        TRACKING,
        scenario.ctx(),
    );
    let effects = scenario.next_tx(ADMIN);
    assert_eq!(effects.shared().length(), 1);
    assert_eq!(effects.num_user_events(), 1);

    let registry = scenario.take_shared<Registry>();
    assert_eq!(registry.root(), indexed_merkle::empty_root(depth));
    assert_eq!(registry.next_index(), 1);
    assert_eq!(registry.next_cursor(), start);
    assert_eq!(registry.max_span(), 10);
    assert_eq!(registry.batch_count(), 0);
    assert_eq!(registry.depth(), depth);
    assert_eq!(registry.vk_hash(), blake2b256(&vectors::foreign_vk()));
    assert_eq!(registry.tracking_config_hash(), blake2b256(&TRACKING));
    assert!(!registry.is_paused());
    assert!(registry.pending_rotation_epoch().is_none());
    assert_eq!(registry.recent_root_batch(registry.root()), option::some(0));
    assert_eq!(registry.settler_cap_id(), object::id(&settler));
    assert_eq!(registry::admin_cap_registry_id(&admin), object::id(&registry));
    assert_eq!(registry::settler_cap_registry_id(&settler), object::id(&registry));

    ts::return_shared(registry);
    transfer::public_transfer(admin, ADMIN);
    transfer::public_transfer(settler, SETTLER);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidDepth)]
fun creation_rejects_depth_0() {
    let scenario = create_foreign(0, 0, 10);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidDepth)]
fun creation_rejects_depth_65() {
    let scenario = create_foreign(65, 0, 10);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidSpan)]
fun creation_rejects_a_zero_span() {
    let scenario = create_foreign(8, 0, 0);
    scenario.end();
}

#[test, expected_failure(abort_code = sui::groth16::EInvalidVerifyingKey)]
fun creation_rejects_a_malformed_key() {
    let scenario = create(b"not a verifying key", 8, 0, 10);
    scenario.end();
}

// === Public inputs ===

#[test]
fun public_inputs_are_seven_little_endian_scalars_in_circuit_order() {
    // The same bytes are asserted by settler/sui/registry-calls.test.ts for settlePublicInputs.
    let bytes = registry::public_inputs_bytes(
        1,
        0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20,
        3,
        4,
        5,
        cursor(7, 9),
        18446744073709551615,
    );
    assert_eq!(
        bytes,
        x"0100000000000000000000000000000000000000000000000000000000000000201f1e1d1c1b1a191817161514131211100f0e0d0c0b0a0908070605040302010300000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000005000000000000000000000000000000000000000000000000000000000000000900000007000000000000000000000000000000000000000000000000000000ffffffffffffffff000000000000000000000000000000000000000000000000",
    );
}

#[test]
fun public_inputs_match_the_circuit_vectors() {
    let mut i = 0;
    while (i < vectors::batch_count()) {
        let b = vectors::batch(i);
        let bytes = registry::public_inputs_bytes(
            b.old_root(),
            b.new_root(),
            b.old_next_index(),
            b.new_next_index(),
            b.batch_commitment(),
            b.from_cursor(),
            b.to_cursor(),
        );
        assert_eq!(bytes, b.public_inputs());
        i = i + 1;
    };
}

// === Settlement with the circuit's proofs ===

#[test]
fun consecutive_batches_settle() {
    let mut scenario = create_for_vectors();
    let empty = indexed_merkle::empty_root(vectors::depth());
    assert_eq!(vectors::batch(0).old_root(), empty);

    let mut i = 0;
    while (i < vectors::batch_count()) {
        let b = vectors::batch(i);
        settle_batch(&mut scenario, i);
        let effects = scenario.next_tx(SETTLER);
        assert_eq!(effects.num_user_events(), 1);

        let registry = scenario.take_shared<Registry>();
        assert_eq!(registry.root(), b.new_root());
        assert_eq!(registry.next_index(), b.new_next_index());
        assert_eq!(registry.next_cursor(), b.to_cursor());
        assert_eq!(registry.batch_count(), i + 1);
        assert_eq!(registry.recent_root_batch(b.new_root()), option::some(i + 1));
        // Earlier roots stay checkable.
        assert_eq!(registry.recent_root_batch(empty), option::some(0));
        assert_eq!(registry.recent_root_batch(b.old_root()), option::some(i));
        ts::return_shared(registry);
        scenario.next_tx(SETTLER);
        i = i + 1;
    };
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ECursorNotAdvancing)]
fun a_replayed_batch_is_rejected() {
    let mut scenario = create_for_vectors();
    settle_batch(&mut scenario, 0);
    scenario.next_tx(SETTLER);
    settle_batch(&mut scenario, 0);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_batch_out_of_order_is_rejected() {
    let mut scenario = create_for_vectors();
    // Batch 1's proof is for batch 0's new root, next index and end cursor.
    settle_batch(&mut scenario, 1);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_proof_for_another_old_root_is_rejected() {
    let mut scenario = create_for_vectors();
    let mut registry = scenario.take_shared<Registry>();
    // Everything else as batch 0 expects; only the stored root differs.
    registry.set_root_for_testing(vectors::tree_root());
    ts::return_shared(registry);
    scenario.next_tx(SETTLER);
    settle_batch(&mut scenario, 0);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_tampered_proof_is_rejected() {
    let mut scenario = create_for_vectors();
    let b = vectors::batch(0);
    let mut proof = b.proof();
    let byte = &mut proof[40];
    *byte = *byte ^ 1;
    settle_with(&mut scenario, b.new_root(), b.new_next_index(), b.batch_commitment(), b.to_cursor(), proof);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_proof_is_bound_to_its_new_root() {
    let mut scenario = create_for_vectors();
    let b = vectors::batch(0);
    settle_with(&mut scenario, b.new_root() ^ 1, b.new_next_index(), b.batch_commitment(), b.to_cursor(), b.proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_proof_is_bound_to_its_commitment() {
    let mut scenario = create_for_vectors();
    let b = vectors::batch(0);
    settle_with(&mut scenario, b.new_root(), b.new_next_index(), b.batch_commitment() ^ 1, b.to_cursor(), b.proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_proof_is_bound_to_its_next_index() {
    let mut scenario = create_for_vectors();
    let b = vectors::batch(0);
    settle_with(&mut scenario, b.new_root(), b.new_next_index() + 1, b.batch_commitment(), b.to_cursor(), b.proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_proof_is_bound_to_its_cursor_range() {
    let mut scenario = create_for_vectors();
    let b = vectors::batch(0);
    settle_with(&mut scenario, b.new_root(), b.new_next_index(), b.batch_commitment(), b.to_cursor() + 1, b.proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_proof_under_another_key_is_rejected() {
    let mut scenario = create_foreign(vectors::depth(), vectors::start_cursor(), WIDE_SPAN);
    settle_batch(&mut scenario, 0);
    scenario.end();
}

// === Rules checked before the proof ===

#[test, expected_failure(abort_code = registry::ECursorNotAdvancing)]
fun the_cursor_must_advance() {
    let mut scenario = create_foreign(8, cursor(10, 5), WIDE_SPAN);
    settle_with(&mut scenario, 1, 1, 1, cursor(10, 5), junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ECursorNotAdvancing)]
fun the_cursor_cannot_move_back() {
    let mut scenario = create_foreign(8, cursor(10, 5), WIDE_SPAN);
    settle_with(&mut scenario, 1, 1, 1, cursor(10, 4), junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ESpanTooLarge)]
fun a_batch_cannot_span_more_checkpoints_than_allowed() {
    let mut scenario = create_foreign(8, cursor(10, 5), 3);
    settle_with(&mut scenario, 1, 1, 1, cursor(14, 0), junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_batch_spanning_exactly_max_span_reaches_the_proof_check() {
    // Checkpoint 10 to checkpoint 13 is a span of 3, allowed; the junk proof then fails.
    let mut scenario = create_foreign(8, cursor(10, 5), 3);
    settle_with(&mut scenario, 1, 1, 1, cursor(13, 4294967295), junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ENonCanonical)]
fun a_new_root_at_the_field_modulus_is_rejected() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    settle_with(&mut scenario, indexed_merkle::field_modulus(), 1, 1, 1, junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ENonCanonical)]
fun a_commitment_at_the_field_modulus_is_rejected() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    settle_with(&mut scenario, 1, 1, indexed_merkle::field_modulus(), 1, junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ENextIndexRegressed)]
fun the_next_index_cannot_move_back() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    settle_with(&mut scenario, 1, 0, 1, 1, junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ETreeFull)]
fun the_next_index_cannot_pass_the_tree_capacity() {
    let mut scenario = create_foreign(4, 0, WIDE_SPAN);
    settle_with(&mut scenario, 1, 17, 1, 1, junk_proof());
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EInvalidProof)]
fun a_full_tree_is_still_a_valid_next_index() {
    // 16 = 2^4: every slot used; the capacity check passes and the junk proof fails.
    let mut scenario = create_foreign(4, 0, WIDE_SPAN);
    settle_with(&mut scenario, 1, 16, 1, 1, junk_proof());
    scenario.end();
}

// === Pause ===

#[test, expected_failure(abort_code = registry::EPaused)]
fun a_paused_registry_rejects_settlement() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    pause_as_admin(&mut scenario);
    settle_with(&mut scenario, 1, 1, 1, 1, junk_proof());
    scenario.end();
}

#[test]
fun an_unpaused_registry_settles_again() {
    let mut scenario = create_for_vectors();
    pause_as_admin(&mut scenario);
    let registry = scenario.take_shared<Registry>();
    assert!(registry.is_paused());
    ts::return_shared(registry);
    unpause_as_admin(&mut scenario);
    settle_batch(&mut scenario, 0);
    scenario.next_tx(SETTLER);
    let registry = scenario.take_shared<Registry>();
    assert!(!registry.is_paused());
    assert_eq!(registry.batch_count(), 1);
    ts::return_shared(registry);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EAlreadyPaused)]
fun pausing_twice_fails() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    pause_as_admin(&mut scenario);
    pause_as_admin(&mut scenario);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ENotPaused)]
fun unpausing_a_running_registry_fails() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    unpause_as_admin(&mut scenario);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::EWrongRegistry)]
fun an_admin_cap_only_controls_its_own_registry() {
    let mut scenario = ts::begin(ADMIN);
    let (admin_a, settler_a) = registry::create_registry(vectors::foreign_vk(), 8, 0, 10, TRACKING, scenario.ctx());
    let (admin_b, settler_b) = registry::create_registry(vectors::foreign_vk(), 8, 0, 10, TRACKING, scenario.ctx());
    let registry_b = registry::admin_cap_registry_id(&admin_b);
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared_by_id<Registry>(registry_b);
    registry.pause(&admin_a, scenario.ctx());
    ts::return_shared(registry);
    transfer::public_transfer(admin_a, ADMIN);
    transfer::public_transfer(admin_b, ADMIN);
    transfer::public_transfer(settler_a, SETTLER);
    transfer::public_transfer(settler_b, SETTLER);
    scenario.end();
}

// === Settler capability ===

#[test, expected_failure(abort_code = registry::EWrongRegistry)]
fun a_settler_cap_only_settles_its_own_registry() {
    let mut scenario = ts::begin(ADMIN);
    let (admin_a, settler_a) = registry::create_registry(vectors::foreign_vk(), 8, 0, 10, TRACKING, scenario.ctx());
    let (admin_b, settler_b) = registry::create_registry(vectors::foreign_vk(), 8, 0, 10, TRACKING, scenario.ctx());
    let registry_b = registry::admin_cap_registry_id(&admin_b);
    scenario.next_tx(SETTLER);
    let mut registry = scenario.take_shared_by_id<Registry>(registry_b);
    registry.settle(&settler_a, 1, 1, 1, 1, junk_proof(), scenario.ctx());
    ts::return_shared(registry);
    transfer::public_transfer(admin_a, ADMIN);
    transfer::public_transfer(admin_b, ADMIN);
    transfer::public_transfer(settler_a, SETTLER);
    transfer::public_transfer(settler_b, SETTLER);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ESettlerRevoked)]
fun a_replaced_settler_cap_is_revoked() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared<Registry>();
    let admin = scenario.take_from_sender<AdminCap>();
    let replacement = registry.replace_settler(&admin, scenario.ctx());
    assert_eq!(registry.settler_cap_id(), object::id(&replacement));
    transfer::public_transfer(replacement, OTHER);
    ts::return_shared(registry);
    scenario.return_to_sender(admin);
    scenario.next_tx(SETTLER);
    settle_with(&mut scenario, 1, 1, 1, 1, junk_proof());
    scenario.end();
}

#[test]
fun a_replacement_settler_cap_settles() {
    let mut scenario = create_for_vectors();
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared<Registry>();
    let admin = scenario.take_from_sender<AdminCap>();
    let replacement = registry.replace_settler(&admin, scenario.ctx());
    transfer::public_transfer(replacement, OTHER);
    ts::return_shared(registry);
    scenario.return_to_sender(admin);
    scenario.next_tx(OTHER);
    settle_batch(&mut scenario, 0);
    scenario.next_tx(OTHER);
    let registry = scenario.take_shared<Registry>();
    assert_eq!(registry.batch_count(), 1);
    ts::return_shared(registry);
    scenario.end();
}

#[test]
fun the_admin_can_change_the_span() {
    let mut scenario = create_foreign(8, 0, 3);
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared<Registry>();
    let admin = scenario.take_from_sender<AdminCap>();
    registry.set_max_span(&admin, 50);
    assert_eq!(registry.max_span(), 50);
    ts::return_shared(registry);
    scenario.return_to_sender(admin);
    scenario.end();
}

// === Key rotation ===

#[test]
fun a_rotation_applies_after_its_delay_and_the_new_key_settles() {
    // Start under the foreign key: batch 0 cannot settle (see a_proof_under_another_key_is_rejected).
    let mut scenario = create_foreign(vectors::depth(), vectors::start_cursor(), WIDE_SPAN);
    let new_tracking = b"track: all objects, v2";
    propose_as_admin(&mut scenario, vectors::vk(), new_tracking);
    scenario.next_tx(ADMIN);
    let registry = scenario.take_shared<Registry>();
    assert_eq!(registry.pending_rotation_epoch(), option::some(registry::rotation_delay_epochs()));
    // Nothing changes before the rotation is applied.
    assert_eq!(registry.vk_hash(), blake2b256(&vectors::foreign_vk()));
    ts::return_shared(registry);

    advance_epochs(&mut scenario, registry::rotation_delay_epochs());
    apply_rotation(&mut scenario);
    scenario.next_tx(SETTLER);
    let registry = scenario.take_shared<Registry>();
    assert_eq!(registry.vk_hash(), blake2b256(&vectors::vk()));
    assert_eq!(registry.tracking_config_hash(), blake2b256(&new_tracking));
    assert!(registry.pending_rotation_epoch().is_none());
    ts::return_shared(registry);

    scenario.next_tx(SETTLER);
    settle_batch(&mut scenario, 0);
    scenario.next_tx(SETTLER);
    let registry = scenario.take_shared<Registry>();
    assert_eq!(registry.root(), vectors::batch(0).new_root());
    ts::return_shared(registry);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ERotationNotDue)]
fun a_rotation_cannot_apply_in_its_proposal_epoch() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    propose_as_admin(&mut scenario, vectors::foreign_vk(), TRACKING);
    scenario.next_tx(OTHER);
    apply_rotation(&mut scenario);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ERotationNotDue)]
fun a_rotation_cannot_apply_one_epoch_early() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    propose_as_admin(&mut scenario, vectors::foreign_vk(), TRACKING);
    advance_epochs(&mut scenario, registry::rotation_delay_epochs() - 1);
    apply_rotation(&mut scenario);
    scenario.end();
}

#[test]
fun anyone_can_apply_a_due_rotation() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    propose_as_admin(&mut scenario, vectors::foreign_vk(), b"other tracking");
    advance_epochs(&mut scenario, registry::rotation_delay_epochs());
    scenario.next_tx(OTHER);
    apply_rotation(&mut scenario);
    let effects = scenario.next_tx(OTHER);
    assert_eq!(effects.num_user_events(), 1);
    let registry = scenario.take_shared<Registry>();
    assert_eq!(registry.tracking_config_hash(), blake2b256(&b"other tracking"));
    ts::return_shared(registry);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ERotationPending)]
fun a_second_proposal_waits_for_the_first() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    propose_as_admin(&mut scenario, vectors::foreign_vk(), TRACKING);
    propose_as_admin(&mut scenario, vectors::foreign_vk(), TRACKING);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ENoPendingRotation)]
fun a_cancelled_rotation_cannot_apply() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    propose_as_admin(&mut scenario, vectors::foreign_vk(), TRACKING);
    scenario.next_tx(ADMIN);
    let mut registry = scenario.take_shared<Registry>();
    let admin = scenario.take_from_sender<AdminCap>();
    registry.cancel_key_rotation(&admin);
    ts::return_shared(registry);
    scenario.return_to_sender(admin);
    advance_epochs(&mut scenario, registry::rotation_delay_epochs());
    apply_rotation(&mut scenario);
    scenario.end();
}

#[test, expected_failure(abort_code = registry::ENoPendingRotation)]
fun applying_without_a_proposal_fails() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    apply_rotation(&mut scenario);
    scenario.end();
}

#[test, expected_failure(abort_code = sui::groth16::EInvalidVerifyingKey)]
fun a_malformed_key_cannot_be_proposed() {
    let mut scenario = create_foreign(8, 0, WIDE_SPAN);
    propose_as_admin(&mut scenario, b"not a verifying key", TRACKING);
    scenario.end();
}

// === Proof checks against the registry ===

#[test]
fun the_registry_checks_proofs_against_recent_roots() {
    let mut scenario = create_foreign(vectors::tree_depth(), 0, WIDE_SPAN);
    let mut registry = scenario.take_shared<Registry>();
    // The empty tree is the current root: absence proofs against it hold.
    let mut i = 0;
    while (i < vectors::empty_tree_absence_count()) {
        assert!(registry_low_leaf_absence(&registry, &vectors::empty_tree_absence(i)));
        i = i + 1;
    };
    // Not yet settled: the vector tree's root is unknown to the registry.
    assert!(!registry_presence(&registry, &vectors::presence(0)));

    registry.record_root_for_testing(vectors::tree_root());
    i = 0;
    while (i < vectors::presence_count()) {
        assert!(registry_presence(&registry, &vectors::presence(i)));
        i = i + 1;
    };
    i = 0;
    while (i < vectors::low_leaf_absence_count()) {
        assert!(registry_low_leaf_absence(&registry, &vectors::low_leaf_absence(i)));
        i = i + 1;
    };
    i = 0;
    while (i < vectors::zero_leaf_absence_count()) {
        assert!(registry_zero_leaf_absence(&registry, &vectors::zero_leaf_absence(i)));
        assert!(!registry_presence(&registry, &vectors::zero_leaf_absence(i)));
        i = i + 1;
    };
    // The previous (empty) root is still recent.
    assert!(registry_low_leaf_absence(&registry, &vectors::empty_tree_absence(0)));
    // A present key has no zero-leaf absence proof.
    assert!(!registry_zero_leaf_absence(&registry, &vectors::presence(0)));
    ts::return_shared(registry);
    scenario.end();
}

#[test]
fun the_registry_rejects_paths_of_another_depth() {
    // One level deeper than the vector tree: the same proofs must not pass.
    let mut scenario = create_foreign(vectors::tree_depth() + 1, 0, WIDE_SPAN);
    let mut registry = scenario.take_shared<Registry>();
    registry.record_root_for_testing(vectors::tree_root());
    let p = vectors::presence(0);
    assert!(!registry_presence(&registry, &p));
    let mut longer = p.siblings();
    longer.push_back(0);
    assert!(!registry.verify_presence(
        p.root(), p.query_key(), p.leaf_value(), p.leaf_next_key(), p.leaf_next_index(), p.leaf_index(), longer,
    ));
    ts::return_shared(registry);
    scenario.end();
}

#[test]
fun roots_leave_the_ring_after_recent_roots_capacity_settlements() {
    let mut scenario = create_foreign(vectors::tree_depth(), 0, WIDE_SPAN);
    let mut registry = scenario.take_shared<Registry>();
    registry.record_root_for_testing(vectors::tree_root());
    let p = vectors::presence(0);
    let capacity = registry::recent_roots_capacity();
    // capacity - 1 later roots: the tree root is still among the last `capacity`.
    let mut k = 1;
    while (k < capacity) {
        registry.record_root_for_testing((k as u256));
        k = k + 1;
    };
    assert!(registry.is_recent_root(vectors::tree_root()));
    assert!(registry_presence(&registry, &p));
    // One more, and it is gone.
    registry.record_root_for_testing((capacity as u256));
    assert!(!registry.is_recent_root(vectors::tree_root()));
    assert!(!registry_presence(&registry, &p));
    assert_eq!(registry.recent_root_batch((capacity as u256)), option::some(capacity + 1));
    ts::return_shared(registry);
    scenario.end();
}
