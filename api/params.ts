/**
 * Request parameters: zod schemas that validate, normalize and document (OpenAPI) every
 * path and query parameter. A value that passes is canonical: addresses as `0x` + 64
 * lowercase hex, digests as 32 bytes, u64 as bigint, Move types in Sui's canonical form.
 */
import { z } from "@hono/zod-openapi";
import { fromBase58, normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";

/** Largest value a Postgres bigint (our u64 columns) holds. */
export const MAX_U64_IN_DB = 2n ** 63n - 1n;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const HEX_ADDRESS = /^0x[0-9a-fA-F]{1,64}$/;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;
const IDENTIFIER = /^(?:[A-Za-z][A-Za-z0-9_]*|_[A-Za-z0-9_]+)$/;
/** Longest type string accepted: far above any real type, low enough to bound the parser. */
const MAX_TYPE_LENGTH = 4096;

/**
 * Parses `0x…` hex into the canonical address, or null.
 *
 * @example
 * parseAddress("0x2"); // "0x000…0002" (64 hex digits)
 */
export function parseAddress(value: string): string | null {
  return HEX_ADDRESS.test(value) ? normalizeSuiAddress(value) : null;
}

/**
 * A Sui address or object id; `0x2` is accepted and widened to 64 hex digits.
 *
 * @example
 * z.object({ sender: address("Sender").optional() }).strict();
 */
export function address(description: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const parsed = parseAddress(value);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: "expected a Sui address: 0x followed by 1 to 64 hex digits" });
        return z.NEVER;
      }
      return parsed;
    })
    .openapi({
      type: "string",
      pattern: HEX_ADDRESS.source,
      description,
      example: "0x0000000000000000000000000000000000000000000000000000000000000002",
    });
}

/**
 * Decodes a base58 digest into its 32 bytes, or null.
 *
 * @example
 * parseDigest("4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc")?.length; // 32
 */
export function parseDigest(value: string): Uint8Array | null {
  if (value.length < 32 || value.length > 44 || !BASE58.test(value)) return null;
  try {
    const bytes = fromBase58(value);
    return bytes.length === 32 ? bytes : null;
  } catch {
    return null;
  }
}

/**
 * A transaction or checkpoint digest in base58 (32 bytes).
 *
 * @example
 * z.object({ digest: digest("Transaction digest") });
 */
export function digest(description: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const parsed = parseDigest(value);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: "expected a base58 digest of 32 bytes" });
        return z.NEVER;
      }
      return parsed;
    })
    .openapi({ type: "string", description, example: "4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc" });
}

/**
 * Parses a decimal u64 that fits a Postgres bigint, or null.
 *
 * @example
 * parseU64("100000017"); // 100000017n
 */
export function parseU64(value: string): bigint | null {
  if (!/^(0|[1-9][0-9]{0,18})$/.test(value)) return null;
  const n = BigInt(value);
  return n <= MAX_U64_IN_DB ? n : null;
}

/**
 * A sequence number or version, in decimal.
 *
 * @example
 * z.object({ sequence_number: u64("Checkpoint sequence number") });
 */
export function u64(description: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const parsed = parseU64(value);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: "expected a decimal integer from 0 to 2^63-1" });
        return z.NEVER;
      }
      return parsed;
    })
    .openapi({ type: "string", pattern: "^[0-9]{1,19}$", description, example: "100000017" });
}

export const limit = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return DEFAULT_LIMIT;
    const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= MAX_LIMIT)) {
      ctx.addIssue({ code: "custom", message: `expected an integer from 1 to ${MAX_LIMIT}` });
      return z.NEVER;
    }
    return n;
  })
  .openapi({
    type: "integer",
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: `Page size, 1 to ${MAX_LIMIT}`,
  });

export type Order = "asc" | "desc";

/**
 * `asc` or `desc`; chronological lists default to newest first.
 *
 * @example
 * order("desc").parse(undefined); // "desc"
 */
export function order(defaultOrder: Order) {
  return z
    .enum(["asc", "desc"])
    .optional()
    .transform((value): Order => value ?? defaultOrder)
    .openapi({ type: "string", enum: ["asc", "desc"], default: defaultOrder, description: "Sort order" });
}

export const cursor = z
  .string()
  .max(2048)
  .optional()
  .openapi({ type: "string", description: "The `next_cursor` of the previous page, as it was returned" });

/**
 * The paging parameters every list takes.
 *
 * @example
 * z.object({ owner: address("Owner"), ...paging("desc") }).strict();
 */
export function paging(defaultOrder: Order) {
  return { cursor, limit, order: order(defaultOrder) };
}

// ---------------------------------------------------------------------------------------
// Move types

/** A parsed Move type tag (primitives, vectors and structs). */
type TypeNode = string | { address: string; module: string; name: string; params: TypeNode[] };

const PRIMITIVES = new Set(["bool", "u8", "u16", "u32", "u64", "u128", "u256", "address", "signer"]);

/**
 * A strict recursive-descent check of a type tag's grammar (the SDK's parser is lenient:
 * it accepts `0xzz::a::B` or `B<notatype>`); the SDK then gives the canonical string.
 */
function parseTypeTag(input: string): TypeNode | null {
  let pos = 0;
  const skipSpace = () => {
    while (input[pos] === " ") pos++;
  };
  const token = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(input);
    if (!m) return null;
    pos += m[0].length;
    return m[0];
  };
  const type = (depth: number): TypeNode | null => {
    if (depth > 16) return null;
    skipSpace();
    const word = token(/0x[0-9a-fA-F]{1,64}|[A-Za-z_][A-Za-z0-9_]*/y);
    if (word === null) return null;
    if (!word.startsWith("0x")) {
      if (word === "vector") {
        if (input[pos] !== "<") return null;
        pos++;
        const inner = type(depth + 1);
        skipSpace();
        if (inner === null || input[pos] !== ">") return null;
        pos++;
        return `vector<${typeof inner === "string" ? inner : formatType(inner)}>`;
      }
      return PRIMITIVES.has(word) ? word : null;
    }
    if (input.slice(pos, pos + 2) !== "::") return null;
    pos += 2;
    const module = token(/[A-Za-z_][A-Za-z0-9_]*/y);
    if (module === null || !IDENTIFIER.test(module) || input.slice(pos, pos + 2) !== "::") return null;
    pos += 2;
    const name = token(/[A-Za-z_][A-Za-z0-9_]*/y);
    if (name === null || !IDENTIFIER.test(name)) return null;
    const params: TypeNode[] = [];
    if (input[pos] === "<") {
      pos++;
      for (;;) {
        const param = type(depth + 1);
        if (param === null) return null;
        params.push(param);
        skipSpace();
        if (input[pos] === ",") {
          pos++;
          continue;
        }
        if (input[pos] !== ">") return null;
        pos++;
        break;
      }
    }
    return { address: word, module, name, params };
  };
  const node = type(0);
  skipSpace();
  return node !== null && pos === input.length ? node : null;
}

function formatType(node: TypeNode): string {
  if (typeof node === "string") return node;
  const head = `${normalizeSuiAddress(node.address)}::${node.module}::${node.name}`;
  return node.params.length === 0 ? head : `${head}<${node.params.map(formatType).join(",")}>`;
}

/**
 * A struct type in canonical form (full addresses, no spaces), or null when malformed.
 *
 * @example
 * parseStructType("0x2::coin::Coin<0x2::sui::SUI>"); // "0x0…02::coin::Coin<0x0…02::sui::SUI>"
 */
export function parseStructType(value: string): string | null {
  if (value.length > MAX_TYPE_LENGTH || value.trim() !== value) return null;
  const node = parseTypeTag(value);
  if (node === null || typeof node === "string") return null;
  // The grammar is checked above; the SDK gives Sui's canonical string.
  return normalizeStructTag(formatType(node));
}

/**
 * A type filter at any granularity: a package (`0x2`), a module (`0x2::coin`), a struct
 * name matching every instantiation (`0x2::coin::Coin`), or one exact type
 * (`0x2::coin::Coin<0x2::sui::SUI>`).
 */
export type TypeFilter =
  | { kind: "package"; prefix: string }
  | { kind: "module"; prefix: string }
  | { kind: "name"; name: string }
  | { kind: "exact"; type: string };

/**
 * @example
 * parseTypeFilter("0x2::coin"); // { kind: "module", prefix: "0x0…02::coin::" }
 */
export function parseTypeFilter(value: string): TypeFilter | null {
  if (value.length > MAX_TYPE_LENGTH) return null;
  const parts = value.split("::");
  if (parts.length === 1) {
    const pkg = parseAddress(value);
    return pkg === null ? null : { kind: "package", prefix: `${pkg}::` };
  }
  if (parts.length === 2) {
    const pkg = parseAddress(parts[0]!);
    if (pkg === null || !IDENTIFIER.test(parts[1]!)) return null;
    return { kind: "module", prefix: `${pkg}::${parts[1]}::` };
  }
  const type = parseStructType(value);
  if (type === null) return null;
  return type.includes("<") ? { kind: "exact", type } : { kind: "name", name: type };
}

/**
 * The canonical string of a type filter (for cursors and echoing).
 *
 * @example
 * typeFilterKey({ kind: "name", name: "0x…::coin::Coin" }); // "0x…::coin::Coin"
 */
export function typeFilterKey(filter: TypeFilter): string {
  switch (filter.kind) {
    case "package":
    case "module":
      return filter.prefix;
    case "name":
      return filter.name;
    case "exact":
      return filter.type;
  }
}

/**
 * A type filter parameter (see TypeFilter).
 *
 * @example
 * z.object({ type: typeFilter("Event type").optional() });
 */
export function typeFilter(description: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const parsed = parseTypeFilter(value);
      if (parsed === null) {
        ctx.addIssue({
          code: "custom",
          message: "expected a package id, package::module, package::module::Type or a full Move type",
        });
        return z.NEVER;
      }
      return parsed;
    })
    .openapi({ type: "string", description, example: "0x2::coin::Coin<0x2::sui::SUI>" });
}

/**
 * One exact struct type, e.g. a coin type.
 *
 * @example
 * z.object({ coin_type: structType("Coin type").optional() });
 */
export function structType(description: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const parsed = parseStructType(value);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: "expected a Move struct type such as 0x2::sui::SUI" });
        return z.NEVER;
      }
      return parsed;
    })
    .openapi({ type: "string", description, example: "0x2::sui::SUI" });
}

/** `package` or `package::module`: an emitting module filter. */
export type ModuleFilter = { package: string; module: string | null };

/**
 * An emitting module: `package` or `package::module`.
 *
 * @example
 * z.object({ module: moduleFilter("Emitting module").optional() });
 */
export function moduleFilter(description: string) {
  return z
    .string()
    .transform((value, ctx): ModuleFilter => {
      const parts = value.split("::");
      const pkg = parts.length <= 2 ? parseAddress(parts[0]!) : null;
      const module = parts[1] ?? null;
      if (pkg === null || (module !== null && !IDENTIFIER.test(module))) {
        ctx.addIssue({ code: "custom", message: "expected a package id or package::module" });
        return z.NEVER;
      }
      return { package: pkg, module };
    })
    .openapi({ type: "string", description, example: "0x2::coin" });
}
