/**
 * Test support: writes a set of u32 values in the portable Roaring format the way roaring-rs
 * does without `optimize()` (which Sui never calls on signer maps): cookie 12346, array
 * containers up to 4096 values, bitmap containers above, and the offset header.
 */
export function encodeRoaringBitmap(values: readonly number[]): Uint8Array {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const groups = new Map<number, number[]>();
  for (const v of sorted) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`not a u32: ${v}`);
    const key = Math.floor(v / 0x10000);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(v % 0x10000);
  }
  const containers = [...groups.entries()];
  const bodies = containers.map(([, lows]) => (lows.length <= 4096 ? arrayBody(lows) : bitmapBody(lows)));
  const headerLength = 8 + 8 * containers.length;
  const out = new Uint8Array(headerLength + bodies.reduce((n, b) => n + b.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, 12346, true);
  view.setUint32(4, containers.length, true);
  let offset = headerLength;
  containers.forEach(([key, lows], i) => {
    view.setUint16(8 + 4 * i, key, true);
    view.setUint16(10 + 4 * i, lows.length - 1, true);
    view.setUint32(8 + 4 * containers.length + 4 * i, offset, true);
    out.set(bodies[i]!, offset);
    offset += bodies[i]!.length;
  });
  return out;
}

function arrayBody(lows: number[]): Uint8Array {
  const body = new Uint8Array(2 * lows.length);
  const view = new DataView(body.buffer);
  lows.forEach((low, i) => view.setUint16(2 * i, low, true));
  return body;
}

function bitmapBody(lows: number[]): Uint8Array {
  const body = new Uint8Array(8192);
  for (const low of lows) body[low >> 3]! |= 1 << (low & 7);
  return body;
}
