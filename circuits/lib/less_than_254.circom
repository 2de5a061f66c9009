pragma circom 2.1.0;

include "circomlib/circuits/comparators.circom";

// LessThanBits254: out = 1 when a < b, else 0, for two field elements given as their
// 254-bit decompositions (least significant bit first).
//
// The caller MUST pass strict decompositions (Num2Bits_strict), so that every field
// element has exactly one bit pattern; otherwise x and x + r (when below 2^254) would
// compare differently. circomlib's LessThan(n) is limited to n <= 252 because it
// range-checks in[0] + 2^n - in[1], which overflows the field for wider inputs; here the
// bits are split into two 127-bit limbs, each compared with LessThan(127), and the
// results combined lexicographically: a < b iff hi(a) < hi(b), or hi(a) = hi(b) and
// lo(a) < lo(b).
template LessThanBits254() {
    signal input a[254];
    signal input b[254];
    signal output out;

    // Limbs are linear combinations of boolean bits, so each is below 2^127, which is
    // what LessThan(127) requires of its inputs.
    var aLo = 0;
    var aHi = 0;
    var bLo = 0;
    var bHi = 0;
    var e = 1;
    for (var i = 0; i < 127; i++) {
        aLo += a[i] * e;
        aHi += a[i + 127] * e;
        bLo += b[i] * e;
        bHi += b[i + 127] * e;
        e += e;
    }

    component hiLess = LessThan(127);
    hiLess.in[0] <== aHi;
    hiLess.in[1] <== bHi;

    component hiEqual = IsEqual();
    hiEqual.in[0] <== aHi;
    hiEqual.in[1] <== bHi;

    component loLess = LessThan(127);
    loLess.in[0] <== aLo;
    loLess.in[1] <== bLo;

    // hiLess and hiEqual are never both 1, so the sum is boolean.
    out <== hiLess.out + hiEqual.out * loLess.out;
}
