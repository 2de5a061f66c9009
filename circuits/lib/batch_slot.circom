pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "less_than_254.circom";
include "merkle_root.circom";

// BatchSlot(depth): one slot of a batch on the indexed Merkle tree: an insert, an update
// or a no-op, applied to the running (root, nextIndex, commitment).
//
// Leaf = Poseidon(key, value, nextKey, nextIndex); empty slot = 0; nextKey 0 = +infinity.
//
// - update (isUpdate = 1): the leaf at leafIndex holds `key` (leafKey = key, key != 0, so
//   never the sentinel); its value becomes `value`. Uses leafSiblings only.
// - insert (isInsert = 1): the leaf at leafIndex is the low leaf, leafKey < key <
//   leafNextKey (or leafNextKey = 0), which proves key absent from the sorted list. The
//   low leaf then points to (key, nextIndex); the new leaf (key, value, leafNextKey,
//   leafNextIndex) is written into the empty slot at exactly nextIndex, which must be
//   below 2^depth. appendSiblings are the siblings of that slot after the low-leaf write.
// - no-op (both 0): root, nextIndex and commitment pass through unchanged, whatever the
//   other slot inputs hold (they then enter no constraint that matters, so they are
//   unconstrained on purpose and the witness sets them to 0).
template BatchSlot(depth) {
    assert(depth >= 1 && depth <= 64);

    signal input root;
    signal input nextIndex;
    signal input commitment;

    signal input isInsert;
    signal input isUpdate;
    signal input key;
    signal input value;

    signal input leafIndex;
    signal input leafKey;
    signal input leafValue;
    signal input leafNextKey;
    signal input leafNextIndex;
    signal input leafSiblings[depth];
    signal input appendSiblings[depth];

    signal output isReal;
    signal output newRoot;
    signal output newNextIndex;
    signal output newCommitment;

    // --- operation kind: two booleans, never both; no-op = neither.
    isInsert * (isInsert - 1) === 0;
    isUpdate * (isUpdate - 1) === 0;
    isInsert * isUpdate === 0;
    isReal <== isInsert + isUpdate;

    // --- key order, on strict 254-bit decompositions (keys are full field elements).
    component keyBits = Num2Bits_strict();
    keyBits.in <== key;
    component leafKeyBits = Num2Bits_strict();
    leafKeyBits.in <== leafKey;
    component leafNextKeyBits = Num2Bits_strict();
    leafNextKeyBits.in <== leafNextKey;

    component lowBelowKey = LessThanBits254();
    lowBelowKey.a <== leafKeyBits.out;
    lowBelowKey.b <== keyBits.out;

    component keyBelowNext = LessThanBits254();
    keyBelowNext.a <== keyBits.out;
    keyBelowNext.b <== leafNextKeyBits.out;

    component nextIsInfinity = IsZero();
    nextIsInfinity.in <== leafNextKey;

    component keyIsZero = IsZero();
    keyIsZero.in <== key;

    // insert: leafKey < key
    isInsert * (1 - lowBelowKey.out) === 0;
    // insert: key < leafNextKey unless leafNextKey = 0 (+infinity)
    signal insertNotBelowNext;
    insertNotBelowNext <== isInsert * (1 - keyBelowNext.out);
    insertNotBelowNext * (1 - nextIsInfinity.out) === 0;
    // update: the leaf holds this very key
    isUpdate * (leafKey - key) === 0;
    // key 0 belongs to the sentinel: no real operation may touch it as its own key
    isReal * keyIsZero.out === 0;

    // --- first write: the updated leaf, or the low leaf of an insert.
    component leafIndexBits = Num2Bits(depth);
    leafIndexBits.in <== leafIndex;

    component oldLeaf = Poseidon(4);
    oldLeaf.inputs[0] <== leafKey;
    oldLeaf.inputs[1] <== leafValue;
    oldLeaf.inputs[2] <== leafNextKey;
    oldLeaf.inputs[3] <== leafNextIndex;

    signal rewrittenValue;
    rewrittenValue <== leafValue + isUpdate * (value - leafValue);
    signal rewrittenNextKey;
    rewrittenNextKey <== leafNextKey + isInsert * (key - leafNextKey);
    signal rewrittenNextIndex;
    rewrittenNextIndex <== leafNextIndex + isInsert * (nextIndex - leafNextIndex);

    component rewrittenLeaf = Poseidon(4);
    rewrittenLeaf.inputs[0] <== leafKey;
    rewrittenLeaf.inputs[1] <== rewrittenValue;
    rewrittenLeaf.inputs[2] <== rewrittenNextKey;
    rewrittenLeaf.inputs[3] <== rewrittenNextIndex;

    component oldPath = MerkleRoot(depth);
    oldPath.leaf <== oldLeaf.out;
    oldPath.pathBits <== leafIndexBits.out;
    oldPath.siblings <== leafSiblings;

    component rewrittenPath = MerkleRoot(depth);
    rewrittenPath.leaf <== rewrittenLeaf.out;
    rewrittenPath.pathBits <== leafIndexBits.out;
    rewrittenPath.siblings <== leafSiblings;

    // The leaf is in the current tree (its hash is never 0, so it is an occupied slot).
    isReal * (oldPath.root - root) === 0;
    signal midRoot;
    midRoot <== root + isReal * (rewrittenPath.root - root);

    // --- second write (insert only): the new leaf into the empty slot at nextIndex.
    // For other slots the index is 0, so a full tree (nextIndex = 2^depth) still takes
    // updates; for an insert Num2Bits(depth) is the nextIndex < 2^depth check.
    signal appendIndex;
    appendIndex <== isInsert * nextIndex;
    component appendIndexBits = Num2Bits(depth);
    appendIndexBits.in <== appendIndex;

    component appendedLeaf = Poseidon(4);
    appendedLeaf.inputs[0] <== key;
    appendedLeaf.inputs[1] <== value;
    appendedLeaf.inputs[2] <== leafNextKey;
    appendedLeaf.inputs[3] <== leafNextIndex;

    component emptyPath = MerkleRoot(depth);
    emptyPath.leaf <== 0;
    emptyPath.pathBits <== appendIndexBits.out;
    emptyPath.siblings <== appendSiblings;

    component appendPath = MerkleRoot(depth);
    appendPath.leaf <== appendedLeaf.out;
    appendPath.pathBits <== appendIndexBits.out;
    appendPath.siblings <== appendSiblings;

    isInsert * (emptyPath.root - midRoot) === 0;
    newRoot <== midRoot + isInsert * (appendPath.root - midRoot);
    newNextIndex <== nextIndex + isInsert;

    // --- commitment chain over real operations: c = Poseidon(c, key, value).
    component chain = Poseidon(3);
    chain.inputs[0] <== commitment;
    chain.inputs[1] <== key;
    chain.inputs[2] <== value;
    newCommitment <== commitment + isReal * (chain.out - commitment);
}
