/**
 * The JSON shapes of responses: u64 as decimal strings, digests in base58, addresses in
 * canonical `0x` + 64 hex, BCS bytes in base64; every body says which checkpoint the
 * data is consistent with.
 */
import { z } from "@hono/zod-openapi";
import { bytes } from "./sql.ts";

export const U64 = z.string().openapi({ type: "string", pattern: "^[0-9]+$", example: "100000017" });
export const I128 = z.string().openapi({ type: "string", pattern: "^-?[0-9]+$", example: "-1500000" });
export const Digest = z.string().openapi({ type: "string", description: "base58", example: "4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc" });
export const Address = z
  .string()
  .openapi({ type: "string", example: "0x0000000000000000000000000000000000000000000000000000000000000002" });
export const Base64 = z.string().openapi({ type: "string", format: "byte", description: "base64" });

const Checkpoint = z.string().openapi({
  description: "The indexed checkpoint the data is consistent with: the watermark at read time, or the pin of a paged listing",
  example: "100000017",
});

/**
 * `{ checkpoint, data }` for one resource.
 *
 * @example
 * const TransactionResponse = itemEnvelope("TransactionResponse", Transaction);
 */
export function itemEnvelope<T extends z.ZodType>(name: string, item: T) {
  return z.object({ checkpoint: Checkpoint, data: item }).openapi(name);
}

/**
 * `{ checkpoint, data: [...], next_cursor }` for a page of a listing.
 *
 * @example
 * const EventPage = listEnvelope("EventPage", Event);
 */
export function listEnvelope<T extends z.ZodType>(name: string, item: T) {
  return z
    .object({
      checkpoint: Checkpoint.nullable().openapi({ description: "Null while nothing is indexed yet" }),
      data: z.array(item),
      next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
    })
    .openapi(name);
}

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/**
 * Base58 (Bitcoin alphabet, as Sui prints digests). The SDK's toBase58 goes through
 * bigint arithmetic at ~50 µs per digest, which dominated the CPU of a page of 50 rows;
 * this is the usual byte-array long division (same output, tested against the SDK).
 *
 * @example
 * encodeBase58(new Uint8Array(32)); // "11111111111111111111111111111111"
 */
export function encodeBase58(input: Uint8Array): string {
  let zeros = 0;
  while (zeros < input.length && input[zeros] === 0) zeros++;
  // log(256) / log(58) < 1.38: digits needed.
  const size = (((input.length - zeros) * 138) / 100 + 1) | 0;
  const digits = new Uint8Array(size);
  let length = 0;
  for (let i = zeros; i < input.length; i++) {
    let carry = input[i]!;
    let j = 0;
    for (let k = size - 1; (carry !== 0 || j < length) && k >= 0; k--, j++) {
      carry += 256 * digits[k]!;
      digits[k] = carry % 58;
      carry = (carry / 58) | 0;
    }
    length = j;
  }
  let start = size - length;
  while (start < size && digits[start] === 0) start++;
  let out = "1".repeat(zeros);
  for (let i = start; i < size; i++) out += ALPHABET[digits[i]!];
  return out;
}

/** A bytea column in base58 (digests). @example base58(row.digest) */
export function base58(value: unknown): string {
  return encodeBase58(bytes(value));
}

export function base58OrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : base58(value);
}

/** A bytea column in base64 (BCS). @example base64(row.contents) */
export function base64(value: unknown): string {
  const b = bytes(value);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

/** The owner of an object as Sui models it. */
export const Owner = z
  .object({
    kind: z.enum(["address", "object", "shared", "immutable", "consensusAddress"]),
    address: Address.nullable().openapi({ description: "address and object owners, consensus-address owners" }),
    initial_shared_version: U64.nullable().openapi({
      description: "shared objects: initial shared version; consensus-address owners: start version",
    }),
  })
  .openapi("Owner");
export type Owner = z.infer<typeof Owner>;

/**
 * The owner columns as an Owner, or null for a deleted or wrapped version.
 *
 * @example
 * ownerOf("shared", null, 1n); // { kind: "shared", address: null, initial_shared_version: "1" }
 */
export function ownerOf(kind: unknown, address: unknown, initialSharedVersion: unknown): Owner | null {
  if (kind === null || kind === undefined) return null;
  return {
    kind: String(kind) as Owner["kind"],
    address: address === null || address === undefined ? null : String(address),
    initial_shared_version:
      initialSharedVersion === null || initialSharedVersion === undefined ? null : String(initialSharedVersion),
  };
}
