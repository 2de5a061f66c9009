/**
 * The committee an auditor trusts, read from a JSON file. Accepted shapes:
 * - `{ "epoch": 638, "members": [{ "authorityName": "<key>", "stake": 123 }, …] }`
 *   (`publicKey` / `weight` are accepted for `authorityName` / `stake`, as gRPC's
 *   `ValidatorCommittee` names them);
 * - `{ "epoch": "638", "validators": [["<key>", "123"], …] }`, JSON-RPC's committee info;
 * - a bare member list, with the epoch given by the caller.
 * Keys are 96 bytes as hex (192 digits, optional `0x`) or standard base64; numbers may be
 * JSON numbers (safe integers) or decimal strings.
 */
import { readFile } from "node:fs/promises";
import type { CommitteeMember } from "../../../indexer/model.ts";
import { Committee, CommitteeError } from "./committee.ts";

export interface CommitteeFileOptions {
  /** The epoch, for a bare member list, or to check against the file's own. */
  epoch?: bigint;
  /** Named in errors. */
  source?: string;
}

/**
 * Parses and validates a committee (see the module comment for the shapes).
 *
 * @example
 * const committee = parseCommitteeJson(JSON.parse(text), { source: "committee-638.json" });
 */
export function parseCommitteeJson(value: unknown, options: CommitteeFileOptions = {}): Committee {
  const fail = (reason: string, member?: number): never => {
    throw new CommitteeError("invalid committee file", { details: { file: options.source, member, reason } });
  };
  let epoch = options.epoch;
  let list: unknown[];
  if (Array.isArray(value)) {
    list = value;
  } else if (isRecord(value)) {
    const fileEpoch = integer(value.epoch, "epoch", fail);
    if (epoch !== undefined && fileEpoch !== epoch) fail(`file is for epoch ${fileEpoch}, expected ${epoch}`);
    epoch = fileEpoch;
    const members = value.members ?? value.validators;
    if (!Array.isArray(members)) return fail('expected a "members" (or "validators") list');
    list = members;
  } else {
    return fail("expected an object or a list of members");
  }
  if (epoch === undefined) return fail("no epoch: give one for a bare member list");
  const members: CommitteeMember[] = list.map((entry, i) => {
    const failHere = (reason: string): never => fail(reason, i);
    let name: unknown;
    let stake: unknown;
    if (Array.isArray(entry) && entry.length === 2) [name, stake] = entry;
    else if (isRecord(entry)) {
      name = entry.authorityName ?? entry.publicKey;
      stake = entry.stake ?? entry.weight;
    } else return failHere("expected { authorityName, stake } or [authorityName, stake]");
    return { authorityName: keyBytes(name, failHere), stake: integer(stake, "stake", failHere) };
  });
  return Committee.create(epoch, members);
}

/**
 * Reads a committee file (see parseCommitteeJson).
 *
 * @example
 * const trusted = await loadCommitteeFile("./committee-638.json");
 */
export async function loadCommitteeFile(path: string, options: Omit<CommitteeFileOptions, "source"> = {}): Promise<Committee> {
  const text = await readFile(path, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CommitteeError("invalid committee file", { cause: error, details: { file: path, reason: "not JSON" } });
  }
  return parseCommitteeJson(value, { ...options, source: path });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function integer(value: unknown, what: string, fail: (reason: string) => never): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^(0|[1-9][0-9]*)$/.test(value)) return BigInt(value);
  return fail(`${what} must be a non-negative integer or decimal string`);
}

function keyBytes(value: unknown, fail: (reason: string) => never): Uint8Array {
  if (typeof value !== "string") return fail("authority name must be a string");
  const hex = value.startsWith("0x") ? value.slice(2) : value;
  if (/^[0-9a-fA-F]{192}$/.test(hex)) return Uint8Array.from(Buffer.from(hex, "hex"));
  if (value.length === 128) {
    const bytes = Buffer.from(value, "base64");
    // Node's decoder skips bad characters: re-encoding catches them.
    if (bytes.length === 96 && bytes.toString("base64") === value) return Uint8Array.from(bytes);
  }
  return fail("authority name must be 96 bytes as hex (192 digits) or base64 (128 characters)");
}
