/**
 * What the settlement tracks: every object, or the objects matched by any of a list of
 * packages (by original id), types, or owners. The configuration's canonical JSON is what
 * `settle init` emits on chain, and its blake2b-256 is what the registry stores, so an
 * auditor recomputes exactly the same stream from the same bytes.
 *
 * Canonical form: `{"kind":"all","version":1}` or
 * `{"kind":"filter","owners":[…],"packages":[…],"types":[…],"version":1}`, keys sorted,
 * no whitespace, each list sorted and without duplicates, addresses as 0x + 64 lowercase
 * hex, types in Sui's canonical form (full addresses, no spaces, defining package ids).
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { NonRetryableError } from "../../common/errors.ts";

export const TRACKING_CONFIG_VERSION = 1;

export type TrackingConfig =
  | { kind: "all" }
  | {
      kind: "filter";
      /** Package original ids: an object matches when its type mentions any version of one. */
      packages: string[];
      /** `0x…::m::T` matches every instantiation; `0x…::m::T<…>` exactly that type. */
      types: string[];
      /** Address, object or consensus-address owners. */
      owners: string[];
    };

const HEX_ADDRESS = /^0x[0-9a-fA-F]{1,64}$/;
const TYPE_SHAPE = /^0x[0-9a-fA-F]{1,64}::[A-Za-z_][A-Za-z0-9_]*::[A-Za-z_][A-Za-z0-9_]*(<.+>)?$/;

/**
 * Validates and normalizes a configuration (from JSON or flags).
 *
 * @example
 * normalizeTrackingConfig({ kind: "filter", packages: ["0x2"], types: [], owners: [] });
 */
export function normalizeTrackingConfig(input: unknown): TrackingConfig {
  if (typeof input !== "object" || input === null) throw invalid("must be an object");
  const record = input as Record<string, unknown>;
  const version = record.version ?? TRACKING_CONFIG_VERSION;
  if (version !== TRACKING_CONFIG_VERSION) throw invalid("unsupported version", { version: String(version) });
  const known = new Set(["kind", "version", "packages", "types", "owners"]);
  for (const key of Object.keys(record)) if (!known.has(key)) throw invalid("unknown field", { field: key });
  if (record.kind === "all") {
    for (const list of ["packages", "types", "owners"]) {
      if (record[list] !== undefined) throw invalid(`kind "all" takes no ${list}`);
    }
    return { kind: "all" };
  }
  if (record.kind !== "filter") throw invalid('kind must be "all" or "filter"', { kind: String(record.kind) });
  const packages = uniqueSorted(stringList(record.packages, "packages").map((p) => address(p, "packages")));
  const owners = uniqueSorted(stringList(record.owners, "owners").map((o) => address(o, "owners")));
  const types = uniqueSorted(stringList(record.types, "types").map(structType));
  if (packages.length + owners.length + types.length === 0) {
    throw invalid('a "filter" configuration needs at least one package, type or owner');
  }
  return { kind: "filter", packages, types, owners };
}

/**
 * The canonical JSON text of a configuration.
 *
 * @example
 * canonicalTrackingJson({ kind: "all" }); // '{"kind":"all","version":1}'
 */
export function canonicalTrackingJson(config: TrackingConfig): string {
  const normalized = normalizeTrackingConfig(config);
  if (normalized.kind === "all") return JSON.stringify({ kind: "all", version: TRACKING_CONFIG_VERSION });
  const { owners, packages, types } = normalized;
  return JSON.stringify({ kind: "filter", owners, packages, types, version: TRACKING_CONFIG_VERSION });
}

/**
 * blake2b-256 of the canonical JSON's UTF-8 bytes: the registry's `tracking_config_hash`.
 *
 * @example
 * trackingConfigHash({ kind: "all" }); // 32 bytes
 */
export function trackingConfigHash(config: TrackingConfig): Uint8Array {
  return blake2b(trackingConfigBytes(config), { dkLen: 32 });
}

/**
 * The bytes `settle init` passes as `tracking_config`.
 *
 * @example
 * trackingConfigBytes({ kind: "all" }); // UTF-8 of '{"kind":"all","version":1}'
 */
export function trackingConfigBytes(config: TrackingConfig): Uint8Array {
  return new TextEncoder().encode(canonicalTrackingJson(config));
}

/**
 * Parses canonical (or any equivalent) JSON text into a configuration.
 *
 * @example
 * parseTrackingConfig('{"kind":"all"}');
 */
export function parseTrackingConfig(text: string): TrackingConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new NonRetryableError("tracking configuration is not JSON", { cause: error });
  }
  return normalizeTrackingConfig(parsed);
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw invalid(`${name} must be a list of strings`);
  }
  return value as string[];
}

function address(value: string, list: string): string {
  if (!HEX_ADDRESS.test(value)) throw invalid(`${list}: expected 0x followed by 1 to 64 hex digits`, { value });
  return normalizeSuiAddress(value.toLowerCase());
}

function structType(value: string): string {
  if (/\s/.test(value) || !TYPE_SHAPE.test(value)) {
    throw invalid("types: expected a Move struct type such as 0x2::coin::Coin or 0x2::coin::Coin<0x2::sui::SUI>", {
      value,
    });
  }
  try {
    return normalizeStructTag(value);
  } catch (error) {
    throw new NonRetryableError("tracking configuration: malformed type", { details: { value }, cause: error });
  }
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function invalid(message: string, details?: Record<string, string>): NonRetryableError {
  return new NonRetryableError(`tracking configuration: ${message}`, { details });
}
