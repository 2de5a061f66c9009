import { bcs } from "@mysten/sui/bcs";
import { describe, expect, it } from "vitest";
import { decodeChk } from "../../../indexer/decode/chk.ts";
import { CheckpointSummary } from "../../../indexer/decode/schema.ts";
import { loadFixtureCheckpoints } from "../../../indexer/decode/test-helpers.ts";
import type { CheckpointModel } from "../../../indexer/model.ts";
import { BlsEncodingError, parseBlsSignature } from "./bls.ts";
import { verifyCheckpointCertificate } from "./certificate.ts";
import { QUORUM_THRESHOLD } from "./committee.ts";
import { decodeRoaringBitmap } from "./roaring.ts";
import { describeAuditFailure, type AuditFailure } from "./result.ts";
import { CHECKPOINT_SUMMARY_INTENT, checkpointSigningMessage } from "./signing-message.ts";
import { encodeRoaringBitmap } from "./testing/roaring-writer.ts";
import { certify, forEpoch, makeTestCommittee, signSummary, type TestCommittee } from "./testing/test-committee.ts";

const fixtures = loadFixtureCheckpoints();
const decode = (name: string): CheckpointModel => {
  const file = fixtures.find((f) => f.name === name)!;
  return decodeChk(Uint8Array.from(file.bytes), name);
};
const real = decode("100000017.chk"); // epoch 638
const other = decode("100000177.chk"); // epoch 638 too

// Seven validators; 2000 + 1667 + 1501 + 1499 is exactly the quorum of 6667.
const STAKES = [2000n, 1667n, 1501n, 1499n, 1333n, 1000n, 1000n];
const seven = makeTestCommittee(638n, STAKES, "certificate-seven");
const intruders = makeTestCommittee(638n, STAKES, "certificate-intruders");
/** Committee indexes of the first validator with each stake, in the order given. */
const byStake = (test: TestCommittee, ...stakes: bigint[]): number[] => stakes.map((stake) => test.validators.findIndex((v) => v.stake === stake));

function failureOf(checkpoint: CheckpointModel, test: TestCommittee): AuditFailure {
  const result = verifyCheckpointCertificate(checkpoint, test.committee);
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error("unreachable");
  expect(result.failures).toHaveLength(1);
  const failure = result.failures[0]!;
  expect(failure.check).toBe("certificate");
  expect(failure.checkpoint).toBe(checkpoint.sequenceNumber);
  expect(describeAuditFailure(failure)).toContain(`checkpoint ${checkpoint.sequenceNumber}`);
  return failure;
}

describe("the real certificates, without their committee", () => {
  it.each(fixtures.map((f) => f.name))("%s: signature epoch, signers bitmap and signature point are well formed", (name) => {
    const checkpoint = decode(name);
    expect(checkpoint.signature.epoch).toBe(checkpoint.epoch);
    const signers = decodeRoaringBitmap(checkpoint.signature.signersMap);
    expect(signers.length).toBeGreaterThan(0);
    // A real aggregate is a G1 point in the prime-order subgroup; random bytes almost never are.
    expect(parseBlsSignature(checkpoint.signature.signature).is0()).toBe(false);
  });

  it("a flipped bit in a real signature no longer decodes as a subgroup point", () => {
    const bytes = Uint8Array.from(real.signature.signature);
    bytes[47]! ^= 1;
    expect(() => parseBlsSignature(bytes)).toThrow(BlsEncodingError);
  });

  it("builds the signed message as BCS(IntentMessage { intent: (2, 0, 0), value: summary }) ++ BCS(epoch)", () => {
    const Intent = bcs.struct("Intent", { scope: bcs.u8(), version: bcs.u8(), appId: bcs.u8() });
    const IntentMessage = bcs.struct("IntentMessage", { intent: Intent, value: CheckpointSummary });
    const summary = CheckpointSummary.parse(real.summaryBcs);
    const expected = new Uint8Array([
      ...IntentMessage.serialize({ intent: { scope: 2, version: 0, appId: 0 }, value: summary }).toBytes(),
      ...bcs.u64().serialize(real.signature.epoch).toBytes(),
    ]);
    expect(checkpointSigningMessage(real.summaryBcs, real.signature.epoch)).toEqual(expected);
    expect([...CHECKPOINT_SUMMARY_INTENT]).toEqual([2, 0, 0]);
    expect(expected.subarray(expected.length - 8)).toEqual(Uint8Array.of(0x7e, 0x02, 0, 0, 0, 0, 0, 0)); // 638
  });

  it("the real certificate does not verify under a committee that did not sign it", () => {
    // Its signers include indexes far beyond a committee of seven.
    expect(failureOf(real, seven).reason).toMatch(/signer index \d+ is out of range for a committee of 7/);
  });
});

describe("certificates from a generated committee over real summaries", () => {
  it("all signers: verifies, with the signers and their stake", () => {
    const result = verifyCheckpointCertificate(certify(real, seven), seven.committee);
    expect(result).toMatchObject({ ok: true, epoch: 638n, signers: [0, 1, 2, 3, 4, 5, 6], signedStake: 10_000n });
  });

  it("signers holding exactly the quorum verify; one less validator does not", () => {
    const quorum = byStake(seven, 2000n, 1667n, 1501n, 1499n);
    const ok = verifyCheckpointCertificate(certify(real, seven, { signers: quorum }), seven.committee);
    expect(ok).toMatchObject({ ok: true, signedStake: QUORUM_THRESHOLD });
    const short = byStake(seven, 2000n, 1667n, 1501n, 1333n); // 6501
    const failure = failureOf(certify(real, seven, { signers: short }), seven);
    expect(failure.field).toBe("auth_signature.signers_map");
    expect(failure).toMatchObject({ expected: "at least 6667", actual: "6501" });
  });

  it("6,666 of 10,000 is below the quorum, 6,667 reaches it", () => {
    const three = makeTestCommittee(638n, [3333n, 3333n, 3334n], "certificate-three");
    const [a, b] = byStake(three, 3333n, 3334n);
    const low = three.validators.findIndex((v, i) => v.stake === 3333n && i !== a);
    expect(failureOf(certify(real, three, { signers: [a!, low] }), three).actual).toBe("6666");
    expect(verifyCheckpointCertificate(certify(real, three, { signers: [a!, b!] }), three.committee).ok).toBe(true);
  });

  it("a forged signature fails: another summary's, a signer missing from the aggregate, keys outside the committee", () => {
    const anotherSummary = { ...real, signature: { ...real.signature, epoch: 638n, signature: signSummary(other.summaryBcs, 638n, seven.validators, [0, 1, 2, 3, 4, 5, 6]), signersMap: certify(real, seven).signature.signersMap } };
    expect(failureOf(anotherSummary, seven)).toMatchObject({ field: "auth_signature.signature" });

    const missing = certify(real, seven, { signers: [0, 1, 2, 3, 4, 5] });
    const claimsAll = { ...missing, signature: { ...missing.signature, signersMap: certify(real, seven).signature.signersMap } };
    expect(failureOf(claimsAll, seven).reason).toMatch(/does not verify/);

    const byIntruders = certify(real, intruders);
    expect(failureOf(byIntruders, seven).reason).toMatch(/aggregate signature of 7 signers does not verify/);
  });

  it("a signature that is not a G1 point fails as such", () => {
    const good = certify(real, seven);
    const garbage = { ...good, signature: { ...good.signature, signature: new Uint8Array(48).fill(0xaa) } };
    expect(failureOf(garbage, seven)).toMatchObject({ field: "auth_signature.signature" });
    expect(failureOf(garbage, seven).reason).toMatch(/not a valid BLS12-381 G1 signature/);
  });

  it("a wrong committee fails: other keys, or another epoch", () => {
    const signed = certify(real, seven);
    expect(failureOf(signed, intruders).reason).toMatch(/does not verify/);
    const next = forEpoch(seven, 639n);
    expect(failureOf(signed, next)).toMatchObject({ field: "auth_signature.epoch", expected: "638", actual: "639" });
  });

  it("a signature epoch other than the summary's fails, even under that epoch's committee", () => {
    const next = forEpoch(seven, 639n);
    const failure = failureOf(certify(real, next), next);
    expect(failure).toMatchObject({ field: "auth_signature.epoch", expected: "638", actual: "639" });
  });

  it("a signer index out of range fails", () => {
    const signed = certify(real, seven, { signersMap: encodeRoaringBitmap([0, 1, 2, 3, 4, 5, 6, 7]) });
    expect(failureOf(signed, seven).reason).toMatch(/signer index 7 is out of range for a committee of 7/);
  });

  it("a signer listed twice fails as an invalid bitmap", () => {
    // Cookie 12346, one array container of 8 values: 0 1 2 3 4 5 6 6.
    const values = [0, 1, 2, 3, 4, 5, 6, 6];
    const twice = new Uint8Array(16 + 2 * values.length);
    const view = new DataView(twice.buffer);
    view.setUint32(0, 12346, true);
    view.setUint32(4, 1, true);
    view.setUint16(10, values.length - 1, true);
    view.setUint32(12, 16, true);
    values.forEach((v, i) => view.setUint16(16 + 2 * i, v, true));
    const failure = failureOf(certify(real, seven, { signersMap: twice }), seven);
    expect(failure.field).toBe("auth_signature.signers_map");
    expect(failure.reason).toMatch(/not a valid roaring bitmap: array container value 6 is not above 6/);
  });

  it("a signer without voting power fails, as Sui's weight > 0 check does", () => {
    const withIdle = makeTestCommittee(638n, [5000n, 5000n, 0n], "certificate-idle");
    const idle = withIdle.validators.findIndex((v) => v.stake === 0n);
    expect(failureOf(certify(real, withIdle), withIdle).reason).toBe(`signer ${idle} has no voting power`);
  });

  it("a summary changed after signing fails", () => {
    const signed = certify(real, seven);
    const summaryBcs = Uint8Array.from(signed.summaryBcs);
    summaryBcs[123]! ^= 1;
    expect(failureOf({ ...signed, summaryBcs }, seven).reason).toMatch(/does not verify/);
  });
});
