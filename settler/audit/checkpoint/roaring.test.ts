import { describe, expect, it } from "vitest";
import { loadFixtureCheckpoints } from "../../../indexer/decode/test-helpers.ts";
import { decodeChk } from "../../../indexer/decode/chk.ts";
import { RoaringFormatError, decodeRoaringBitmap } from "./roaring.ts";
import { encodeRoaringBitmap } from "./testing/roaring-writer.ts";

/** Little-endian byte builder for hand-made bitmaps. */
class Bytes {
  private readonly out: number[] = [];
  u16(...values: number[]): this {
    for (const v of values) this.out.push(v & 0xff, (v >> 8) & 0xff);
    return this;
  }
  u32(...values: number[]): this {
    for (const v of values) this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    return this;
  }
  raw(...values: number[]): this {
    this.out.push(...values);
    return this;
  }
  get length(): number {
    return this.out.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

const range = (from: number, to: number, step = 1): number[] => {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
};

function rejects(bytes: Uint8Array, reason: RegExp, maxCardinality?: number): void {
  let error: unknown;
  try {
    decodeRoaringBitmap(bytes, maxCardinality);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RoaringFormatError);
  expect(String((error as RoaringFormatError).details.reason)).toMatch(reason);
}

/** Cookie 12346 (no run containers): count, descriptive header, offsets, array bodies. */
function arrayBitmap(containers: Array<[key: number, lows: number[]]>): Bytes {
  const b = new Bytes().u32(12346, containers.length);
  for (const [key, lows] of containers) b.u16(key, lows.length - 1);
  let offset = 8 + 8 * containers.length;
  for (const [, lows] of containers) {
    b.u32(offset);
    offset += 2 * lows.length;
  }
  for (const [, lows] of containers) b.u16(...lows);
  return b;
}

describe("portable roaring bitmap decoder", () => {
  it("decodes the empty bitmap", () => {
    expect(decodeRoaringBitmap(new Bytes().u32(12346, 0).done())).toEqual([]);
  });

  it("decodes array containers (cookie 12346, offset header)", () => {
    const bytes = arrayBitmap([
      [0, [0, 5, 9, 65535]],
      [1, [3]],
      [0xffff, [0xffff]],
    ]).done();
    expect(decodeRoaringBitmap(bytes)).toEqual([0, 5, 9, 65535, 65539, 0xffffffff]);
  });

  it("decodes a bitmap container (more than 4096 values)", () => {
    const values = range(0, 8192, 2); // 4097 values
    const body = new Uint8Array(8192);
    for (const v of values) body[v >> 3]! |= 1 << (v & 7);
    const bytes = new Bytes()
      .u32(12346, 1)
      .u16(2, values.length - 1)
      .u32(16)
      .raw(...body)
      .done();
    expect(decodeRoaringBitmap(bytes)).toEqual(values.map((v) => 2 * 65536 + v));
  });

  it("decodes run containers (cookie 12347, fewer than 4 containers: no offsets)", () => {
    // The spec's example runs 1,10 20,0 31,2 = 1..11, 20, 31..33, in container key 0.
    const bytes = new Bytes()
      .u32(12347 | (0 << 16))
      .raw(0b1)
      .u16(0, 15 - 1)
      .u16(3, 1, 10, 20, 0, 31, 2)
      .done();
    expect(decodeRoaringBitmap(bytes)).toEqual([...range(1, 11), 20, 31, 32, 33]);
  });

  it("decodes mixed run, array and bitmap containers with the offset header (4+ containers)", () => {
    const bitmapValues = range(1, 8191, 2); // 4096 odd values, and 8192: 4097, a bitmap container
    bitmapValues.push(8192);
    const body = new Uint8Array(8192);
    for (const v of bitmapValues) body[v >> 3]! |= 1 << (v & 7);
    const b = new Bytes()
      .u32(12347 | (3 << 16)) // 4 containers
      .raw(0b0101) // containers 0 and 2 are runs
      .u16(0, 3 - 1) // run: 7,8,9
      .u16(1, 2 - 1) // array: 1, 2
      .u16(4, 65536 - 1) // run: the whole container
      .u16(9, bitmapValues.length - 1); // bitmap
    const headerEnd = b.length + 16;
    const sizes = [2 + 4, 4, 2 + 4, 8192];
    let offset = headerEnd;
    for (const size of sizes) {
      b.u32(offset);
      offset += size;
    }
    const bytes = b.u16(1, 7, 2).u16(1, 2).u16(1, 0, 65535).raw(...body).done();
    const values = decodeRoaringBitmap(bytes, 1 << 20);
    expect(values.slice(0, 5)).toEqual([7, 8, 9, 65536 + 1, 65536 + 2]);
    expect(values.slice(5, 65536 + 5)).toEqual(range(4 * 65536, 5 * 65536 - 1));
    expect(values.slice(65536 + 5)).toEqual(bitmapValues.map((v) => 9 * 65536 + v));
  });

  it("decodes every real fixture's signers map, and the test writer reproduces it byte for byte", () => {
    const fixtures = loadFixtureCheckpoints();
    expect(fixtures.length).toBeGreaterThan(20);
    for (const fixture of fixtures) {
      const { signersMap } = decodeChk(fixture.bytes, fixture.name).signature;
      const signers = decodeRoaringBitmap(signersMap);
      // Sui committees hold around a hundred validators; a quorum is most of them.
      expect(signers.length).toBeGreaterThan(50);
      expect(signers.at(-1)!).toBeLessThan(200);
      expect(encodeRoaringBitmap(signers)).toEqual(signersMap);
    }
  });

  it("rejects an unknown cookie, truncation and trailing bytes", () => {
    rejects(new Bytes().u32(12345, 0).done(), /unknown cookie/);
    rejects(new Bytes().u32(12346).done(), /truncated/);
    rejects(arrayBitmap([[0, [1, 2]]]).done().subarray(0, 19), /truncated/);
    rejects(arrayBitmap([[0, [1, 2]]]).raw(0).done(), /left over/);
  });

  it("rejects a value listed twice or out of order in an array container", () => {
    rejects(arrayBitmap([[0, [1, 1, 2]]]).done(), /not above/);
    rejects(arrayBitmap([[0, [3, 2]]]).done(), /not above/);
  });

  it("rejects a repeated or decreasing container key (the same values twice)", () => {
    rejects(
      arrayBitmap([
        [0, [1]],
        [0, [1]],
      ]).done(),
      /does not increase/,
    );
    rejects(
      arrayBitmap([
        [2, [1]],
        [1, [1]],
      ]).done(),
      /does not increase/,
    );
  });

  it("rejects overlapping runs, runs past 65535 and runs beyond the header's cardinality", () => {
    const run = (card: number, ...pairs: number[]): Uint8Array =>
      new Bytes()
        .u32(12347)
        .raw(1)
        .u16(0, card - 1)
        .u16(pairs.length / 2, ...pairs)
        .done();
    expect(decodeRoaringBitmap(run(5, 1, 1, 3, 2))).toEqual([1, 2, 3, 4, 5]); // adjacent is fine
    rejects(run(5, 1, 2, 3, 1), /overlaps/);
    rejects(run(4, 5, 1, 1, 1), /overlaps|precedes/);
    rejects(run(2, 65535, 1), /passes 65535/);
    rejects(run(1, 0, 65535), /more than the 1 values/);
  });

  it("rejects a cardinality that does not match the data", () => {
    const bytes = new Bytes().u32(12346, 1).u16(0, 2 - 1).u32(16).u16(1, 2).done();
    bytes[10] = 2; // header now says 3 values: the array reads 3 and runs out
    rejects(bytes, /truncated/);
    const body = new Uint8Array(8192);
    body[0] = 0xff; // 8 values where the header promises 4097
    rejects(new Bytes().u32(12346, 1).u16(0, 4096).u32(16).raw(...body).done(), /holds 8 values/);
  });

  it("rejects offsets that do not point at the containers", () => {
    const bytes = arrayBitmap([[0, [1, 2]]]).done();
    bytes[12] = 17;
    rejects(bytes, /offset header/);
  });

  it("rejects run flags for containers that do not exist", () => {
    rejects(new Bytes().u32(12347).raw(0b10).u16(0, 0).u16(7).done(), /run flags/);
  });

  it("refuses more values than allowed, before materializing them", () => {
    const bytes = new Bytes().u32(12347).raw(1).u16(0, 65535).u16(1, 0, 65535).done();
    expect(decodeRoaringBitmap(bytes, 65536)).toHaveLength(65536);
    rejects(bytes, /at most 1000 allowed/, 1000);
  });
});
