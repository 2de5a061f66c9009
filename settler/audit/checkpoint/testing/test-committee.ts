/**
 * Test support: committees of validators whose secret keys we hold, so tests can sign real
 * fixture summaries the way Sui validators do (min-sig over the intent message and epoch)
 * and aggregate the signers' signatures into a certificate.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { sha512 } from "@noble/hashes/sha2.js";
import type { CheckpointModel } from "../../../../indexer/model.ts";
import { MIN_SIG_DST } from "../bls.ts";
import { Committee, compareAuthorityNames } from "../committee.ts";
import { checkpointSigningMessage } from "../signing-message.ts";
import { encodeRoaringBitmap } from "./roaring-writer.ts";

const minSig = bls12_381.shortSignatures;

export interface TestValidator {
  secretKey: Uint8Array;
  /** 96-byte compressed G2 public key: the authority name. */
  authorityName: Uint8Array;
  stake: bigint;
}

export interface TestCommittee {
  committee: Committee;
  /** In committee (bitmap) order. */
  validators: TestValidator[];
}

/** Deterministic keys from a label, so failures reproduce. */
export function makeTestCommittee(epoch: bigint, stakes: readonly bigint[], label: string): TestCommittee {
  const validators = stakes
    .map((stake, i) => {
      const seed = sha512(new TextEncoder().encode(`${label}/${i}`)).subarray(0, minSig.lengths.seed);
      const { secretKey, publicKey } = minSig.keygen(seed);
      return { secretKey, authorityName: publicKey.toBytes(), stake };
    })
    .sort((a, b) => compareAuthorityNames(a.authorityName, b.authorityName));
  return { committee: Committee.create(epoch, validators), validators };
}

/** The same keys for another epoch (a committee that did not change). */
export function forEpoch(test: TestCommittee, epoch: bigint): TestCommittee {
  return { committee: Committee.create(epoch, test.validators), validators: test.validators };
}

/** Aggregate signature of `signers` (committee indexes) over the summary bytes and epoch. */
export function signSummary(summaryBcs: Uint8Array, epoch: bigint, validators: readonly TestValidator[], signers: readonly number[]): Uint8Array {
  const hashed = minSig.hash(checkpointSigningMessage(summaryBcs, epoch), MIN_SIG_DST);
  const signatures = signers.map((i) => minSig.sign(hashed, validators[i]!.secretKey));
  return minSig.Signature.toBytes(minSig.aggregateSignatures(signatures));
}

export interface CertifyOptions {
  /** Committee indexes that sign; default all. */
  signers?: readonly number[];
  /** Signers map to publish instead of the one matching `signers`. */
  signersMap?: Uint8Array;
  /** Epoch in the signature (and appended to the message); default the committee's. */
  epoch?: bigint;
}

/** The checkpoint with its certificate replaced by one from `test`'s validators. */
export function certify(checkpoint: CheckpointModel, test: TestCommittee, options: CertifyOptions = {}): CheckpointModel {
  const signers = options.signers ?? test.validators.map((_, i) => i);
  const epoch = options.epoch ?? test.committee.epoch;
  return {
    ...checkpoint,
    signature: {
      epoch,
      signature: signSummary(checkpoint.summaryBcs, epoch, test.validators, signers),
      signersMap: options.signersMap ?? encodeRoaringBitmap(signers),
    },
  };
}
