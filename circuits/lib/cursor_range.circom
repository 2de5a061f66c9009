pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

// CursorRange: fromCursor < toCursor, both below 2^64 (Move passes them as u64).
//
// Besides the check itself, this is what binds the two public cursors to the proof: a
// public input that appears in no constraint gets a zero verifying-key point in Groth16,
// and the proof would then verify for any value of it.
//
// from < 2^64, to < 2^64 and to - from - 1 in [0, 2^64) together mean from < to as
// integers: with both below 2^64 < r, to - from - 1 can only wrap around the field (and
// land far above 2^64) when to <= from.
template CursorRange() {
    signal input fromCursor;
    signal input toCursor;

    // Only the range checks matter, not the bits themselves: `_` discards them.
    _ <== Num2Bits(64)(fromCursor);
    _ <== Num2Bits(64)(toCursor);
    _ <== Num2Bits(64)(toCursor - fromCursor - 1);
}
