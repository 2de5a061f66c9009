import { GrpcTypes } from "@mysten/sui/grpc";
import { describe, expect, it } from "vitest";
import { encodeBinpb } from "./binpb-writer.ts";
import { BcsDecodeError } from "./cursor.ts";
import { decodeCheckpointFile } from "./file.ts";
import { readCheckpointMessage } from "./protobuf.ts";
import { loadFixtureCheckpoints } from "./test-helpers.ts";

const fixture = loadFixtureCheckpoints()[3]!;
const model = decodeCheckpointFile(fixture.bytes, fixture.name);

/** What decoding reads, from either parser, as comparable hex strings. */
function essentials(m: ReturnType<typeof readCheckpointMessage>): unknown {
  const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString("hex") : null);
  return {
    sequenceNumber: m.sequenceNumber,
    summary: hex(m.summary?.bcs?.value),
    signature: [m.signature?.epoch, hex(m.signature?.signature), hex(m.signature?.bitmap)],
    contents: hex(m.contents?.bcs?.value),
    transactions: m.transactions.map((t) => ({
      transaction: hex(t.transaction?.bcs?.value),
      signatures: t.signatures.map((s) => hex(s.bcs?.value)),
      effects: hex(t.effects?.bcs?.value),
      events: hex(t.events?.bcs?.value),
      objects: t.objects?.objects.map((o) => hex(o.bcs?.value)) ?? null,
    })),
    objects: m.objects?.objects.map((o) => hex(o.bcs?.value)),
  };
}

describe("the checkpoint protobuf reader", () => {
  it("reads what protobuf-ts reads, skipping every field it does not need", () => {
    const proto = GrpcTypes.Checkpoint.fromBinary(encodeBinpb(model));
    // Fields the reader must step over: strings, nested messages, varints, repeated entries.
    proto.digest = "9AeQ2ApuPBCuR4mAAwFhz8phfWnVpKs7S81KBDe89M7m";
    proto.summary!.bcs!.name = "CheckpointSummary";
    proto.summary!.epoch = 7n;
    proto.transactions[0]!.digest = "x";
    proto.transactions[0]!.checkpoint = 99n;
    proto.transactions[0]!.signatures = [GrpcTypes.UserSignature.create({ bcs: { name: "UserSignature", value: new Uint8Array([1, 2, 3]) } })];
    proto.transactions[0]!.balanceChanges = [GrpcTypes.BalanceChange.create({ address: "0x1", coinType: "0x2::sui::SUI", amount: "-5" })];
    proto.transactions[0]!.objects = GrpcTypes.ObjectSet.create({ objects: [{ bcs: { value: new Uint8Array([4]) }, objectId: "0x5", version: 3n }] });
    proto.transactions[0]!.effects!.status = GrpcTypes.ExecutionStatus.create({ success: true });
    const bytes = GrpcTypes.Checkpoint.toBinary(proto);
    const expected = essentials(GrpcTypes.Checkpoint.fromBinary(bytes));
    expect(essentials(readCheckpointMessage(bytes))).toEqual(expected);
  });

  it("fails on malformed input with the field path and offset", () => {
    const bytes = encodeBinpb(model);
    for (const cut of [1, 10, Math.floor(bytes.length / 2), bytes.length - 1]) {
      expect(() => readCheckpointMessage(bytes.subarray(0, cut))).toThrow(BcsDecodeError);
    }
    try {
      readCheckpointMessage(new Uint8Array([0x0a, 0x01, 0x00])); // field 1 (a varint) sent as bytes
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ field: "protobuf.Checkpoint", offset: 1, reason: "wire type 2, expected 0" });
    }
  });
});
