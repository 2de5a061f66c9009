import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { toBase58 } from "@mysten/bcs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devSetup } from "../../circuits/setup/ceremony.ts";
import { buildTinyCircuit } from "../../circuits/test/tiny-circuit.ts";
import { createTestCommon } from "../../common/context.ts";
import { toHex } from "../../settler/groth16/bytes.ts";
import { ObjectProof } from "../../api/routes/settlements.ts";
import { objectProofJson } from "../../settler/audit/proof/object-proof.ts";
import type { SettlementWrite } from "../../settler/audit/settlements/testing/chain-writer.ts";
import { generateData, planBatches, proveHonestBatch, settlementOf, writeHistory, type WrittenHistory } from "../../settler/audit/settlements/testing/settled-history.ts";
import { DEV_SETUP_ROOT, ensureDevSetup } from "../../settler/prover/dev-setup.ts";
import type { SetupArtifacts } from "../../settler/prover/setup-artifacts.ts";
import { rowState } from "../../settler/stream/change-value.ts";
import { changesOfCheckpoint } from "../../settler/stream/checkpoint-changes.ts";
import { normalizeTrackingConfig, trackingConfigBytes } from "../../settler/tracking/config.ts";
import { createTrackingFilter } from "../../settler/tracking/filter.ts";
import { encodeCursor } from "../../settler/tree/cursor.ts";
import { createIndexedMerkleTree, type IndexedMerkleTree } from "../../settler/tree/indexed-merkle-tree.ts";
import { objectKey } from "../../settler/tree/object-encoding.ts";
import { loadPoseidon } from "../../settler/tree/poseidon.ts";
import { emptyRoot } from "../../settler/tree/tree-hash.ts";
import { checkpointMessages, folderCheckpoints, sequenceRange, startTestFullNode } from "../../indexer/sources/grpc-test-server.ts";
import { EXIT_MISMATCH, EXIT_OK, EXIT_USAGE, runVerify, type VerifyFlags } from "./verify.ts";

const DEPTH = 2;
const FIRST = 7_000n;
const CLOCK = "0x" + "00".repeat(31) + "06";
const work = mkdtempSync(join(tmpdir(), "verify-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let artifacts: SetupArtifacts;
let clean: WrittenHistory;
let forged: WrittenHistory;
let settlements: SettlementWrite[];
let tree: IndexedMerkleTree;
let tinyDir: string;
let tinyR1cs: string;
let tinyVk: Uint8Array;
let proofFiles: Record<"presence" | "absence" | "wrongState" | "badSibling" | "noRoot" | "apiAnswer" | "wrongKey", string>;

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function verify(flags: VerifyFlags): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await runVerify(createTestCommon(), flags, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

const registryFlags = (h: WrittenHistory): VerifyFlags => ({
  registry: h.registryId,
  fromDir: h.dir,
  fromCheckpoint: String(FIRST),
  toCheckpoint: String(h.last),
});

beforeAll(async () => {
  const poseidon = await loadPoseidon();
  artifacts = await ensureDevSetup({ depth: DEPTH, batchSize: 1 });
  const data = await generateData(join(work, "data"), FIRST, 2, 5);
  const tracking = normalizeTrackingConfig({ kind: "filter", types: ["0x2::clock::Clock", "0x2::random::Random"], packages: [], owners: [] });
  const creation = {
    vk: artifacts.vk,
    depth: DEPTH,
    startCursor: encodeCursor(FIRST, 0n),
    maxSpan: 5n,
    trackingConfig: trackingConfigBytes(tracking),
    emptyRoot: emptyRoot(poseidon, DEPTH),
  };
  tree = await createIndexedMerkleTree({ depth: DEPTH, poseidon });
  const rows = data.checkpoints.flatMap(changesOfCheckpoint);
  const batches = planBatches(tree, createTrackingFilter(tracking, (id) => id), rows, {
    batchSize: 1,
    fromCursor: creation.startCursor,
    endCursor: encodeCursor(data.last + 1n, 0n),
  });
  settlements = [];
  for (const b of batches) settlements.push(settlementOf(b, await proveHonestBatch(artifacts, b.built)));
  clean = writeHistory(join(work, "clean"), data, creation, settlements);
  forged = writeHistory(join(work, "forged"), data, creation, settlements.map((s, i) => (i === 1 ? { ...s, proof: settlements[0]!.proof } : s)));

  const tiny = await buildTinyCircuit();
  tinyR1cs = tiny.r1cs;
  tinyDir = join(work, "tiny-setup");
  tinyVk = (await devSetup({ dir: tinyDir, r1csPath: tiny.r1cs, circuitName: "tiny" })).verifyingKey.suiBytes;

  // Proofs against the last settled root: the clock is tracked (present), a random id is not.
  const clockRow = rows.filter((r) => r.objectId === CLOCK).at(-1)!;
  const state = rowState(clockRow)!;
  const root = tree.root;
  const presence = objectProofJson({
    objectId: CLOCK,
    depth: DEPTH,
    root,
    kind: "presence",
    proof: tree.provePresence(objectKey(poseidon, CLOCK)),
    object: { version: state.version, digest: toBase58(state.digest), owner: state.owner, type: state.type },
  });
  const absentId = "0x" + "99".repeat(32);
  const absence = tree.proveAbsence(objectKey(poseidon, absentId));
  const write = (name: string, value: unknown): string => {
    const path = join(work, `${name}.json`);
    writeFileSync(path, JSON.stringify(value, null, 2));
    return path;
  };
  // The API's answer, as GET /v1/objects/{id}/proof serves it (checked with its own schema).
  const last = settlements.at(-1)!;
  const answer = {
    checkpoint: String(data.last),
    data: ObjectProof.parse({
      ...objectProofJson({ objectId: CLOCK, depth: DEPTH, root, key: objectKey(poseidon, CLOCK), kind: "presence", proof: tree.provePresence(objectKey(poseidon, CLOCK)) }),
      batch: String(last.batch),
      cursor: String(last.toCursor),
      cursor_checkpoint: String(last.toCursor >> 32n),
      cursor_offset: String(last.toCursor & 0xffffffffn),
      tx_digest: null,
      registry_id: clean.registryId,
    }),
  };
  proofFiles = {
    apiAnswer: write("api-answer", answer),
    wrongKey: write("wrong-key", { ...answer, data: { ...answer.data, key: "1" } }),
    presence: write("presence", presence),
    absence: write("absence", objectProofJson({ objectId: absentId, depth: DEPTH, root, kind: absence.kind, proof: absence })),
    wrongState: write("wrong-state", { ...presence, object: { ...presence.object!, version: String(state.version + 1n) } }),
    badSibling: write("bad-sibling", { ...presence, siblings: presence.siblings.map((s, i) => (i === 0 ? String(BigInt(s) + 1n) : s)) }),
    noRoot: write("no-root", { ...presence, root: undefined }),
  };
}, 600_000);

describe("verify --registry", () => {
  it("passes a clean history, prints the table and exits 0", async () => {
    expect(settlements.length).toBeGreaterThanOrEqual(2);
    const r = await verify(registryFlags(clean));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^batch\s+cursor range\s+settled in/m);
    expect(r.stdout).toMatch(/OK: every settlement verified/);
    expect(r.stdout).toMatch(/certificates not checked/);
  });

  it("fetches the checkpoints from a full node over gRPC (sui.rpc.v2) with the same verdicts", async () => {
    const serve = async (history: WrittenHistory) =>
      startTestFullNode({ checkpoints: checkpointMessages(await folderCheckpoints(history.dir, sequenceRange(FIRST, history.last))), tip: history.last });
    for (const [history, expected] of [[clean, EXIT_OK], [forged, EXIT_MISMATCH]] as const) {
      const node = await serve(history);
      try {
        const { fromDir: _, ...flags } = registryFlags(history);
        const r = await verify({ ...flags, grpc: node.url });
        expect(r.code, r.stderr).toBe(expected);
        if (expected === EXIT_OK) expect(r.stdout).toMatch(/OK: every settlement verified/);
        else expect(r.stdout).toMatch(/FAILED: batch 2 \(settled in checkpoint \d+\): proof check failed/);
      } finally {
        await node.close();
      }
    }
  });

  it("exits 1 on a forged proof, naming the batch", async () => {
    const r = await verify(registryFlags(forged));
    expect(r.code).toBe(EXIT_MISMATCH);
    expect(r.stdout).toMatch(/FAILED: batch 2 \(settled in checkpoint \d+\): proof check failed/);
    expect(r.stderr).toMatch(/verify: FAILED/);
  });

  it("exits 2 without a source or a range", async () => {
    expect((await verify({ registry: clean.registryId, fromCheckpoint: "1", toCheckpoint: "2" })).code).toBe(EXIT_USAGE);
    expect((await verify({ registry: clean.registryId, fromDir: clean.dir })).code).toBe(EXIT_USAGE);
    expect((await verify({ registry: clean.registryId, fromDir: clean.dir, grpc: "http://127.0.0.1:1", fromCheckpoint: "1", toCheckpoint: "2" })).code).toBe(EXIT_USAGE);
    expect((await verify({})).code).toBe(EXIT_USAGE);
  });
});

describe("verify --setup", () => {
  it("accepts a transcript that matches the reference circuit, its ptau and the key given", async () => {
    const r = await verify({ setup: tinyDir, vk: toHex(tinyVk), r1cs: tinyR1cs });
    expect(r.stdout).not.toMatch(/FAIL /);
    expect(r.code).toBe(EXIT_OK);
  });

  it("refuses a key on chain that is not the transcript's", async () => {
    const r = await verify({ setup: tinyDir, vk: toHex(artifacts.vk), r1cs: tinyR1cs });
    expect(r.code).toBe(EXIT_MISMATCH);
    expect(r.stdout).toMatch(/FAIL the verifying key given \(e\.g\. emitted on chain\) is the final zkey's/);
  });

  it("refuses a transcript of another circuit than BatchUpdate", async () => {
    const other = await verify({ setup: tinyDir, vk: toHex(tinyVk), r1cs: join(DEV_SETUP_ROOT, "batch_update_d2_b1", "circuit.r1cs") });
    expect(other.code).toBe(EXIT_MISMATCH);
    expect(other.stdout).toMatch(/FAIL the transcript's r1cs is the reference r1cs/);
    const unnamed = await verify({ setup: tinyDir, vk: toHex(tinyVk) });
    expect(unnamed.code).toBe(EXIT_MISMATCH);
    expect(unnamed.stdout).toMatch(/FAIL the transcript names a BatchUpdate circuit/);
  });

  it("exits 2 without a key to compare with", async () => {
    expect((await verify({ setup: tinyDir })).code).toBe(EXIT_USAGE);
  });

  it(
    "checks the real dev setup against the key the registry emitted at creation",
    async () => {
      const r = await verify({ ...registryFlags(clean), setup: join(DEV_SETUP_ROOT, "batch_update_d2_b1") });
      expect(r.stdout).not.toMatch(/FAIL /);
      expect(r.stdout).toMatch(/ok   the transcript's r1cs is batch_update_d2_b1 compiled from this repository's circuit sources/);
      expect(r.stdout).toMatch(/ok   the verifying key given \(e\.g\. emitted on chain\) is the final zkey's/);
      expect(r.stdout).toMatch(/ok   the circuit's depth is the registry's \(2\)/);
      expect(r.code).toBe(EXIT_OK);
    },
    600_000,
  );
});

describe("verify --proof", () => {
  it("accepts presence (with the object's state) and absence proofs against the settled root", async () => {
    const root = String(settlements.at(-1)!.newRoot);
    const presence = await verify({ proof: proofFiles.presence, root });
    expect(presence.stdout).toMatch(/valid: object present at version/);
    expect(presence.code).toBe(EXIT_OK);
    const absence = await verify({ proof: proofFiles.absence, root });
    expect(absence.stdout).toMatch(/valid: object absent/);
    expect(absence.code).toBe(EXIT_OK);
    // The root in the file is used when none is given.
    expect((await verify({ proof: proofFiles.presence })).code).toBe(EXIT_OK);
    // The API's whole answer, as served.
    const api = await verify({ proof: proofFiles.apiAnswer, root });
    expect(api.stdout).toMatch(/valid: object present with value/);
    expect(api.code).toBe(EXIT_OK);
  });

  it("refuses a wrong root, a tampered sibling, a state the leaf does not commit to, or no root", async () => {
    const root = String(settlements.at(-1)!.newRoot);
    const wrongRoot = await verify({ proof: proofFiles.presence, root: String(settlements[0]!.newRoot) });
    expect(wrongRoot.code).toBe(EXIT_MISMATCH);
    expect(wrongRoot.stdout).toMatch(/INVALID: the path does not lead to the root/);
    expect((await verify({ proof: proofFiles.badSibling, root })).code).toBe(EXIT_MISMATCH);
    const wrongState = await verify({ proof: proofFiles.wrongState, root });
    expect(wrongState.code).toBe(EXIT_MISMATCH);
    expect(wrongState.stdout).toMatch(/does not commit to the object state/);
    expect((await verify({ proof: proofFiles.noRoot })).code).toBe(EXIT_MISMATCH);
    const wrongKey = await verify({ proof: proofFiles.wrongKey, root });
    expect(wrongKey.code).toBe(EXIT_MISMATCH);
    expect(wrongKey.stdout).toMatch(/the key given is not Poseidon of the object id/);
  });

  it("exits 2 on a file that is not a proof", async () => {
    const path = join(work, "not-a-proof.json");
    writeFileSync(path, JSON.stringify({ objectId: "0x1" }));
    const r = await verify({ proof: path });
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toMatch(/not an object proof/);
  });
});
