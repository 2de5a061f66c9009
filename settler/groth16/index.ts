/**
 * Sui's Groth16 byte formats (BN254, arkworks compressed) and a verifier over exactly those
 * bytes. See verifier.ts for the check, sui-format.ts for the layouts, snarkjs.ts for the
 * conversion from snarkjs JSON.
 */
export { parseHex, toHex } from "./bytes.ts";
export { FIELD_MODULUS, SCALAR_MODULUS, type G1Point, type G2Point, type Gt } from "./curve.ts";
export { decodeG1, decodeG2, decodeGt, decodeScalar, encodeG1, encodeG2, encodeGt, encodeScalar } from "./arkworks.ts";
export {
  MAX_PUBLIC_INPUTS,
  PROOF_BYTES,
  decodePreparedVerifyingKey,
  decodeProof,
  decodePublicInputs,
  decodeVerifyingKey,
  encodePreparedVerifyingKey,
  encodeProof,
  encodePublicInputs,
  encodeVerifyingKey,
  shapeProblems,
  verifyingKeyLength,
  type Groth16Argument,
  type ShapeProblem,
  type PreparedVerifyingKeyBytes,
  type PreparedVerifyingKeyPoints,
  type ProofPoints,
  type VerifyingKeyPoints,
} from "./sui-format.ts";
export {
  checkGroth16,
  checkGroth16Prepared,
  prepareVerifyingKey,
  verifyGroth16,
  verifyGroth16Prepared,
  type Groth16Bytes,
  type Groth16Verdict,
  type PreparedGroth16Bytes,
} from "./verifier.ts";
export {
  g1FromSnarkjs,
  g1ToSnarkjs,
  g2FromSnarkjs,
  g2ToSnarkjs,
  proofFromSnarkjs,
  publicSignalsFromSnarkjs,
  snarkjsProofToSui,
  snarkjsPublicSignalsToSui,
  snarkjsVerificationKeyToSui,
  verificationKeyFromSnarkjs,
} from "./snarkjs.ts";
