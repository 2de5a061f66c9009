import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCommon } from "../../../common/context.ts";
import { decodeChk } from "../../../indexer/decode/chk.ts";
import { encodeChk } from "../../../indexer/decode/chk-writer.ts";
import { checkpointFileName } from "../../../indexer/decode/file.ts";
import { localFolderSource } from "../../../indexer/sources/local-folder.ts";
import { ensureDevSetup } from "../../prover/dev-setup.ts";
import type { SetupArtifacts } from "../../prover/setup-artifacts.ts";
import { changesOfCheckpoint } from "../../stream/checkpoint-changes.ts";
import { normalizeTrackingConfig, trackingConfigBytes } from "../../tracking/config.ts";
import { createTrackingFilter } from "../../tracking/filter.ts";
import { buildBatch } from "../../tree/batch.ts";
import { encodeCursor } from "../../tree/cursor.ts";
import { objectKey } from "../../tree/object-encoding.ts";
import { rowValue } from "../../stream/change-value.ts";
import { createIndexedMerkleTree } from "../../tree/indexed-merkle-tree.ts";
import { loadPoseidon, type Poseidon } from "../../tree/poseidon.ts";
import { emptyRoot } from "../../tree/tree-hash.ts";
import { makeTestCommittee, certify } from "../checkpoint/testing/test-committee.ts";
import { auditRegistry, describeSettlementFailure, formatSettlementTable, type SettlementReport } from "./index.ts";
import type { RegistryCreation, SettlementWrite } from "./testing/chain-writer.ts";
import {
  generateData,
  planBatches,
  proveHonestBatch,
  settlementOf,
  writeHistory,
  type DataSet,
  type HonestBatch,
  type WrittenHistory,
} from "./testing/settled-history.ts";

const DEPTH = 2;
const B = 1;
const FIRST = 5_000n;
const work = mkdtempSync(join(tmpdir(), "settlement-audit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const tracking = normalizeTrackingConfig({
  kind: "filter",
  types: ["0x2::clock::Clock", "0x2::random::Random"],
  packages: [],
  owners: [],
});

let poseidon: Poseidon;
let artifacts: SetupArtifacts;
let data: DataSet;
let creation: RegistryCreation;
let honest: HonestBatch[];
let settlements: SettlementWrite[];
/** The last batch built from a doctored change list (a dishonest settler), proven. */
let doctored: SettlementWrite;
/** The last batch starting one row after the previous one ended, proven. */
let gapped: SettlementWrite;

const endCursor = (): bigint => encodeCursor(data.last + 1n, 0n);

/** Rebuilds the tree through every honest batch before the last one. */
async function treeBeforeLast() {
  const tree = await createIndexedMerkleTree({ depth: DEPTH, poseidon });
  const filter = createTrackingFilter(tracking, (id) => id);
  const rows = data.checkpoints.flatMap(changesOfCheckpoint);
  const all = planBatches(tree, filter, rows, { batchSize: B, fromCursor: encodeCursor(FIRST, 0n), endCursor: honest.at(-2)!.toCursor });
  expect(all.length).toBe(honest.length - 1);
  return tree;
}

beforeAll(async () => {
  poseidon = await loadPoseidon();
  artifacts = await ensureDevSetup({ depth: DEPTH, batchSize: B });
  data = await generateData(join(work, "data"), FIRST, 3, 11);
  creation = {
    vk: artifacts.vk,
    depth: DEPTH,
    startCursor: encodeCursor(FIRST, 0n),
    maxSpan: 10n,
    trackingConfig: trackingConfigBytes(tracking),
    emptyRoot: emptyRoot(poseidon, DEPTH),
  };
  const tree = await createIndexedMerkleTree({ depth: DEPTH, poseidon });
  const filter = createTrackingFilter(tracking, (id) => id);
  const rows = data.checkpoints.flatMap(changesOfCheckpoint);
  honest = planBatches(tree, filter, rows, { batchSize: B, fromCursor: creation.startCursor, endCursor: endCursor() });
  settlements = [];
  for (const batch of honest) settlements.push(settlementOf(batch, await proveHonestBatch(artifacts, batch.built)));

  // A dishonest last batch: the settler commits to a state Sui never produced.
  const last = honest.at(-1)!;
  const forgedTree = await treeBeforeLast();
  const forgedChanges = last.changes.map((c, i) => (i === 0 ? { key: c.key, value: poseidon.hash([c.value, 1n]) } : c));
  const forged = buildBatch(forgedTree, forgedChanges, { batchSize: B, fromCursor: last.fromCursor, toCursor: last.toCursor });
  doctored = settlementOf({ ...last, built: forged }, await proveHonestBatch(artifacts, forged));

  // A last batch that skips the first row after the previous batch (a change never settled).
  const gapTree = await treeBeforeLast();
  const gapFrom = last.fromCursor + 1n;
  const gapChanges = rows
    .filter((r) => r.cursor >= gapFrom && r.cursor < last.toCursor)
    .map((r) => ({ key: objectKey(poseidon, r.objectId), value: rowValue(poseidon, filter, r) }));
  const gap = buildBatch(gapTree, gapChanges, { batchSize: B, fromCursor: gapFrom, toCursor: last.toCursor });
  gapped = settlementOf({ ...last, fromCursor: gapFrom, built: gap }, await proveHonestBatch(artifacts, gap));
}, 600_000);

function history(name: string, writes: readonly SettlementWrite[]): WrittenHistory {
  return writeHistory(join(work, name), data, creation, writes);
}

async function audit(h: WrittenHistory, options: { from?: bigint; to?: bigint; registryId?: string } = {}): Promise<SettlementReport> {
  return auditRegistry(createTestCommon(), {
    source: localFolderSource(h.dir),
    registryId: options.registryId ?? h.registryId,
    fromCheckpoint: options.from ?? FIRST,
    toCheckpoint: options.to ?? h.last,
    poseidon,
  });
}

describe("verify --registry: settlements found in checkpoints and held to proofs and data", () => {
  it("the test history exercises several batches, one ending inside a checkpoint", () => {
    expect(honest.length).toBeGreaterThanOrEqual(3);
    expect(honest.some((b) => (b.toCursor & 0xffffffffn) !== 0n)).toBe(true);
  });

  it("passes a clean history and prints one line per batch", async () => {
    const h = history("clean", settlements);
    const report = await audit(h);
    const table = formatSettlementTable(report);
    expect(report.failures.map(describeSettlementFailure)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.registry?.createdIn).toBe(h.createdIn);
    expect(report.batches.map((b) => b.batch)).toEqual(honest.map((b) => b.batch));
    expect(report.batches.every((b) => b.status === "ok")).toBe(true);
    expect(report.batches.map((b) => b.settledIn)).toEqual(h.settledIn);
    expect(report.batches.reduce((n, b) => n + (b.operations ?? 0), 0)).toBeGreaterThanOrEqual(honest.length);
    expect(table).toMatch(/OK: every settlement verified/);
    expect(table.split("\n").filter((l) => /^\d+\s+\d+:\d+ \.\. \d+:\d+\s+\d+\s+\d+\s+ok$/.test(l))).toHaveLength(honest.length);
  });

  it("catches a forged proof and names the batch", async () => {
    const writes = settlements.map((s, i) => (i === 1 ? { ...s, proof: settlements[0]!.proof } : s));
    const report = await audit(history("forged-proof", writes));
    expect(report.ok).toBe(false);
    const first = report.failures[0]!;
    expect(first.check).toBe("proof");
    expect(first.batch).toBe(2n);
    expect(describeSettlementFailure(first)).toMatch(/^batch 2 .*proof/);
    expect(report.batches[1]!.status).toBe("failed");
    // The others still verify: one bad proof does not hide or taint the rest.
    expect(report.batches.filter((b) => b.status === "ok")).toHaveLength(honest.length - 1);
  });

  it("catches a batch whose commitment does not match the checkpoints, though its proof is valid", async () => {
    const writes = [...settlements.slice(0, -1), doctored];
    const report = await audit(history("doctored", writes));
    expect(report.ok).toBe(false);
    const first = report.failures[0]!;
    expect(first.check).toBe("recompute");
    expect(first.field).toBe("batch_commitment");
    expect(first.batch).toBe(BigInt(honest.length));
    expect(first.expected).toBe(String(settlements.at(-1)!.batchCommitment));
    expect(first.actual).toBe(String(doctored.batchCommitment));
    expect(report.failures.some((f) => f.check === "proof")).toBe(false);
    expect(report.failures.some((f) => f.field === "new_root")).toBe(true);
  });

  it("catches a cursor gap and names the batch", async () => {
    const writes = [...settlements.slice(0, -1), gapped];
    const report = await audit(history("gap", writes));
    expect(report.ok).toBe(false);
    const first = report.failures[0]!;
    expect(first.check).toBe("cursor");
    expect(first.field).toBe("from_cursor");
    expect(first.batch).toBe(BigInt(honest.length));
    expect(first.reason).toMatch(/cursor gap/);
    // Its proof is valid for the gapped statement, but settle builds the inputs from its own
    // next cursor, as the audit does: the proof is refused too, after the gap is named.
    expect(report.failures.findIndex((f) => f.check === "proof")).toBeGreaterThan(0);
    expect(report.failures.every((f) => f.batch === BigInt(honest.length))).toBe(true);
  });

  it("catches a tampered data checkpoint and names it", async () => {
    const h = history("tampered", settlements);
    const seq = FIRST + 1n;
    const path = join(h.dir, checkpointFileName(seq, "chk"));
    const model = decodeChk(new Uint8Array(readFileSync(path)), path);
    const tx = model.transactions.find((t) => t.outputObjects.length > 0)!;
    const object = tx.outputObjects[0]!;
    const bcs = object.bcs.slice();
    bcs[bcs.length - 12] = bcs[bcs.length - 12]! ^ 1; // inside the storage rebate: still decodes
    const edited = { ...object, bcs };
    const outputs = tx.outputObjects.map((o) => (o === object ? edited : o));
    const transactions = model.transactions.map((t) =>
      t === tx ? { ...t, inputObjects: t.inputObjects, outputObjects: outputs } : t,
    );
    writeFileSync(path, encodeChk({ ...model, transactions }));
    const report = await audit(h);
    expect(report.ok).toBe(false);
    const first = report.failures[0]!;
    expect(first.check).toBe("checkpoint");
    expect(first.checkpoint).toBe(seq);
    expect(describeSettlementFailure(first)).toMatch(new RegExp(`^checkpoint ${seq}: .*output_objects`));
    // Nothing after the bad checkpoint is read: the scan stops before the registry appears.
    expect(report.checkpoints.last).toBe(seq - 1n);
    expect(report.batches).toHaveLength(0);
  });

  it("says when the scan starts after the registry's start cursor", async () => {
    const h = history("late-start", settlements);
    const report = await audit(h, { from: FIRST + 1n });
    expect(report.ok).toBe(false);
    expect(report.failures[0]!.check).toBe("data");
    expect(report.failures[0]!.reason).toMatch(new RegExp(`scan from ${FIRST}`));
    expect(report.batches.every((b) => b.status === "unverified")).toBe(true);
  });

  it("says when the registry is not created in the scanned range", async () => {
    const h = history("other-registry", settlements);
    const report = await audit(h, { registryId: "0x" + "77".repeat(32) });
    expect(report.ok).toBe(false);
    expect(report.failures[0]!.check).toBe("registry");
    expect(report.batches).toHaveLength(0);
  });

  it("checks certificates under a trusted committee, and refuses another committee's", async () => {
    const h = history("certified", settlements);
    const test = makeTestCommittee(data.checkpoints[0]!.epoch, [2500n, 2500n, 2500n, 2500n], "settlement-audit");
    for (let seq = FIRST; seq <= h.last; seq++) {
      const path = join(h.dir, checkpointFileName(seq, "chk"));
      const model = decodeChk(new Uint8Array(readFileSync(path)), path);
      writeFileSync(path, encodeChk(certify(model, test)));
    }
    const good = await auditRegistry(createTestCommon(), {
      source: localFolderSource(h.dir), registryId: h.registryId, fromCheckpoint: FIRST, toCheckpoint: h.last, poseidon, committee: test.committee,
    });
    expect(good.failures.map(describeSettlementFailure)).toEqual([]);
    expect(good.ok).toBe(true);
    const rival = makeTestCommittee(test.committee.epoch, [2500n, 2500n, 2500n, 2500n], "someone-else");
    const bad = await auditRegistry(createTestCommon(), {
      source: localFolderSource(h.dir), registryId: h.registryId, fromCheckpoint: FIRST, toCheckpoint: h.last, poseidon, committee: rival.committee,
    });
    expect(bad.ok).toBe(false);
    expect(bad.failures[0]!.check).toBe("checkpoint");
    expect(bad.failures[0]!.checkpoint).toBe(FIRST);
    expect(bad.failures[0]!.reason).toMatch(/certificate/);
  });
});

describe("verify --registry: key rotations", () => {
  const rotateAfterFirst = (vk: Uint8Array, effectiveEpoch: bigint) => {
    const first = settlements[0]!;
    return [
      first,
      { propose: { vk, trackingConfig: creation.trackingConfig, effectiveEpoch } },
      { apply: { vk, trackingConfig: creation.trackingConfig, fromCursor: first.toCursor, afterBatch: first.batch } },
      ...settlements.slice(1),
    ];
  };
  const epoch = (): bigint => data.checkpoints[0]!.epoch;

  it("passes a rotation to the same key applied at its effective epoch", async () => {
    const h = writeHistory(join(work, "rotation-same"), data, creation, rotateAfterFirst(creation.vk, epoch()));
    const report = await audit(h);
    expect(report.failures.map(describeSettlementFailure)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.batches).toHaveLength(honest.length);
  });

  it("verifies batches under the key in force: the old one before the rotation, the new one after", async () => {
    // Another well-formed key: gamma and delta swapped (both G2 points).
    const other = creation.vk.slice();
    other.set(creation.vk.subarray(160, 224), 96);
    other.set(creation.vk.subarray(96, 160), 160);
    const h = writeHistory(join(work, "rotation-other"), data, creation, rotateAfterFirst(other, epoch()));
    const report = await audit(h);
    expect(report.ok).toBe(false);
    expect(report.batches[0]!.status).toBe("ok");
    expect(report.failures[0]!.check).toBe("proof");
    expect(report.failures[0]!.batch).toBe(2n);
    expect(report.batches.slice(1).every((b) => b.failures.some((f) => f.check === "proof"))).toBe(true);
    // The data still matches: only the key changed.
    expect(report.failures.some((f) => f.check === "recompute")).toBe(false);
  });

  it("refuses a rotation applied before its effective epoch, naming the checkpoint", async () => {
    const h = writeHistory(join(work, "rotation-early"), data, creation, rotateAfterFirst(creation.vk, epoch() + 7n));
    const report = await audit(h);
    expect(report.ok).toBe(false);
    const first = report.failures[0]!;
    expect(first.check).toBe("admin");
    expect(first.field).toBe("KeyRotationApplied.epoch");
    expect(first.checkpoint).toBe(h.settledIn[0]! + 2n);
    expect(describeSettlementFailure(first)).toMatch(/^checkpoint \d+: admin check failed at KeyRotationApplied\.epoch/);
  });
});
