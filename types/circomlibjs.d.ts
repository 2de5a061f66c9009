/**
 * The parts of circomlibjs (untyped JavaScript) that sui-zk-indexer uses.
 */
declare module "circomlibjs" {
  /** A BN254 scalar-field element in circomlibjs's internal (Montgomery) byte form. */
  export type FieldElementBytes = Uint8Array;

  export interface PoseidonField {
    /** Converts an internal element to its canonical integer. */
    toObject(element: FieldElementBytes): bigint;
    /** Converts an integer to an internal element (reducing it modulo r: check first). */
    e(value: bigint | number | string): FieldElementBytes;
  }

  export interface PoseidonFunction {
    /** Poseidon over 1 to 16 inputs, circomlib's parameters. Inputs are reduced modulo r. */
    (inputs: ReadonlyArray<bigint | number | FieldElementBytes>): FieldElementBytes;
    F: PoseidonField;
  }

  export function buildPoseidon(): Promise<PoseidonFunction>;
}
