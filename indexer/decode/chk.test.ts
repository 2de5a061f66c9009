import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TypeTagSerializer } from "@mysten/sui/bcs";
import { toBase58 } from "@mysten/bcs";
import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { fixturesDir } from "../../common/fixtures.ts";
import type { CheckpointModel, Owner } from "../model.ts";
import { decodeChk, readChkHeader } from "./chk.ts";
import { BcsCursor } from "./cursor.ts";
import { suiDigest } from "./digest.ts";
import { decodeCheckpointFile } from "./file.ts";
import { CheckpointContents, CheckpointData, SuiObject } from "./schema.ts";
import { loadFixtureCheckpoints } from "./test-helpers.ts";
import { readSenderSignedData } from "./transaction.ts";

const fixtures = loadFixtureCheckpoints();
const decoded = new Map(fixtures.map((f) => [f.name, decodeCheckpointFile(f.bytes, f.name)]));

type Parsed = ReturnType<typeof CheckpointData.parse>;
const parsedCache = new Map<string, Parsed>();
/** The generic (slow) parse, once per fixture. */
function parsedFixture(name: string): Parsed {
  let parsed = parsedCache.get(name);
  if (!parsed) {
    parsed = CheckpointData.parse(fixtures.find((f) => f.name === name)!.bytes.subarray(1));
    parsedCache.set(name, parsed);
  }
  return parsed;
}
type ParsedOwner = ReturnType<typeof SuiObject.parse>["owner"];

function ownerOf(o: ParsedOwner): Owner {
  if (o.AddressOwner) return { kind: "address", address: o.AddressOwner };
  if (o.ObjectOwner) return { kind: "object", address: o.ObjectOwner };
  if (o.Shared) return { kind: "shared", initialSharedVersion: BigInt(o.Shared.initialSharedVersion) };
  if (o.ConsensusAddressOwner) {
    return { kind: "consensusAddress", address: o.ConsensusAddressOwner.owner, startVersion: BigInt(o.ConsensusAddressOwner.startVersion) };
  }
  return { kind: "immutable" };
}

const b58 = (bytes: Uint8Array | null): string | null => (bytes ? toBase58(bytes) : null);
const canonical = (tag: Parameters<typeof TypeTagSerializer.tagToString>[0]): string => TypeTagSerializer.tagToString(tag).replaceAll(", ", ",");

describe("legacy .chk decoding of the real fixtures", () => {
  it("finds the fixtures", () => {
    expect(fixtures.length).toBeGreaterThan(20);
  });

  it.each(fixtures.map((f) => f.name))("%s: header, file name and structure are consistent", (name) => {
    const file = fixtures.find((f) => f.name === name)!;
    const checkpoint = decoded.get(name)!;
    const header = readChkHeader(file.bytes)!;
    expect(checkpoint.epoch).toBe(header.epoch);
    expect(checkpoint.sequenceNumber).toBe(header.sequenceNumber);
    expect(checkpoint.networkTotalTransactions).toBe(header.networkTotalTransactions);
    expect(`${checkpoint.sequenceNumber}.chk`).toBe(name);
    expect(checkpoint.transactions.length).toBeGreaterThan(0);
  });

  it.each(fixtures.map((f) => f.name))("%s: the generic schema reads it completely and writes it back byte for byte", (name) => {
    const file = fixtures.find((f) => f.name === name)!;
    // @mysten/bcs throws on any unknown enum variant; re-serializing proves nothing was left over.
    const parsed = parsedFixture(name);
    expect(Buffer.from(CheckpointData.serialize(parsed).toBytes()).equals(file.bytes.subarray(1))).toBe(true);
  });

  it.each(fixtures.map((f) => f.name))("%s: digests recomputed from the raw slices match the commitments", (name) => {
    const checkpoint = decoded.get(name)!;
    const parsed = parsedFixture(name);
    expect(suiDigest("CheckpointContents", checkpoint.contentsBcs)).toEqual(checkpoint.contentDigest);
    const contents = CheckpointContents.parse(checkpoint.contentsBcs);
    const digests = contents.V1 ? contents.V1.transactions : contents.V2!.transactions.map((t) => t.digest);
    checkpoint.transactions.forEach((tx, i) => {
      const layout = readSenderSignedData(new BcsCursor(tx.transactionBcs));
      const transactionData = tx.transactionBcs.subarray(layout.dataStart, layout.dataEnd);
      expect(suiDigest("TransactionData", transactionData)).toEqual(tx.digest);
      expect(toBase58(tx.digest)).toBe(toBase58(new Uint8Array(digests[i]!.transaction)));
      expect(toBase58(suiDigest("TransactionEffects", tx.effectsBcs))).toBe(toBase58(new Uint8Array(digests[i]!.effects)));
      const eventsDigest = parsed.transactions[i]!.effects.V2!.eventsDigest;
      expect(tx.eventsBcs ? toBase58(suiDigest("TransactionEvents", tx.eventsBcs)) : null).toBe(eventsDigest);
      for (const object of tx.outputObjects) {
        const change = tx.changedObjects.find((c) => c.objectId === object.objectId)!;
        expect(change.outputVersion).toBe(object.version);
        expect(suiDigest("Object", object.bcs)).toEqual(change.outputDigest);
      }
      for (const object of tx.inputObjects) {
        const change = tx.changedObjects.find((c) => c.objectId === object.objectId)!;
        expect(change.inputVersion).toBe(object.version);
        expect(suiDigest("Object", object.bcs)).toEqual(change.inputDigest);
      }
    });
  });

  it.each(fixtures.map((f) => f.name))("%s: every field of the fast decoder agrees with the generic schema", (name) => {
    const checkpoint = decoded.get(name)!;
    const parsed = parsedFixture(name);
    const summary = parsed.checkpointSummary.data;
    expect(checkpoint.timestampMs).toBe(BigInt(summary.timestampMs));
    expect(b58(checkpoint.previousDigest)).toBe(summary.previousDigest ? toBase58(new Uint8Array(summary.previousDigest)) : null);
    expect(checkpoint.epochRollingGasCostSummary.computationCost).toBe(BigInt(summary.epochRollingGasCostSummary.computationCost));
    expect(checkpoint.signature.epoch).toBe(BigInt(parsed.checkpointSummary.authSignature.epoch));
    expect(checkpoint.signature.signersMap).toEqual(new Uint8Array(parsed.checkpointSummary.authSignature.signersMap));

    parsed.transactions.forEach((ptx, i) => {
      const tx = checkpoint.transactions[i]!;
      const data = ptx.transaction[0]!.intentMessage.value.V1!;
      expect(tx.sender).toBe(data.sender);
      expect(tx.kind).toBe(data.kind.$kind);
      expect(tx.gasOwner).toBe(data.gasData.owner);
      expect(tx.gasPrice).toBe(BigInt(data.gasData.price));
      expect(tx.gasBudget).toBe(BigInt(data.gasData.budget));
      const commands = data.kind.ProgrammableTransaction?.commands ?? [];
      expect(tx.moveCalls).toEqual(
        commands.filter((c) => c.MoveCall).map((c) => ({ package: c.MoveCall!.package, module: c.MoveCall!.module, function: c.MoveCall!.function })),
      );

      const effects = ptx.effects.V2!;
      expect(tx.status.success).toBe(effects.status.$kind === "Success");
      expect(tx.executedEpoch).toBe(BigInt(effects.executedEpoch));
      expect(tx.lamportVersion).toBe(BigInt(effects.lamportVersion));
      expect(tx.gasUsed.storageRebate).toBe(BigInt(effects.gasUsed.storageRebate));
      expect(tx.changedObjects.length).toBe(effects.changedObjects.length);
      effects.changedObjects.forEach(([id, change], j) => {
        const mine = tx.changedObjects[j]!;
        expect(mine.objectId).toBe(id);
        const input = change.inputState.Exist;
        expect(mine.inputVersion).toBe(input ? BigInt(input[0][0]) : null);
        expect(b58(mine.inputDigest)).toBe(input ? input[0][1] : null);
        expect(mine.inputOwner).toEqual(input ? ownerOf(input[1]) : null);
        const write = change.outputState.ObjectWrite;
        expect(b58(mine.outputDigest)).toBe(write ? write[0] : null);
        expect(mine.outputOwner).toEqual(write ? ownerOf(write[1]) : null);
        expect(mine.outputVersion).toBe(write ? BigInt(effects.lamportVersion) : null);
      });

      const events = ptx.events?.data ?? [];
      expect(tx.eventsBcs === null).toBe(ptx.events === null);
      expect(tx.events.map((e) => ({ ...e, contents: Array.from(e.contents) }))).toEqual(
        events.map((e) => ({
          packageId: e.packageId,
          module: e.transactionModule,
          sender: e.sender,
          type: canonical({ struct: e.type }),
          contents: Array.from(e.contents),
        })),
      );

      const objects = [...ptx.inputObjects, ...ptx.outputObjects];
      const mineObjects = [...tx.inputObjects, ...tx.outputObjects];
      expect(mineObjects.length).toBe(objects.length);
      objects.forEach((o, j) => {
        const mine = mineObjects[j]!;
        const move = o.data.Move!;
        expect(mine.isPackage).toBe(false);
        expect(mine.version).toBe(BigInt(move.version));
        expect(mine.objectId).toBe(`0x${Buffer.from(move.contents.slice(0, 32)).toString("hex")}`);
        expect(mine.owner).toEqual(ownerOf(o.owner));
        expect(mine.storageRebate).toBe(BigInt(o.storageRebate));
        const type = move.type;
        const expectedType = type.Other
          ? canonical({ struct: type.Other })
          : type.GasCoin
            ? "0x0000000000000000000000000000000000000000000000000000000000000002::coin::Coin<0x0000000000000000000000000000000000000000000000000000000000000002::sui::SUI>"
            : type.Coin
              ? `0x0000000000000000000000000000000000000000000000000000000000000002::coin::Coin<${type.Coin.replaceAll(", ", ",")}>`
              : null;
        expect(mine.type).toBe(expectedType);
        if (mine.coinType) {
          const balance = Buffer.from(move.contents).readBigUInt64LE(32);
          expect(mine.coinBalance).toBe(balance);
        } else {
          expect(mine.coinBalance).toBeNull();
        }
      });
    });
  });

  it("agrees with DeepBook's own indexer on transaction digests, senders and timestamps", () => {
    const byDigest = new Map<string, { checkpoint: CheckpointModel; sender: string }>();
    for (const checkpoint of decoded.values()) {
      for (const tx of checkpoint.transactions) byDigest.set(toBase58(tx.digest), { checkpoint, sender: tx.sender });
    }
    const dir = join(fixturesDir(), "deepbook-snapshots");
    const present = new Set([...decoded.values()].map((c) => c.sequenceNumber.toString()));
    let facts = 0;
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      const rows = JSON.parse(text.slice(text.indexOf("\n---\n") + 5)) as Array<Record<string, string>>;
      // A few rows come from checkpoints that are not among the fixture files.
      for (const row of rows.filter((r) => present.has(r.checkpoint!))) {
        const found = byDigest.get(row.digest!);
        expect(found, `${file}: ${row.digest}`).toBeDefined();
        expect(found!.checkpoint.sequenceNumber.toString()).toBe(row.checkpoint);
        expect(found!.checkpoint.timestampMs.toString()).toBe(row.checkpoint_timestamp_ms);
        expect(found!.sender).toBe(row.sender);
        facts++;
      }
    }
    expect(facts).toBeGreaterThan(40);
  });
});

describe("legacy .chk decoding of bad input", () => {
  const file = fixtures[0]!;
  const expectedCheckpoint = readChkHeader(file.bytes)!.sequenceNumber;

  function failure(bytes: Uint8Array, name = file.name): NonRetryableError {
    try {
      decodeCheckpointFile(bytes, name);
    } catch (error) {
      expect(error).toBeInstanceOf(NonRetryableError);
      return error as NonRetryableError;
    }
    throw new Error("decoding did not fail");
  }

  it("rejects a file truncated anywhere, naming file, checkpoint, field and offset", () => {
    for (const cut of [0, 10, 30, 200, 400, Math.floor(file.bytes.length / 2), file.bytes.length - 1]) {
      const error = failure(file.bytes.subarray(0, cut));
      expect(error.details.file).toBe(file.name);
      if (cut >= 25) expect(error.details.checkpoint).toBe(expectedCheckpoint);
      expect(typeof error.details.field).toBe("string");
      expect(error.details.offset).toBeLessThanOrEqual(cut);
      expect(String(error.details.reason)).toMatch(/truncated/);
    }
  });

  it("rejects an unknown enum variant", () => {
    const checkpoint = decoded.get(file.name)!;
    const bytes = file.bytes.slice();
    // The first transaction's effects start with the TransactionEffects tag (V1 = 0, V2 = 1).
    const at = checkpoint.transactions[0]!.effectsBcs.byteOffset - file.bytes.byteOffset;
    bytes[at] = 7;
    const error = failure(bytes);
    expect(error.details).toMatchObject({ file: file.name, checkpoint: expectedCheckpoint, offset: at });
    expect(error.details.field).toBe("transactions[0].effects.TransactionEffects");
    expect(error.details.reason).toBe("unknown variant 7");
  });

  it("rejects a corrupted length", () => {
    const checkpoint = decoded.get(file.name)!;
    const bytes = file.bytes.slice();
    // The transactions vector length sits right after the contents.
    const at = checkpoint.contentsBcs.byteOffset - file.bytes.byteOffset + checkpoint.contentsBcs.length;
    bytes[at] = 0x7f;
    const error = failure(bytes);
    expect(error.details).toMatchObject({ file: file.name, offset: at, field: "transactions.length" });
  });

  it("rejects bytes left over after the checkpoint", () => {
    const bytes = new Uint8Array(file.bytes.length + 1);
    bytes.set(file.bytes);
    const error = failure(bytes);
    expect(error.details).toMatchObject({ file: file.name, checkpoint: expectedCheckpoint, offset: file.bytes.length, field: "transactions.end" });
    expect(error.details.reason).toBe("1 bytes left over");
  });

  it("rejects an unsupported encoding byte", () => {
    const bytes = file.bytes.slice();
    bytes[0] = 2;
    expect(failure(bytes).details).toMatchObject({ field: "encoding", offset: 0 });
  });

  it("rejects a file whose sequence number disagrees with its name", () => {
    const error = failure(file.bytes, "123.chk");
    expect(error.details).toMatchObject({ file: "123.chk", checkpoint: expectedCheckpoint, expected: 123n });
  });

  it("rejects a name that is not a checkpoint file name", () => {
    expect(failure(file.bytes, "checkpoint.bin").details.file).toBe("checkpoint.bin");
  });

  it("decodes the same bytes held in a Node Buffer", () => {
    const model = decodeChk(Buffer.from(file.bytes), file.name);
    expect(model.transactions[0]!.effectsBcs).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(model.transactions[0]!.effectsBcs)).toBe(false);
  });
});
