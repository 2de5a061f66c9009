pragma circom 2.1.0;

// A few constraints with outputs, public and private inputs: enough to exercise every step
// of the trusted setup and the Sui byte formats (3 public signals: z, x, y) in seconds.
template Tiny() {
    signal input x;
    signal input y;
    signal input a;
    signal input b;
    signal output z;

    // x must factor as a * b.
    x === a * b;
    signal aa <== a * a;
    z <== aa + y * b;
}

component main {public [x, y]} = Tiny();
