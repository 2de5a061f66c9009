import { describe, expect, it } from "vitest";
import { encodeBinpbZst } from "../../../indexer/decode/binpb-writer.ts";
import { decodeChk } from "../../../indexer/decode/chk.ts";
import { decodeCheckpointFile } from "../../../indexer/decode/file.ts";
import { BcsCursor } from "../../../indexer/decode/cursor.ts";
import { loadFixtureCheckpoints } from "../../../indexer/decode/test-helpers.ts";
import { readSenderSignedData } from "../../../indexer/decode/transaction.ts";
import type { CheckpointModel, TransactionModel } from "../../../indexer/model.ts";
import { verifyCheckpointContents } from "./contents.ts";
import { CheckpointAuditError, assertAudited, describeAuditFailure, type AuditFailure } from "./result.ts";

const fixtures = loadFixtureCheckpoints();
const NAME = "100000017.chk";

/** A fresh decode over a private copy of the file, so tampering touches nothing shared. */
function fresh(name = NAME): CheckpointModel {
  const file = fixtures.find((f) => f.name === name)!;
  return decodeChk(Uint8Array.from(file.bytes), file.name);
}

function failuresOf(checkpoint: CheckpointModel): AuditFailure[] {
  const result = verifyCheckpointContents(checkpoint);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.failures;
}

/** The first transaction that has events, input objects and output objects. */
function busyTransaction(checkpoint: CheckpointModel): TransactionModel {
  const tx = checkpoint.transactions.find((t) => t.eventsBcs && t.inputObjects.length > 0 && t.outputObjects.length > 0);
  if (!tx) throw new Error("fixture has no transaction with events and objects");
  return tx;
}

function expectFailure(failures: AuditFailure[], field: string, tx?: TransactionModel): AuditFailure {
  const failure = failures.find((f) => f.field === field);
  expect(failure, `a failure at ${field} among ${failures.map((f) => f.field).join(", ")}`).toBeDefined();
  expect(failure!.check).toBe("contents");
  expect(failure!.checkpoint).toBe(100000017n);
  const text = describeAuditFailure(failure!);
  expect(text).toContain("checkpoint 100000017");
  expect(text).toContain(field);
  if (tx) {
    expect(failure!.transactionIndex).toBe(tx.indexInCheckpoint);
    expect(text).toContain(`transaction ${tx.indexInCheckpoint}`);
    expect(text).toContain(failure!.transactionDigest!);
  }
  return failure!;
}

describe("digest chain on the real fixtures", () => {
  it("finds the fixtures", () => {
    expect(fixtures.length).toBeGreaterThan(20);
  });

  it.each(fixtures.map((f) => f.name))("%s passes every digest check", (name) => {
    const checkpoint = fresh(name);
    const result = assertAudited(verifyCheckpointContents(checkpoint));
    expect(result.transactions).toBe(checkpoint.transactions.length);
  });

  it("the same checkpoints read from the current .binpb.zst format pass too", () => {
    for (const { name } of fixtures) {
      const current = decodeCheckpointFile(encodeBinpbZst(fresh(name)), name.replace(".chk", ".binpb.zst"));
      assertAudited(verifyCheckpointContents(current));
    }
  });
});

describe("tampering is caught and named", () => {
  it("a byte of the contents", () => {
    const checkpoint = fresh();
    checkpoint.contentsBcs[3]! ^= 1; // first transaction digest, first byte
    const failure = expectFailure(failuresOf(checkpoint), "checkpoint_contents");
    expect(failure.reason).toMatch(/content digest/);
  });

  it("a byte of a transaction (its gas budget)", () => {
    const checkpoint = fresh();
    const tx = busyTransaction(checkpoint);
    const layout = readSenderSignedData(new BcsCursor(tx.transactionBcs));
    expect(tx.transactionBcs[layout.dataEnd - 1]).toBe(0); // no expiration: the budget ends one byte earlier
    tx.transactionBcs[layout.dataEnd - 2]! ^= 1;
    const failure = expectFailure(failuresOf(checkpoint), `transactions[${tx.indexInCheckpoint}].transaction`, tx);
    expect(failure.reason).toMatch(/TransactionData does not hash/);
  });

  it("a byte of the effects (gas used)", () => {
    const checkpoint = fresh();
    const tx = busyTransaction(checkpoint);
    expect(tx.effectsBcs.subarray(0, 2)).toEqual(Uint8Array.of(1, 0)); // V2, success
    tx.effectsBcs[10]! ^= 1; // lowest byte of gas_used.computation_cost
    const failure = expectFailure(failuresOf(checkpoint), `transactions[${tx.indexInCheckpoint}].effects`, tx);
    expect(failure.expected).not.toBe(failure.actual);
  });

  it("a byte of the events", () => {
    const checkpoint = fresh();
    const tx = busyTransaction(checkpoint);
    tx.eventsBcs![tx.eventsBcs!.length - 1]! ^= 1; // last byte of the last event's contents
    expectFailure(failuresOf(checkpoint), `transactions[${tx.indexInCheckpoint}].events`, tx);
  });

  it("a byte of an output object and of an input object", () => {
    const checkpoint = fresh();
    const tx = busyTransaction(checkpoint);
    const output = tx.outputObjects[0]!.bcs;
    output[output.length - 1]! ^= 1; // storage rebate, high byte
    const input = tx.inputObjects[0]!.bcs;
    input[input.length - 1]! ^= 1;
    const failures = failuresOf(checkpoint);
    const out = expectFailure(failures, `transactions[${tx.indexInCheckpoint}].output_objects[0]`, tx);
    expect(out.reason).toMatch(/differs from the effects' output digest/);
    const inp = expectFailure(failures, `transactions[${tx.indexInCheckpoint}].input_objects[0]`, tx);
    expect(inp.reason).toMatch(/differs from the effects' input digest/);
  });

  it("a byte of the summary (its timestamp)", () => {
    const checkpoint = fresh();
    // epoch, sequence, total (24) + content digest (33) + previous digest option (34) + gas (32)
    checkpoint.summaryBcs[123]! ^= 1;
    const failures = failuresOf(checkpoint);
    expectFailure(failures, "digest");
    expectFailure(failures, "checkpoint_summary.timestamp_ms");
  });

  it("a byte of the summary's content digest", () => {
    const checkpoint = fresh();
    checkpoint.summaryBcs[25]! ^= 1; // the model's contentDigest is a view of these bytes: it changes too
    const failures = failuresOf(checkpoint);
    expectFailure(failures, "digest");
    expect(expectFailure(failures, "checkpoint_contents").reason).toMatch(/content digest/);
  });

  it("a transaction digest in the model that its bytes do not give", () => {
    const checkpoint = fresh();
    const tx = busyTransaction(checkpoint);
    tx.digest = Uint8Array.from(tx.digest).fill(7);
    expectFailure(failuresOf(checkpoint), `transactions[${tx.indexInCheckpoint}].digest`, tx);
  });

  it("events left out, an output object left out, a transaction left out", () => {
    const checkpoint = fresh();
    const tx = busyTransaction(checkpoint);
    const i = tx.indexInCheckpoint;
    const altered: TransactionModel = { ...tx, inputObjects: tx.inputObjects, outputObjects: tx.outputObjects.slice(1), eventsBcs: null };
    checkpoint.transactions[i] = altered;
    const failures = failuresOf(checkpoint);
    expect(expectFailure(failures, `transactions[${i}].events`, tx).reason).toMatch(/does not carry/);
    expect(expectFailure(failures, `transactions[${i}].output_objects`, tx).reason).toMatch(/which the checkpoint does not carry/);

    const shorter = fresh();
    shorter.transactions.pop();
    expectFailure(failuresOf(shorter), "transactions");
  });

  it("assertAudited throws an error naming the checkpoint, transaction and field", () => {
    const checkpoint = fresh();
    const tx = busyTransaction(checkpoint);
    tx.effectsBcs[10]! ^= 1;
    let error: unknown;
    try {
      assertAudited(verifyCheckpointContents(checkpoint));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointAuditError);
    const audit = error as CheckpointAuditError;
    expect(audit.details.checkpoint).toBe(100000017n);
    expect(audit.details.transaction).toBe(tx.indexInCheckpoint);
    expect(audit.details.field).toBe(`transactions[${tx.indexInCheckpoint}].effects`);
    expect(audit.message).toContain("checkpoint 100000017");
  });
});
