import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBase58 } from "@mysten/bcs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckpointModel } from "../model.ts";
import { BcsCursor } from "../decode/cursor.ts";
import { suiDigest } from "../decode/digest.ts";
import { decodeCheckpointFile } from "../decode/file.ts";
import { CheckpointData } from "../decode/schema.ts";
import { materialize } from "../decode/test-helpers.ts";
import { readSenderSignedData } from "../decode/transaction.ts";
import { generateCheckpoints } from "./generate.ts";
import { DEFAULT_SHAPE } from "./shape.ts";

const FIRST = 7_000_000n;
const COUNT = 30;
const dir = mkdtempSync(join(tmpdir(), "sui-synthetic-"));
let checkpoints: CheckpointModel[] = [];
let chkFiles: Uint8Array[] = [];

beforeAll(async () => {
  await generateCheckpoints({ dir, first: FIRST, count: COUNT, format: "both", seed: 42 });
  chkFiles = Array.from({ length: COUNT }, (_, i) => new Uint8Array(readFileSync(join(dir, `${FIRST + BigInt(i)}.chk`))));
  checkpoints = chkFiles.map((bytes, i) => decodeCheckpointFile(bytes, `${FIRST + BigInt(i)}.chk`));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("synthetic checkpoints", () => {
  it("are written in both formats, which decode to identical models", () => {
    for (let i = 0; i < COUNT; i++) {
      const name = `${FIRST + BigInt(i)}.binpb.zst`;
      const fromBinpb = decodeCheckpointFile(readFileSync(join(dir, name)), name);
      expect(materialize(fromBinpb)).toEqual(materialize(checkpoints[i]!));
    }
  });

  it("are real BCS: the generic schemas read every file completely and write it back byte for byte", () => {
    for (const bytes of chkFiles) {
      const parsed = CheckpointData.parse(bytes.subarray(1));
      expect(Buffer.from(CheckpointData.serialize(parsed).toBytes()).equals(bytes.subarray(1))).toBe(true);
    }
  });

  it("chain: contiguous numbers, consistent transaction totals, previous digests", () => {
    checkpoints.forEach((cp, i) => {
      expect(cp.sequenceNumber).toBe(FIRST + BigInt(i));
      expect(cp.digest).toEqual(suiDigest("CheckpointSummary", cp.summaryBcs));
      if (i === 0) return;
      const previous = checkpoints[i - 1]!;
      expect(cp.previousDigest).toEqual(previous.digest);
      expect(cp.networkTotalTransactions).toBe(previous.networkTotalTransactions + BigInt(cp.transactions.length));
      expect(cp.timestampMs).toBeGreaterThan(previous.timestampMs);
    });
  });

  it("carry every digest Sui would compute, and object versions chain across transactions", () => {
    const latest = new Map<string, { version: bigint; bcs: string }>();
    for (const [i, cp] of checkpoints.entries()) {
      expect(suiDigest("CheckpointContents", cp.contentsBcs)).toEqual(cp.contentDigest);
      const parsed = CheckpointData.parse(chkFiles[i]!.subarray(1));
      cp.transactions.forEach((tx, t) => {
        const layout = readSenderSignedData(new BcsCursor(tx.transactionBcs));
        expect(suiDigest("TransactionData", tx.transactionBcs.subarray(layout.dataStart, layout.dataEnd))).toEqual(tx.digest);
        const digests = parsed.checkpointContents.V1!.transactions[t]!;
        expect(toBase58(suiDigest("TransactionEffects", tx.effectsBcs))).toBe(toBase58(new Uint8Array(digests.effects)));
        const effects = parsed.transactions[t]!.effects.V2!;
        expect(effects.eventsDigest).toBe(tx.eventsBcs ? toBase58(suiDigest("TransactionEvents", tx.eventsBcs)) : null);
        for (const object of tx.inputObjects) {
          const change = tx.changedObjects.find((c) => c.objectId === object.objectId)!;
          expect(suiDigest("Object", object.bcs)).toEqual(change.inputDigest);
          const seen = latest.get(object.objectId);
          // An object written earlier in the range is read back exactly as it was written.
          if (seen) expect({ version: object.version, bcs: Buffer.from(object.bcs).toString("hex") }).toEqual(seen);
        }
        for (const change of tx.changedObjects) if (!change.outputVersion) latest.delete(change.objectId);
        for (const object of tx.outputObjects) {
          const change = tx.changedObjects.find((c) => c.objectId === object.objectId)!;
          expect(object.version).toBe(tx.lamportVersion);
          expect(suiDigest("Object", object.bcs)).toEqual(change.outputDigest);
          latest.set(object.objectId, { version: object.version, bcs: Buffer.from(object.bcs).toString("hex") });
        }
      });
    }
  });

  it("have the default shape of the real fixtures", () => {
    const transactions = checkpoints.flatMap((cp) => cp.transactions);
    const bytes = chkFiles.reduce((sum, f) => sum + f.length, 0);
    expect(transactions.length / COUNT).toBeGreaterThan(DEFAULT_SHAPE.transactionsPerCheckpoint * 0.9);
    expect(transactions.length / COUNT).toBeLessThan(DEFAULT_SHAPE.transactionsPerCheckpoint * 1.1);
    expect(bytes / transactions.length / 1024).toBeGreaterThan(11);
    expect(bytes / transactions.length / 1024).toBeLessThan(14);
    const kinds = new Set(transactions.flatMap((tx) => tx.changedObjects.map((c) => c.kind)));
    expect([...kinds].sort()).toEqual(["created", "deleted", "mutated"]);
    const owners = new Set(transactions.flatMap((tx) => tx.outputObjects.map((o) => o.owner.kind)));
    expect([...owners].sort()).toEqual(["address", "object", "shared"]);
    const packages = new Set(transactions.flatMap((tx) => tx.events.map((e) => e.packageId)));
    expect(packages.size).toBeGreaterThan(1);
    expect(new Set(transactions.map((tx) => tx.kind))).toEqual(new Set(["ConsensusCommitPrologueV4", "ProgrammableTransaction", "RandomnessStateUpdate"]));
    expect(transactions.some((tx) => !tx.status.success)).toBe(true);
    // Coins change hands: balances differ between a coin's input and output.
    const changedBalance = transactions.some((tx) =>
      tx.outputObjects.some((o) => o.coinType && tx.inputObjects.some((i) => i.objectId === o.objectId && i.coinBalance !== o.coinBalance)),
    );
    expect(changedBalance).toBe(true);
    expect(transactions.some((tx) => tx.outputObjects.some((o) => o.coinType && o.coinType !== o.type && !o.type!.includes("::sui::SUI")))).toBe(true);
  });

  it("are the same bytes for the same seed, and different for another", async () => {
    const again = mkdtempSync(join(tmpdir(), "sui-synthetic-again-"));
    const other = mkdtempSync(join(tmpdir(), "sui-synthetic-other-"));
    try {
      await generateCheckpoints({ dir: again, first: FIRST, count: 3, format: "chk", seed: 42 });
      await generateCheckpoints({ dir: other, first: FIRST, count: 3, format: "chk", seed: 43 });
      for (let i = 0; i < 3; i++) {
        const name = `${FIRST + BigInt(i)}.chk`;
        expect(Buffer.from(readFileSync(join(again, name))).equals(chkFiles[i]!)).toBe(true);
        expect(Buffer.from(readFileSync(join(other, name))).equals(chkFiles[i]!)).toBe(false);
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
      rmSync(other, { recursive: true, force: true });
    }
  });
});
