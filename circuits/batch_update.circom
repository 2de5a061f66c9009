pragma circom 2.1.0;

include "lib/batch_slot.circom";
include "lib/cursor_range.circom";

// BatchUpdate(depth, B): applying up to B operations (inserts and updates, then trailing
// no-ops) to the indexed Merkle tree with root oldRoot and next free index oldNextIndex
// gives newRoot and newNextIndex, and batchCommitment is the Poseidon chain
// c0 = 0, c = Poseidon(c, key, value) over the real operations in order. The batch covers
// the stream positions [fromCursor, toCursor).
//
// Public inputs, in this order (the declaration order fixes the order in the witness):
// oldRoot, newRoot, oldNextIndex, newNextIndex, batchCommitment, fromCursor, toCursor.
// Each enters at least one constraint, so each is bound by the proof.
template BatchUpdate(depth, B) {
    assert(B >= 1);

    signal input oldRoot;
    signal input newRoot;
    signal input oldNextIndex;
    signal input newNextIndex;
    signal input batchCommitment;
    signal input fromCursor;
    signal input toCursor;

    signal input isInsert[B];
    signal input isUpdate[B];
    signal input key[B];
    signal input value[B];
    signal input leafIndex[B];
    signal input leafKey[B];
    signal input leafValue[B];
    signal input leafNextKey[B];
    signal input leafNextIndex[B];
    signal input leafSiblings[B][depth];
    signal input appendSiblings[B][depth];

    component slot[B];
    for (var i = 0; i < B; i++) {
        slot[i] = BatchSlot(depth);
        if (i == 0) {
            slot[i].root <== oldRoot;
            slot[i].nextIndex <== oldNextIndex;
            slot[i].commitment <== 0;
        } else {
            slot[i].root <== slot[i - 1].newRoot;
            slot[i].nextIndex <== slot[i - 1].newNextIndex;
            slot[i].commitment <== slot[i - 1].newCommitment;
        }
        slot[i].isInsert <== isInsert[i];
        slot[i].isUpdate <== isUpdate[i];
        slot[i].key <== key[i];
        slot[i].value <== value[i];
        slot[i].leafIndex <== leafIndex[i];
        slot[i].leafKey <== leafKey[i];
        slot[i].leafValue <== leafValue[i];
        slot[i].leafNextKey <== leafNextKey[i];
        slot[i].leafNextIndex <== leafNextIndex[i];
        slot[i].leafSiblings <== leafSiblings[i];
        slot[i].appendSiblings <== appendSiblings[i];
    }

    // No-ops only trail: a no-op is never followed by a real operation. This keeps the
    // commitment independent of B and of where padding sits.
    for (var i = 1; i < B; i++) {
        (1 - slot[i - 1].isReal) * slot[i].isReal === 0;
    }

    newRoot === slot[B - 1].newRoot;
    newNextIndex === slot[B - 1].newNextIndex;
    batchCommitment === slot[B - 1].newCommitment;

    component cursors = CursorRange();
    cursors.fromCursor <== fromCursor;
    cursors.toCursor <== toCursor;
}
