import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { openDatabase } from "./db.ts";
import { balanceChanges, checkpoints, watermarks } from "./index.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "./testing.ts";

describe.each(databaseKinds)("database on %s", (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await database.destroy();
  });

  it("applies the migrations: every table exists and is empty", async () => {
    expect(database.kind).toBe(kind);
    const tables = await database.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        "balance_changes",
        "checkpoints",
        "events",
        "object_versions",
        "objects",
        "packages",
        "transactions",
        "tx_calls",
        "watermarks",
      ]),
    );
    expect(await database.db.select().from(watermarks)).toEqual([]);
  });

  it("round-trips u64 above 2^53, i128 amounts and bytea through drizzle", async () => {
    const big = 2n ** 63n - 1n;
    const digest = new Uint8Array(32).map((_, i) => i);
    await database.db.insert(checkpoints).values({
      sequenceNumber: big,
      epoch: 2n ** 53n + 1n,
      timestampMs: 1n,
      digest,
      previousDigest: null,
      contentDigest: digest,
      networkTotalTransactions: 9n,
      txLo: 9n,
      txCount: 0,
      endOfEpoch: false,
      summaryBcs: new Uint8Array([1, 2, 3]),
      validatorSignature: new Uint8Array(48),
      signersMap: new Uint8Array(0),
    });
    const amount = -(2n ** 127n) + 5n;
    await database.db
      .insert(balanceChanges)
      .values({ txSequenceNumber: 1n, owner: "0x1", coinType: "T", source: "coin", amount, checkpoint: big });
    const [row] = await database.db.select().from(checkpoints).where(eq(checkpoints.sequenceNumber, big));
    expect(row?.epoch).toBe(2n ** 53n + 1n);
    expect(Array.from(row!.digest)).toEqual(Array.from(digest));
    expect(row?.signersMap.length).toBe(0);
    const [change] = await database.db.select().from(balanceChanges);
    expect(change?.amount).toBe(amount);
    expect(change?.checkpoint).toBe(big);
  });

  it("COPYs text-format rows inside a transaction, and rolls them back on error", async () => {
    const columns = ["tx_sequence_number", "owner", "coin_type", "source", "amount", "checkpoint"];
    await database.transaction((tx) =>
      tx.copyIn("balance_changes", columns, "1\t0xa\tT\\tx\tcoin\t-170141183460469231731687303715884105728\t7\n"),
    );
    await expect(
      database.transaction(async (tx) => {
        await tx.copyIn("balance_changes", columns, "2\t0xb\tT\tcoin\t1\t7\n");
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const rows = await database.query<{ coin_type: string; amount: string; checkpoint: bigint }>(
      "SELECT coin_type, amount::text AS amount, checkpoint FROM balance_changes",
    );
    expect(rows).toEqual([{ coin_type: "T\tx", amount: "-170141183460469231731687303715884105728", checkpoint: 7n }]);
  });

  it("reports a COPY the server rejects (duplicate key), rolls back, and keeps the connection usable", async () => {
    const columns = ["tx_sequence_number", "owner", "coin_type", "source", "amount", "checkpoint"];
    await database.transaction((tx) => tx.copyIn("balance_changes", columns, "1\t0xa\tT\tcoin\t1\t7\n"));
    await expect(
      database.transaction(async (tx) => {
        await tx.copyIn("balance_changes", columns, "2\t0xa\tT\tcoin\t1\t7\n1\t0xa\tT\tcoin\t1\t7\n");
      }),
    ).rejects.toThrow(/duplicate key|unique/);
    const rows = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM balance_changes");
    expect(rows[0]?.n).toBe(1);
  });

  it("binds bigint, text[] and bytea parameters in raw queries", async () => {
    const rows = await database.query<{ n: bigint; ids: string[]; b: Uint8Array }>(
      "SELECT $1::bigint AS n, $2::text[] AS ids, $3::bytea AS b",
      [2n ** 62n, ["0x1", "0x2"], new Uint8Array([0xde, 0xad])],
    );
    expect(rows[0]?.n).toBe(2n ** 62n);
    expect(rows[0]?.ids).toEqual(["0x1", "0x2"]);
    expect(Array.from(rows[0]!.b)).toEqual([0xde, 0xad]);
  });
});

describe("PGlite on disk", () => {
  it("keeps data in <dataDir>/pglite across reopen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "szi-db-"));
    try {
      const first = await openDatabase({ url: "", dataDir: dir });
      expect(first.location).toBe(join(dir, "pglite"));
      await first.query("INSERT INTO watermarks (pipeline, epoch_hi, checkpoint_hi_inclusive, tx_hi, timestamp_ms_hi) VALUES ('p', 1, 2, 3, 4)");
      await first.close();
      const second = await openDatabase({ url: "", dataDir: dir });
      const rows = await second.db.select().from(watermarks);
      expect(rows.map((r) => [r.pipeline, r.checkpointHiInclusive])).toEqual([["p", 2n]]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
