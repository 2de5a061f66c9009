/**
 * Move `TypeTag` / `StructTag` in BCS, read straight into Sui's canonical string form:
 * full-length `0x` addresses, `::` separators, type arguments joined by "," without a space
 * (as `to_canonical_string(true)` prints them).
 */
import type { BcsCursor } from "./cursor.ts";

/** TypeTag variants in BCS order (move-core-types `TypeTag`). */
const PRIMITIVES: readonly (string | null)[] = [
  "bool",
  "u8",
  "u64",
  "u128",
  "address",
  "signer",
  null, // 6: vector
  null, // 7: struct
  "u16",
  "u32",
  "u256",
];

/** Nesting bound: real types are shallow; a corrupted tag must not exhaust the stack. */
const MAX_DEPTH = 64;

export function readTypeTag(c: BcsCursor, field: string, depth = 0): string {
  if (depth > MAX_DEPTH) c.fail(field, "type tag nested too deeply");
  const tag = c.variant(11, field);
  const primitive = PRIMITIVES[tag];
  if (primitive) return primitive;
  if (tag === 6) return `vector<${readTypeTag(c, field, depth + 1)}>`;
  return readStructTag(c, field, depth + 1);
}

export function readStructTag(c: BcsCursor, field: string, depth = 0): string {
  const address = c.address(field);
  const module = c.string(field);
  const name = c.string(field);
  const n = c.length(field);
  if (n === 0) return `${address}::${module}::${name}`;
  let params = readTypeTag(c, field, depth + 1);
  for (let i = 1; i < n; i++) params += "," + readTypeTag(c, field, depth + 1);
  return `${address}::${module}::${name}<${params}>`;
}

export function skipTypeTag(c: BcsCursor, field: string, depth = 0): void {
  if (depth > MAX_DEPTH) c.fail(field, "type tag nested too deeply");
  const tag = c.variant(11, field);
  if (tag === 6) skipTypeTag(c, field, depth + 1);
  else if (tag === 7) skipStructTag(c, field, depth + 1);
}

export function skipStructTag(c: BcsCursor, field: string, depth = 0): void {
  c.skip(32, field);
  c.skipByteVector(field);
  c.skipByteVector(field);
  const n = c.length(field);
  for (let i = 0; i < n; i++) skipTypeTag(c, field, depth + 1);
}

export const SUI_FRAMEWORK = "0x0000000000000000000000000000000000000000000000000000000000000002";
export const SUI_SYSTEM = "0x0000000000000000000000000000000000000000000000000000000000000003";
export const SUI_COIN_TYPE = `${SUI_FRAMEWORK}::sui::SUI`;
export const COIN_PREFIX = `${SUI_FRAMEWORK}::coin::Coin<`;

/** A type read from BCS: its canonical string and, when it is `0x2::coin::Coin<T>`, T. */
export interface CachedType {
  type: string;
  coinType: string | null;
}

/**
 * Canonical strings of recently seen type tags, keyed by their BCS bytes. Event and object
 * types recur constantly; hashing and comparing their bytes is much cheaper than building
 * the string (hex addresses, nested parameters) again.
 */
const TYPE_CACHE_LIMIT = 16384;
const typeCache = new Map<number, TypeCacheEntry>();

/**
 * A hash of the length and up to 8 words spread over the range: enough to tell recurring
 * types apart (a collision only costs a recomputation, the bytes are always compared).
 */
function hashRange(c: BcsCursor, start: number, end: number): number {
  const length = end - start;
  let h = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  if (length >= 4) {
    const step = Math.max(4, ((length >> 5) << 2));
    for (let i = start; i + 4 <= end; i += step) h = Math.imul(h ^ c.u32At(i), 0x01000193);
    h = Math.imul(h ^ c.u32At(end - 4), 0x01000193);
  } else {
    for (let i = start; i < end; i++) h = Math.imul(h ^ c.bytes[i]!, 0x01000193);
  }
  return h & 0x3fffffff;
}

interface TypeCacheEntry {
  key: Uint8Array;
  words: DataView;
  value: CachedType;
}

function sameRange(entry: TypeCacheEntry, c: BcsCursor, start: number, end: number): boolean {
  const length = end - start;
  if (entry.key.length !== length) return false;
  let i = 0;
  for (; i + 4 <= length; i += 4) if (entry.words.getUint32(i, true) !== c.u32At(start + i)) return false;
  for (; i < length; i++) if (entry.key[i] !== c.bytes[start + i]) return false;
  return true;
}

/** A `StructTag` (struct = true) or `TypeTag` at the cursor, through the cache. */
export function readTypeCached(c: BcsCursor, field: string, struct: boolean): CachedType {
  const start = c.pos;
  if (struct) skipStructTag(c, field);
  else skipTypeTag(c, field);
  const end = c.pos;
  const hash = hashRange(c, start, end);
  const hit = typeCache.get(hash);
  if (hit && sameRange(hit, c, start, end)) return hit.value;
  c.pos = start;
  const type = struct ? readStructTag(c, field) : readTypeTag(c, field);
  const value: CachedType = { type, coinType: coinTypeOf(type) };
  if (typeCache.size >= TYPE_CACHE_LIMIT) typeCache.clear();
  const key = c.bytes.slice(start, end);
  typeCache.set(hash, { key, words: new DataView(key.buffer), value });
  return value;
}

/** `T` of a canonical `0x2::coin::Coin<T>` string, else null. */
export function coinTypeOf(type: string): string | null {
  return type.startsWith(COIN_PREFIX) && type.endsWith(">") ? type.slice(COIN_PREFIX.length, -1) : null;
}
