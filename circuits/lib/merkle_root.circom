pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// MerkleRoot(depth): the root of a binary Poseidon tree given a leaf, its path bits and
// its siblings. Level 0 is the leaf level; inner node = Poseidon(left, right).
//
// pathBits[i] is bit i of the leaf index (least significant first): 1 means the running
// node is the right child at level i. The caller MUST constrain pathBits to be boolean
// (they come from Num2Bits), since a non-boolean bit would blend node and sibling.
template MerkleRoot(depth) {
    signal input leaf;
    signal input pathBits[depth];
    signal input siblings[depth];
    signal output root;

    signal node[depth + 1];
    // swap = bit * (sibling - node): one multiplication orders both children.
    signal swap[depth];
    component hash[depth];

    node[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        swap[i] <== pathBits[i] * (siblings[i] - node[i]);
        hash[i] = Poseidon(2);
        hash[i].inputs[0] <== node[i] + swap[i];
        hash[i].inputs[1] <== siblings[i] - swap[i];
        node[i + 1] <== hash[i].out;
    }
    root <== node[depth];
}
