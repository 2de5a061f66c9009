/**
 * Sui `Object` (sui-types object.rs): skipped cheaply while a checkpoint is walked, and
 * decoded into an `ObjectModel` only when a pipeline asks for it. Move contents are never
 * parsed beyond the object id and, for coins, the balance.
 */
import type { ObjectModel } from "../model.ts";
import { BcsCursor, hexOf } from "./cursor.ts";
import { readOwner, skipOwner } from "./owner.ts";
import { COIN_PREFIX, SUI_COIN_TYPE, SUI_FRAMEWORK, SUI_SYSTEM, readTypeCached, skipStructTag, skipTypeTag } from "./type-tag.ts";

/** Object { data, owner, previous_transaction, storage_rebate }. */
export function skipObject(c: BcsCursor, field: string): void {
  skipObjectData(c, field);
  skipOwner(c, field);
  c.skipDigest(field);
  c.skip(8, field);
}

/** Data::Move(MoveObject) | Data::Package(MovePackage). */
export function skipObjectData(c: BcsCursor, field: string): void {
  if (c.variant(2, field) === 0) {
    skipMoveObjectType(c, field);
    c.skip(9, field); // has_public_transfer, version
    c.skipByteVector(field);
    return;
  }
  skipPackage(c, field);
}

/** MovePackage { id, version, module_map, type_origin_table, linkage_table }. */
function skipPackage(c: BcsCursor, field: string): void {
  c.skip(40, field); // id, version
  const modules = c.length(field);
  for (let i = 0; i < modules; i++) {
    c.skipByteVector(field);
    c.skipByteVector(field);
  }
  const origins = c.length(field);
  for (let i = 0; i < origins; i++) {
    c.skipByteVector(field);
    c.skipByteVector(field);
    c.skip(32, field);
  }
  const links = c.length(field, 72);
  c.skip(links * 72, field);
}

/** MoveObjectType: Other(StructTag), GasCoin, StakedSui, Coin(TypeTag), SuiBalanceAccumulatorField, BalanceAccumulatorField(TypeTag). */
function skipMoveObjectType(c: BcsCursor, field: string): void {
  const tag = c.variant(6, field);
  if (tag === 0) skipStructTag(c, field);
  else if (tag === 3 || tag === 5) skipTypeTag(c, field);
}

const GAS_COIN_TYPE = `${COIN_PREFIX}${SUI_COIN_TYPE}>`;
const STAKED_SUI_TYPE = `${SUI_SYSTEM}::staking_pool::StakedSui`;

function balanceAccumulatorField(coinType: string): string {
  const key = `${SUI_FRAMEWORK}::accumulator::Key<${SUI_FRAMEWORK}::balance::Balance<${coinType}>>`;
  return `${SUI_FRAMEWORK}::dynamic_field::Field<${key},${SUI_FRAMEWORK}::accumulator::U128>`;
}

/** The canonical type and, for coins, the coin type T. */
function readMoveObjectType(c: BcsCursor, field: string): { type: string; coinType: string | null } {
  switch (c.variant(6, field)) {
    case 0:
      return readTypeCached(c, field, true);
    case 1:
      return { type: GAS_COIN_TYPE, coinType: SUI_COIN_TYPE };
    case 2:
      return { type: STAKED_SUI_TYPE, coinType: null };
    case 3: {
      const coinType = readTypeCached(c, field, false).type;
      return { type: `${COIN_PREFIX}${coinType}>`, coinType };
    }
    case 4:
      return { type: balanceAccumulatorField(SUI_COIN_TYPE), coinType: null };
    default:
      return { type: balanceAccumulatorField(readTypeCached(c, field, false).type), coinType: null };
  }
}

/** An object's (id, version) as `ObjectKey` orders them, read without decoding the rest. */
export function readObjectKey(bcs: Uint8Array): { objectId: string; version: bigint } {
  const c = new BcsCursor(bcs);
  const key = skipObjectReadingKey(c, "object");
  c.finish("object");
  return key;
}

/** Skips one object like `skipObject`, returning its (id, version): Sui's `ObjectKey`. */
export function skipObjectReadingKey(c: BcsCursor, field: string): { objectId: string; version: bigint } {
  let objectId: string;
  let version: bigint;
  if (c.variant(2, field) === 0) {
    skipMoveObjectType(c, field);
    c.bool(field);
    version = c.u64(field);
    const length = c.length(field);
    if (length < 32) c.fail(field, `contents of ${length} bytes hold no object id`);
    objectId = c.addressAt(c.pos);
    c.pos += length;
  } else {
    const start = c.pos;
    objectId = c.address(field);
    version = c.u64(field);
    c.pos = start;
    skipPackage(c, field);
  }
  skipOwner(c, field);
  c.skipDigest(field);
  c.skip(8, field);
  return { objectId, version };
}

/**
 * Decodes one object from its exact BCS bytes; `bcs` stays a view of the input.
 *
 * @example
 * const object = decodeObject(objectBytes);
 * if (object.coinType) console.log(object.coinType, object.coinBalance);
 */
export function decodeObject(bcs: Uint8Array): ObjectModel {
  const c = new BcsCursor(bcs);
  const f = "object";
  let objectId: string;
  let version: bigint;
  let type: string | null = null;
  let coinType: string | null = null;
  let coinBalance: bigint | null = null;
  let packageOriginalId: string | null = null;
  const isPackage = c.variant(2, "object.data") === 1;
  if (!isPackage) {
    ({ type, coinType } = readMoveObjectType(c, "object.type"));
    c.bool("object.has_public_transfer");
    version = c.u64("object.version");
    const contentsLength = c.length("object.contents");
    const contentsStart = c.pos;
    if (contentsLength < 32) c.fail("object.contents", `contents of ${contentsLength} bytes hold no object id`);
    objectId = c.addressAt(contentsStart);
    if (coinType !== null) {
      // Coin<T> { id: UID, balance: Balance<T> { value: u64 } }
      if (contentsLength < 40) c.fail("object.contents", "coin contents shorter than 40 bytes");
      coinBalance = c.u64At(contentsStart + 32);
    }
    c.pos = contentsStart + contentsLength;
  } else {
    objectId = c.address("object.package.id");
    version = c.u64("object.package.version");
    let firstModule: Uint8Array | null = null;
    const modules = c.length("object.package.module_map");
    for (let i = 0; i < modules; i++) {
      c.skipByteVector("object.package.module_map");
      const bytecode = c.byteVector("object.package.module_map");
      firstModule ??= bytecode;
    }
    const origins = c.length("object.package.type_origin_table");
    for (let i = 0; i < origins; i++) {
      c.skipByteVector("object.package.type_origin_table");
      c.skipByteVector("object.package.type_origin_table");
      c.skip(32, "object.package.type_origin_table");
    }
    const links = c.length("object.package.linkage_table", 72);
    c.skip(links * 72, "object.package.linkage_table");
    packageOriginalId = version === 1n || firstModule === null ? objectId : moduleSelfAddress(firstModule) ?? objectId;
  }
  const owner = readOwner(c, "object.owner");
  const previousTransaction = c.digest("object.previous_transaction");
  const storageRebate = c.u64("object.storage_rebate");
  c.finish(f);
  return {
    objectId,
    version,
    owner,
    type,
    isPackage,
    coinType,
    coinBalance,
    previousTransaction,
    storageRebate,
    packageOriginalId,
    bcs,
  };
}

/**
 * The address a compiled Move module was published under, which for a package is its
 * original id (as Sui's `MovePackage::original_package_id` reads it): the self module
 * handle's entry in the address identifier table. Null when the bytecode is not readable.
 */
export function moduleSelfAddress(bytecode: Uint8Array): string | null {
  try {
    const c = new BcsCursor(bytecode);
    if (c.u32("magic") !== 0x0beb1ca1) return null;
    const version = c.u32("version") & 0xffff; // the upper bytes may carry a flavor
    const tableCount = c.uleb("table_count");
    const tables = new Map<number, { offset: number; length: number }>();
    let contentLength = 0;
    for (let i = 0; i < tableCount; i++) {
      const kind = c.u8("table.kind");
      const offset = c.uleb("table.offset");
      const length = c.uleb("table.length");
      tables.set(kind, { offset, length });
      contentLength = Math.max(contentLength, offset + length);
    }
    const contentStart = c.pos;
    const moduleHandles = tables.get(0x1);
    const addresses = tables.get(0x8);
    if (!moduleHandles || !addresses) return null;
    let selfIndex = 0;
    if (version >= 5) {
      c.pos = contentStart + contentLength;
      selfIndex = c.uleb("self_module_handle_idx");
    }
    // Module handles: (address index, name index), both ULEB128.
    const h = new BcsCursor(bytecode, contentStart + moduleHandles.offset, contentStart + moduleHandles.offset + moduleHandles.length);
    let addressIndex = -1;
    for (let i = 0; i <= selfIndex; i++) {
      addressIndex = h.uleb("module_handle.address");
      h.uleb("module_handle.name");
    }
    const at = contentStart + addresses.offset + addressIndex * 32;
    if (addressIndex < 0 || at + 32 > contentStart + addresses.offset + addresses.length) return null;
    return "0x" + hexOf(bytecode, at, at + 32);
  } catch {
    return null;
  }
}
