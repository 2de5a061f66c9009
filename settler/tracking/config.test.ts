import { blake2b } from "@noble/hashes/blake2.js";
import { describe, expect, it } from "vitest";
import { canonicalTrackingJson, normalizeTrackingConfig, parseTrackingConfig, trackingConfigBytes, trackingConfigHash } from "./config.ts";
import { createTrackingFilter } from "./filter.ts";

const pkg = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

describe("tracking configuration", () => {
  it("has one canonical JSON per meaning: sorted keys and lists, normalized ids and types, no duplicates", () => {
    const a = canonicalTrackingJson({ kind: "filter", packages: ["0xB", "0x2", "0x02"], types: ["0x2::coin::Coin<0x2::sui::SUI>"], owners: ["0xa11ce"] });
    const b = canonicalTrackingJson(parseTrackingConfig(JSON.stringify({ types: ["0x0002::coin::Coin<0x2::sui::SUI>"], owners: ["0xA11CE"], packages: ["0x2", "0xb"], kind: "filter", version: 1 })));
    expect(a).toBe(b);
    expect(a).toBe(
      `{"kind":"filter","owners":["${pkg(0xa11ce)}"],"packages":["${pkg(2)}","${pkg(0xb)}"],"types":["${pkg(2)}::coin::Coin<${pkg(2)}::sui::SUI>"],"version":1}`,
    );
    expect(canonicalTrackingJson({ kind: "all" })).toBe('{"kind":"all","version":1}');
  });

  it("hashes the canonical bytes with blake2b-256, as the registry stores them", () => {
    const config = { kind: "all" } as const;
    expect(trackingConfigHash(config)).toEqual(blake2b(new TextEncoder().encode('{"kind":"all","version":1}'), { dkLen: 32 }));
    expect(trackingConfigBytes(config)).toEqual(new TextEncoder().encode('{"kind":"all","version":1}'));
    expect(trackingConfigHash({ kind: "filter", packages: ["0x2"], types: [], owners: [] })).not.toEqual(trackingConfigHash(config));
  });

  it("rejects what it cannot state canonically", () => {
    expect(() => normalizeTrackingConfig({ kind: "filter", packages: [], types: [], owners: [] })).toThrow(/at least one package, type or owner/);
    expect(() => normalizeTrackingConfig({ kind: "some" })).toThrow(/kind must be/);
    expect(() => normalizeTrackingConfig({ kind: "all", packages: ["0x2"] })).toThrow(/takes no packages/);
    expect(() => normalizeTrackingConfig({ kind: "filter", owners: ["alice"] })).toThrow(/owners: expected 0x/);
    expect(() => normalizeTrackingConfig({ kind: "filter", types: ["0x2::coin"] })).toThrow(/types: expected a Move struct type/);
    expect(() => normalizeTrackingConfig({ kind: "filter", types: ["0x2::coin::Coin< 0x2::sui::SUI>"] })).toThrow(/types/);
    expect(() => normalizeTrackingConfig({ kind: "all", version: 2 })).toThrow(/unsupported version/);
    expect(() => normalizeTrackingConfig({ kind: "all", extra: 1 })).toThrow(/unknown field/);
    expect(() => parseTrackingConfig("{")).toThrow(/not JSON/);
  });
});

describe("tracking filter", () => {
  const coin = `${pkg(2)}::coin::Coin<${pkg(0xd00d)}::token::TOKEN>`;
  const state = (type: string | null, ownerAddress: string | null = null, objectId = pkg(0x77)) => ({ objectId, type, ownerAddress });

  it("matches types by name (every instantiation) or exactly", () => {
    const byName = createTrackingFilter(normalizeTrackingConfig({ kind: "filter", types: ["0x2::coin::Coin"] }), (id) => id);
    expect(byName.matches(state(coin))).toBe(true);
    expect(byName.matches(state(`${pkg(2)}::coin::CoinMetadata<${pkg(2)}::sui::SUI>`))).toBe(false);
    const exact = createTrackingFilter(normalizeTrackingConfig({ kind: "filter", types: [`0x2::coin::Coin<${pkg(2)}::sui::SUI>`] }), (id) => id);
    expect(exact.matches(state(coin))).toBe(false);
    expect(exact.matches(state(`${pkg(2)}::coin::Coin<${pkg(2)}::sui::SUI>`))).toBe(true);
  });

  it("matches packages by original id anywhere in the type, and package objects themselves", () => {
    const upgraded = pkg(0xd00e);
    const originals = new Map([[upgraded, pkg(0xd00d)]]);
    const filter = createTrackingFilter(normalizeTrackingConfig({ kind: "filter", packages: [pkg(0xd00d)] }), (id) => originals.get(id) ?? id);
    expect(filter.usesPackages).toBe(true);
    expect(filter.matches(state(coin))).toBe(true);
    expect(filter.matches(state(`${upgraded}::pool::Pool`))).toBe(true);
    expect(filter.matches(state(null, null, upgraded))).toBe(true);
    expect(filter.matches(state(`${pkg(2)}::coin::Coin<${pkg(2)}::sui::SUI>`))).toBe(false);
    expect(filter.packageIdsOf(state(coin))).toEqual([pkg(2), pkg(0xd00d)]);
  });

  it("matches owners by address; kind all matches everything", () => {
    const filter = createTrackingFilter(normalizeTrackingConfig({ kind: "filter", owners: ["0xa11ce"] }), (id) => id);
    expect(filter.matches(state(coin, pkg(0xa11ce)))).toBe(true);
    expect(filter.matches(state(coin, pkg(0xb0b)))).toBe(false);
    expect(filter.matches(state(coin, null))).toBe(false);
    expect(createTrackingFilter({ kind: "all" }, (id) => id).matches(state(null))).toBe(true);
  });
});
