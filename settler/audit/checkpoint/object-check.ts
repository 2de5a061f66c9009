/**
 * A transaction's input and output objects against its effects: each object's digest (the
 * BLAKE2b of `"Object::" ++ BCS`) must be the digest the effects record for that object id
 * and version, and every object state the effects name must be there, once.
 */
import type { ChangedObject, TransactionModel } from "../../../indexer/model.ts";
import { BcsDecodeError } from "../../../indexer/decode/cursor.ts";
import { suiDigest } from "../../../indexer/decode/digest.ts";
import { decodeObject } from "../../../indexer/decode/object.ts";
import { sameBytes } from "../../../indexer/decode/chk.ts";
import { NonRetryableError } from "../../../common/errors.ts";
import { digestText } from "./result.ts";

/** A per-transaction failure before the checkpoint and transaction are attached. */
export interface TransactionProblem {
  field: string;
  reason: string;
  expected?: string | null;
  actual?: string | null;
}

type Side = "input" | "output";

/**
 * @param changed the effects' changed objects, read from the effects bytes.
 * @param field prefix for failures, e.g. `transactions[3]`.
 */
export function checkObjects(tx: TransactionModel, changed: readonly ChangedObject[], field: string): TransactionProblem[] {
  return [...checkSide(tx, changed, field, "input"), ...checkSide(tx, changed, field, "output")];
}

function checkSide(tx: TransactionModel, changed: readonly ChangedObject[], field: string, side: Side): TransactionProblem[] {
  const list = `${field}.${side}_objects`;
  const problems: TransactionProblem[] = [];
  let objects: Uint8Array[];
  try {
    objects = (side === "input" ? tx.inputObjects : tx.outputObjects).map((o) => o.bcs);
  } catch (error) {
    if (!(error instanceof NonRetryableError)) throw error;
    return [{ field: list, reason: `objects do not decode: ${String(error.details.reason ?? error.message)}` }];
  }

  // What the effects say existed before (input) or was written (output), by id and version.
  const expected = new Map<string, ChangedObject>();
  for (const c of changed) {
    const version = side === "input" ? c.inputVersion : c.outputVersion;
    const digest = side === "input" ? c.inputDigest : c.outputDigest;
    // Accumulator writes carry no object digest: there is no object state to check.
    if (version === null || (side === "output" && digest === null)) continue;
    expected.set(`${c.objectId}:${version}`, c);
  }

  const seen = new Set<string>();
  objects.forEach((bcs, j) => {
    const at = `${list}[${j}]`;
    let key: { objectId: string; version: bigint };
    try {
      // The whole object must decode; its id and version come from these bytes, not the model.
      key = decodeObject(bcs);
    } catch (error) {
      if (!(error instanceof BcsDecodeError)) throw error;
      problems.push({ field: at, reason: `object bytes do not decode: ${error.reason} at byte ${error.offset} (${error.field})` });
      return;
    }
    const id = `${key.objectId}:${key.version}`;
    const name = `object ${key.objectId} version ${key.version}`;
    if (seen.has(id)) {
      problems.push({ field: at, reason: `${name} is listed twice` });
      return;
    }
    seen.add(id);
    const entry = expected.get(id);
    if (!entry) {
      problems.push({ field: at, reason: `${name} is not among the effects' ${side === "input" ? "inputs" : "written objects"}` });
      return;
    }
    const recorded = side === "input" ? entry.inputDigest : entry.outputDigest;
    // Effects V1 keep input versions only (modified_at_versions), no input digests.
    if (recorded === null) return;
    const actual = suiDigest("Object", bcs);
    if (!sameBytes(actual, recorded)) {
      problems.push({
        field: at,
        reason: `digest of ${name} differs from the effects' ${side} digest`,
        expected: digestText(recorded),
        actual: digestText(actual),
      });
    }
  });

  for (const [id, entry] of expected) {
    // Accumulator writes change address balances, not objects the transaction carries.
    if (seen.has(id) || entry.accumulatorWrite) continue;
    const version = side === "input" ? entry.inputVersion : entry.outputVersion;
    problems.push({ field: list, reason: `the effects ${side === "input" ? "read" : "write"} object ${entry.objectId} version ${version}, which the checkpoint does not carry` });
  }
  return problems;
}
