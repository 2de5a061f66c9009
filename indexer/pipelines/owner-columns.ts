import type { Owner } from "../model.ts";

export interface OwnerColumns {
  ownerKind: string;
  ownerAddress: string | null;
  /** Shared objects: the initial shared version; consensus-address owners: the start version. */
  initialSharedVersion: bigint | null;
}

/**
 * Flattens an owner into the three owner columns of object_versions and objects.
 *
 * @example
 * ownerColumns({ kind: "shared", initialSharedVersion: 1n })
 * // { ownerKind: "shared", ownerAddress: null, initialSharedVersion: 1n }
 */
export function ownerColumns(owner: Owner): OwnerColumns {
  switch (owner.kind) {
    case "address":
    case "object":
      return { ownerKind: owner.kind, ownerAddress: owner.address, initialSharedVersion: null };
    case "shared":
      return { ownerKind: owner.kind, ownerAddress: null, initialSharedVersion: owner.initialSharedVersion };
    case "immutable":
      return { ownerKind: owner.kind, ownerAddress: null, initialSharedVersion: null };
    case "consensusAddress":
      return { ownerKind: owner.kind, ownerAddress: owner.address, initialSharedVersion: owner.startVersion };
  }
}
