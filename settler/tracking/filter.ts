/**
 * Decides whether a state of an object is tracked. An object that is not (or no longer)
 * tracked gets value 0 in the tree, like a deleted one.
 *
 * - packages: the object's type mentions (outer type or any type argument) a package whose
 *   original id is listed, or the object is a version of a listed package itself;
 *   upgraded versions map to their original id through the indexer's packages table.
 * - types: a listed name without type arguments matches every instantiation.
 * - owners: the owner address of an address-, object- or consensus-address-owned object.
 */
import type { TrackingConfig } from "./config.ts";

/** The fields of an object state the filter looks at. */
export interface TrackedFields {
  objectId: string;
  type: string | null;
  ownerAddress: string | null;
}

export interface TrackingFilter {
  /** True when the object's state is tracked. */
  matches(state: TrackedFields): boolean;
  /** Package ids `matches` will map to original ids (load them into `originalOf` first). */
  packageIdsOf(state: TrackedFields): string[];
  /** Whether the filter reads package original ids at all. */
  readonly usesPackages: boolean;
}

const ADDRESS = /0x[0-9a-f]{64}/g;

/**
 * @param originalOf the original id of a package id (itself when it is not a known upgrade).
 * @example
 * const filter = createTrackingFilter({ kind: "filter", packages: [pkg], types: [], owners: [] }, (id) => id);
 * filter.matches({ objectId, type: `${pkg}::m::T`, ownerAddress: null }); // true
 */
export function createTrackingFilter(config: TrackingConfig, originalOf: (packageId: string) => string): TrackingFilter {
  if (config.kind === "all") {
    return { matches: () => true, packageIdsOf: () => [], usesPackages: false };
  }
  const packages = new Set(config.packages);
  const exactTypes = new Set(config.types.filter((t) => t.includes("<")));
  const typeNames = new Set(config.types.filter((t) => !t.includes("<")));
  const owners = new Set(config.owners);
  const packageIdsOf = (state: TrackedFields): string[] =>
    packages.size === 0 ? [] : state.type === null ? [state.objectId] : [...state.type.matchAll(ADDRESS)].map((m) => m[0]);

  return {
    usesPackages: packages.size > 0,
    packageIdsOf,
    matches(state) {
      if (state.ownerAddress !== null && owners.has(state.ownerAddress)) return true;
      if (state.type !== null) {
        if (exactTypes.has(state.type)) return true;
        const lt = state.type.indexOf("<");
        if (typeNames.has(lt < 0 ? state.type : state.type.slice(0, lt))) return true;
      }
      for (const id of packageIdsOf(state)) if (packages.has(originalOf(id))) return true;
      return false;
    },
  };
}
