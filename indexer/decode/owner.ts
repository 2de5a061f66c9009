/** Sui's `Owner` enum in BCS (sui-types object.rs), read into the model's `Owner`. */
import type { Owner } from "../model.ts";
import type { BcsCursor } from "./cursor.ts";

/**
 * Variants in BCS order: AddressOwner, ObjectOwner, Shared { initial_shared_version },
 * Immutable, ConsensusAddressOwner { start_version, owner }, Party { start_version,
 * permissions }. Party is read so that the error names it, but the model has no place for
 * it yet, so it is rejected rather than indexed as something it is not.
 */
export function readOwner(c: BcsCursor, field: string): Owner {
  const at = c.pos;
  switch (c.variant(6, field)) {
    case 0:
      return { kind: "address", address: c.address(field) };
    case 1:
      return { kind: "object", address: c.address(field) };
    case 2:
      return { kind: "shared", initialSharedVersion: c.u64(field) };
    case 3:
      return { kind: "immutable" };
    case 4: {
      const startVersion = c.u64(field);
      return { kind: "consensusAddress", address: c.address(field), startVersion };
    }
    default:
      return c.fail(field, "Owner::Party is not supported by the checkpoint model", at);
  }
}

export function skipOwner(c: BcsCursor, field: string): void {
  switch (c.variant(6, field)) {
    case 0:
    case 1:
      c.skip(32, field);
      return;
    case 2:
      c.skip(8, field);
      return;
    case 3:
      return;
    case 4:
      c.skip(40, field);
      return;
    default: {
      // Party { start_version, RawPartySerde { default_permissions, members: Vec<(address, u64)> } }
      c.skip(16, field);
      const n = c.length(field, 40);
      c.skip(n * 40, field);
    }
  }
}
