import { bigint, customType, numeric } from "drizzle-orm/pg-core";

/**
 * `bytea` as a `Uint8Array` on both drivers: postgres.js hands back a `Buffer` (a
 * Uint8Array subclass), PGlite a plain `Uint8Array`; text (`\x…`) is accepted too so that
 * a raw query result can be mapped the same way.
 *
 * @example
 * const t = pgTable("t", { digest: bytea("digest").notNull() });
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array | string }>({
  dataType() {
    return "bytea";
  },
  toDriver(value: Uint8Array): Uint8Array {
    // postgres.js infers bytea from Buffer; PGlite accepts any Uint8Array.
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  },
  fromDriver(value: Uint8Array | string): Uint8Array {
    if (typeof value === "string") return Buffer.from(value.startsWith("\\x") ? value.slice(2) : value, "hex");
    return value;
  },
});

/**
 * A u64 (checkpoint and transaction sequence numbers, versions, gas) as a JS `bigint`.
 *
 * @example
 * pgTable("t", { version: u64("version").notNull() });
 */
export function u64(name: string) {
  return bigint(name, { mode: "bigint" });
}

/**
 * An arbitrary-precision integer (i128 balance deltas) as a JS `bigint`.
 *
 * @example
 * pgTable("t", { amount: amount("amount").notNull() });
 */
export function amount(name: string) {
  return numeric(name, { mode: "bigint" });
}
