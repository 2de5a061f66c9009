import { describe, expect, it } from "vitest";
import { decodeChk } from "../../../indexer/decode/chk.ts";
import { loadFixtureCheckpoints } from "../../../indexer/decode/test-helpers.ts";
import type { CheckpointModel } from "../../../indexer/model.ts";
import { createCheckpointVerifier, verifyCheckpointChain } from "./checkpoint-chain.ts";
import { committeeFromEndOfEpoch, createCommitteeChain, trustedCommitteeFromCheckpoint } from "./committee-chain.ts";
import { verifyCheckpointContinuity } from "./continuity.ts";
import { assertAudited, describeAuditFailure, digestText, type AuditFailure, type AuditResult } from "./result.ts";
import { endOfEpochData, rewriteSummary } from "./testing/rewrite-summary.ts";
import { certify, forEpoch, makeTestCommittee } from "./testing/test-committee.ts";

const fixtures = loadFixtureCheckpoints();
const decode = (name: string): CheckpointModel => {
  const file = fixtures.find((f) => f.name === name)!;
  return decodeChk(Uint8Array.from(file.bytes), name);
};

// Epoch 638's committee (generated), and the one it hands over to for 639.
const epoch638 = makeTestCommittee(638n, [3000n, 2500n, 2000n, 1500n, 1000n], "chain-638");
const epoch639 = makeTestCommittee(639n, [2200n, 2000n, 1800n, 1600n, 1400n, 1000n], "chain-639");

/**
 * Two real summaries made consecutive: 100000017 becomes the last checkpoint of epoch 638,
 * announcing epoch639's committee; 100000177 becomes the first of epoch 639 and links to it.
 */
function makeEndOfEpoch(announce = epoch639.validators as readonly { authorityName: Uint8Array; stake: bigint }[]): CheckpointModel {
  return rewriteSummary(decode("100000017.chk"), (s) => ({ ...s, endOfEpochData: endOfEpochData(announce) }));
}
function makeFirstOfNext(previous: CheckpointModel, edit: Partial<{ epoch: bigint; sequence: bigint; previousDigest: Uint8Array; total: bigint }> = {}): CheckpointModel {
  const base = decode("100000177.chk");
  return rewriteSummary(base, (s) => ({
    ...s,
    epoch: edit.epoch ?? previous.epoch + 1n,
    sequenceNumber: edit.sequence ?? previous.sequenceNumber + 1n,
    previousDigest: edit.previousDigest ?? previous.digest,
    networkTotalTransactions: edit.total ?? previous.networkTotalTransactions + BigInt(base.transactions.length),
  }));
}

const endOfEpoch = certify(makeEndOfEpoch(), epoch638);
const firstOf639 = certify(makeFirstOfNext(endOfEpoch), epoch639);

function failures<T extends object>(result: AuditResult<T>): AuditFailure[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.failures;
}

describe("committee chain", () => {
  it("adopts the next committee once the end-of-epoch certificate verifies", () => {
    const chain = createCommitteeChain(epoch638.committee);
    expect(chain.committee(639n)).toBeNull();
    const step = assertAudited(chain.advance(endOfEpoch));
    expect(step.committee.equals(epoch639.committee)).toBe(true);
    expect(step.certificate.signedStake).toBe(10_000n);
    expect(chain.latest.epoch).toBe(639n);
    expect(chain.committee(639n)!.equals(epoch639.committee)).toBe(true);
    expect(chain.committee(638n)).toBe(epoch638.committee);
    // The same checkpoint again is harmless.
    expect(chain.advance(endOfEpoch).ok).toBe(true);
  });

  it("the synthetic end-of-epoch checkpoint's digest chain still holds", () => {
    expect(endOfEpoch.endOfEpochData?.nextEpochCommittee).toHaveLength(6);
    expect(verifyCheckpointContinuity(endOfEpoch, firstOf639)).toEqual({ ok: true });
  });

  it("does not advance on a bad certificate, and the chain stays where it was", () => {
    const chain = createCommitteeChain(epoch638.committee);
    const forged = certify(makeEndOfEpoch(), makeTestCommittee(638n, [3000n, 2500n, 2000n, 1500n, 1000n], "chain-forger"));
    const failure = failures(chain.advance(forged))[0]!;
    expect(failure).toMatchObject({ check: "certificate", field: "auth_signature.signature", checkpoint: 100000017n });
    expect(chain.latest.epoch).toBe(638n);
    expect(chain.committee(639n)).toBeNull();
  });

  it("does not advance on a checkpoint that ends no epoch, or one outside the chain", () => {
    const chain = createCommitteeChain(epoch638.committee);
    const plain = certify(decode("100000177.chk"), epoch638);
    expect(failures(chain.advance(plain))[0]).toMatchObject({ check: "committee", field: "checkpoint_summary.end_of_epoch_data" });
    const later = createCommitteeChain(forEpoch(epoch638, 700n).committee);
    expect(failures(later.advance(endOfEpoch))[0]!.reason).toMatch(/no verified committee for epoch 638: the chain covers epochs 700 to 700/);
  });

  it("refuses an announced committee that is not a valid Sui committee", () => {
    const chain = createCommitteeChain(epoch638.committee);
    const short = epoch639.validators.filter((v) => v.stake !== 2200n); // 7800 of 10000
    const failure = failures(chain.advance(certify(makeEndOfEpoch(short), epoch638)))[0]!;
    expect(failure).toMatchObject({ check: "committee", field: "checkpoint_summary.end_of_epoch_data.next_epoch_committee" });
    expect(failure.reason).toMatch(/total stake is 7800, expected 10000/);
  });

  it("refuses a second, different end-of-epoch checkpoint for an epoch already passed", () => {
    const chain = createCommitteeChain(epoch638.committee);
    assertAudited(chain.advance(endOfEpoch));
    const rival = certify(makeEndOfEpoch(makeTestCommittee(639n, [10_000n], "chain-rival").validators), epoch638);
    const failure = failures(chain.advance(rival))[0]!;
    expect(failure).toMatchObject({ field: "digest", expected: digestText(endOfEpoch.digest), actual: digestText(rival.digest) });
  });

  it("reads the committee of a trusted end-of-epoch checkpoint, pinned by digest", () => {
    const trusted = trustedCommitteeFromCheckpoint(endOfEpoch, { digest: digestText(endOfEpoch.digest) });
    expect(trusted.equals(epoch639.committee)).toBe(true);
    expect(() => trustedCommitteeFromCheckpoint(endOfEpoch, { digest: firstOf639.digest })).toThrow(/another digest/);
    expect(() => trustedCommitteeFromCheckpoint(firstOf639)).toThrow(/no valid committee/);
    expect(committeeFromEndOfEpoch(firstOf639).ok).toBe(false);
  });
});

describe("checkpoint chain", () => {
  it("verifies certificates, contents and links across an epoch change", async () => {
    const result = await verifyCheckpointChain([endOfEpoch, firstOf639], { committees: createCommitteeChain(epoch638.committee) });
    expect(result).toMatchObject({ ok: true, checkpoints: 2 });
    expect(result.ok && result.last).toBe(firstOf639);
  });

  it("reports each checkpoint as it verifies, with the committee handed over", () => {
    const verifier = createCheckpointVerifier({ committees: createCommitteeChain(epoch638.committee) });
    const first = assertAudited(verifier.verify(endOfEpoch));
    expect(first.nextCommittee!.equals(epoch639.committee)).toBe(true);
    const second = assertAudited(verifier.verify(firstOf639));
    expect(second).toMatchObject({ checkpoint: 100000018n, epoch: 639n, signedStake: 10_000n, nextCommittee: null });
    expect(verifier.last).toBe(firstOf639);
  });

  it("a chain broken by a bad end-of-epoch certificate fails there, and the next epoch has no committee", async () => {
    const forged = certify(makeEndOfEpoch(), makeTestCommittee(638n, [10_000n], "chain-forger-2"));
    const next = certify(makeFirstOfNext(forged), epoch639);
    const result = await verifyCheckpointChain([forged, next], { committees: createCommitteeChain(epoch638.committee) });
    const failure = failures(result)[0]!;
    expect(describeAuditFailure(failure)).toMatch(/^checkpoint 100000017: certificate check failed at auth_signature/);

    const skipping = createCheckpointVerifier({ committees: createCommitteeChain(epoch638.committee), previous: forged });
    expect(failures(skipping.verify(next))[0]!.reason).toMatch(/no verified committee for epoch 639/);
  });

  it("the new epoch signed by the old committee fails", async () => {
    const wrongSigners = certify(makeFirstOfNext(endOfEpoch), forEpoch(epoch638, 639n));
    const result = await verifyCheckpointChain([endOfEpoch, wrongSigners], { committees: createCommitteeChain(epoch638.committee) });
    expect(failures(result)[0]).toMatchObject({ checkpoint: 100000018n, check: "certificate", field: "auth_signature.signature" });
  });

  it("links that do not hold are named: previous digest, sequence gap, epoch, transaction total", async () => {
    const cases: Array<[Parameters<typeof makeFirstOfNext>[1], string]> = [
      [{ previousDigest: new Uint8Array(32).fill(9) }, "checkpoint_summary.previous_digest"],
      [{ sequence: 100000019n }, "checkpoint_summary.sequence_number"],
      [{ epoch: 638n }, "checkpoint_summary.epoch"],
      [{ total: endOfEpoch.networkTotalTransactions + 1000n }, "checkpoint_summary.network_total_transactions"],
    ];
    for (const [edit, field] of cases) {
      const epoch = edit?.epoch ?? 639n;
      const broken = certify(makeFirstOfNext(endOfEpoch, edit), epoch === 638n ? epoch638 : epoch639);
      const link = failures(verifyCheckpointContinuity(endOfEpoch, broken));
      expect(link.map((f) => f.field)).toEqual([field]);
      expect(link[0]!.check).toBe("continuity");
      const result = await verifyCheckpointChain([endOfEpoch, broken], { committees: createCommitteeChain(epoch638.committee) });
      expect(failures(result).some((f) => f.field === field && f.checkpoint === broken.sequenceNumber)).toBe(true);
    }
  });

  it("a tampered checkpoint in the middle of a chain is named", async () => {
    const tampered = certify(makeFirstOfNext(endOfEpoch), epoch639);
    tampered.transactions[0]!.effectsBcs[10]! ^= 1;
    const result = await verifyCheckpointChain([endOfEpoch, tampered], { committees: createCommitteeChain(epoch638.committee) });
    const failure = failures(result)[0]!;
    expect(failure).toMatchObject({ check: "contents", checkpoint: 100000018n, field: "transactions[0].effects", transactionIndex: 0 });
  });
});
