import { GrpcTypes } from "@mysten/sui/grpc";
import { compress, decompress } from "zstd-napi";
import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { decodeBinpb } from "./binpb.ts";
import { encodeBinpb, encodeBinpbZst } from "./binpb-writer.ts";
import { encodeChk } from "./chk-writer.ts";
import { decodeCheckpointFile } from "./file.ts";
import { loadFixtureCheckpoints, materialize } from "./test-helpers.ts";

const fixtures = loadFixtureCheckpoints();

describe("the current .binpb.zst format", () => {
  it.each(fixtures.map((f) => f.name))("%s: both formats decode to identical models, objects included", (name) => {
    const file = fixtures.find((f) => f.name === name)!;
    const fromChk = decodeCheckpointFile(file.bytes, name);
    const binpbName = name.replace(".chk", ".binpb.zst");
    const fromBinpb = decodeCheckpointFile(encodeBinpbZst(fromChk), binpbName);
    expect(materialize(fromBinpb)).toEqual(materialize(fromChk));
    // The .chk writer gives back the original file, byte for byte, from either model.
    expect(Buffer.from(encodeChk(fromChk)).equals(file.bytes)).toBe(true);
    expect(Buffer.from(encodeChk(fromBinpb)).equals(file.bytes)).toBe(true);
  });

  it("lays the file out as Sui's blob indexer does: BCS values only, objects once on the checkpoint", () => {
    const fromChk = decodeCheckpointFile(fixtures[0]!.bytes, fixtures[0]!.name);
    const proto = GrpcTypes.Checkpoint.fromBinary(new Uint8Array(decompress(encodeBinpbZst(fromChk))));
    expect(proto.sequenceNumber).toBe(fromChk.sequenceNumber);
    expect(proto.digest).toBeUndefined();
    expect(proto.summary?.bcs?.name).toBeUndefined();
    expect(proto.summary?.bcs?.value).toEqual(fromChk.summaryBcs);
    expect(proto.signature?.bitmap).toEqual(fromChk.signature.signersMap);
    for (const tx of proto.transactions) {
      expect(tx.objects).toBeUndefined();
      expect(tx.signatures).toEqual([]);
      expect(tx.transaction?.bcs?.value?.length).toBeGreaterThan(0);
    }
    const keys = new Set<string>();
    for (const tx of fromChk.transactions) for (const o of [...tx.inputObjects, ...tx.outputObjects]) keys.add(`${o.objectId}:${o.version}`);
    expect(proto.objects?.objects.length).toBe(keys.size);
  });

  it("rejects a corrupted zstd frame, a corrupted protobuf and a name that disagrees", () => {
    const fromChk = decodeCheckpointFile(fixtures[0]!.bytes, fixtures[0]!.name);
    const name = `${fromChk.sequenceNumber}.binpb.zst`;
    const good = encodeBinpbZst(fromChk);

    const corrupt = Buffer.from(good);
    corrupt[0]! ^= 0xff; // zstd frame magic
    expect(() => decodeCheckpointFile(corrupt, name)).toThrow(NonRetryableError);

    const proto = encodeBinpb(fromChk);
    const truncated = compress(proto.subarray(0, proto.length - 10));
    try {
      decodeCheckpointFile(truncated, name);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NonRetryableError);
      expect((error as NonRetryableError).details.file).toBe(name);
    }

    try {
      decodeCheckpointFile(good, "1.binpb.zst");
      expect.unreachable();
    } catch (error) {
      expect((error as NonRetryableError).details).toMatchObject({ file: "1.binpb.zst", checkpoint: fromChk.sequenceNumber });
    }
  });

  it("checks the structure of every object in the set while decoding", () => {
    const fromChk = decodeCheckpointFile(fixtures[0]!.bytes, fixtures[0]!.name);
    const proto = GrpcTypes.Checkpoint.fromBinary(encodeBinpb(fromChk));
    const object = proto.objects!.objects[3]!.bcs!.value!;
    proto.objects!.objects[3]!.bcs!.value = object.subarray(0, object.length - 1);
    try {
      decodeBinpb(GrpcTypes.Checkpoint.toBinary(proto), "x.binpb");
      expect.unreachable();
    } catch (error) {
      expect((error as NonRetryableError).details).toMatchObject({ file: "x.binpb", checkpoint: fromChk.sequenceNumber });
      expect((error as NonRetryableError).details.field).toMatch(/^objects\[3\]\./);
    }
  });

  it("names the transaction and field when a BCS payload inside is corrupted", () => {
    const fromChk = decodeCheckpointFile(fixtures[0]!.bytes, fixtures[0]!.name);
    const proto = GrpcTypes.Checkpoint.fromBinary(encodeBinpb(fromChk));
    const effects = proto.transactions[2]!.effects!.bcs!.value!.slice();
    effects[0] = 9; // TransactionEffects tag
    proto.transactions[2]!.effects!.bcs!.value = effects;
    try {
      decodeBinpb(GrpcTypes.Checkpoint.toBinary(proto), "x.binpb");
      expect.unreachable();
    } catch (error) {
      expect((error as NonRetryableError).details).toMatchObject({
        file: "x.binpb",
        checkpoint: fromChk.sequenceNumber,
        field: "transactions[2].effects.TransactionEffects",
        offsetInField: 0,
        reason: "unknown variant 9",
      });
    }
  });
});
