/**
 * Crash safety: the real CLI, on a folder of contiguous synthetic checkpoints, against real
 * PostgreSQL, is killed with SIGKILL at random moments several times and restarted each
 * time; its final tables must equal a clean run's row for row: no gap, no duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCommon } from "../../common/context.ts";
import { projectRoot } from "../../common/fixtures.ts";
import { openDatabase, type Database } from "../../schema/db.ts";
import { dropSchema, freshSchemaName, testPostgresUrl } from "../../schema/testing.ts";
import { localFolderSource } from "../sources/index.ts";
import { generateCheckpoints } from "../synthetic/generate.ts";
import { createIndexer } from "./indexer.ts";
import { dumpTables } from "./test-helpers.ts";

const FIRST = 7_000_000n;
const COUNT = 160;
const LAST = FIRST + BigInt(COUNT) - 1n;
const KILLS = 4;

/** A small seeded generator, so a failing sequence of kill moments can be replayed (seed is logged). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

describe("crash safety (SIGKILL, real CLI, PostgreSQL)", () => {
  let dir: string;
  const schemas = { clean: freshSchemaName("crash_clean"), crashed: freshSchemaName("crash_kill") };
  const open: Database[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "szi-crash-"));
    await generateCheckpoints({ dir, first: FIRST, count: COUNT, format: "chk", seed: 11 });
  });
  afterAll(async () => {
    for (const database of open) await database.close();
    for (const schema of Object.values(schemas)) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`ends identical to a clean run after ${KILLS} kills and restarts`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const clean = await openDatabase({ url: testPostgresUrl(), schema: schemas.clean });
    open.push(clean);
    await createIndexer(createTestCommon(), { database: clean, source: localFolderSource(dir), firstCheckpoint: FIRST, lastCheckpoint: LAST }).run();

    const crashed = await openDatabase({ url: testPostgresUrl(), schema: schemas.crashed });
    open.push(crashed);
    const watermark = async () =>
      (await crashed.query<{ c: bigint }>("SELECT min(checkpoint_hi_inclusive) AS c FROM watermarks"))[0]?.c ?? null;
    const args = [join(projectRoot, "bin/sui-zk-indexer.js"), "index", "--from-dir", dir, "--first-checkpoint", String(FIRST), "--last-checkpoint", String(LAST), "--batch-checkpoints", "7"];
    const env = { ...process.env, DATABASE_URL: testPostgresUrl(), DATABASE_SCHEMA: schemas.crashed, LOG_LEVEL: "warn" };

    const history: string[] = [];
    for (let attempt = 0; attempt <= KILLS; attempt++) {
      const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal })),
      );
      if (attempt < KILLS) {
        // A random moment inside the run: after the watermark passed a random point of what is left.
        const before = (await watermark()) ?? FIRST - 1n;
        // Spread the kills: each within its share of what is left.
        const share = Number(LAST - before) / (KILLS - attempt + 1);
        const target = before + 1n + BigInt(Math.floor(random() * share));
        let done = false;
        void exit.then(() => (done = true));
        while (!done && ((await watermark()) ?? FIRST - 1n) < target) await new Promise((r) => setTimeout(r, 5 + random() * 40));
        // Then a little more, so the kill lands anywhere in the next batch: building it, writing it, committing it.
        await new Promise((r) => setTimeout(r, random() * 250));
        child.kill("SIGKILL");
        const { code, signal } = await exit;
        history.push(`attempt ${attempt}: target ${target}, killed at watermark ${await watermark()} (${signal ?? `exit ${code}`})`);
        expect(signal === "SIGKILL" || code === 0, stderr).toBe(true);
      } else {
        const { code } = await exit;
        history.push(`final run: exit ${code}`);
        expect(code, stderr).toBe(0);
      }
    }
    console.info(`crash seed ${seed}:\n${history.join("\n")}`);

    expect(await watermark()).toBe(LAST);
    const got = await dumpTables(crashed);
    const want = await dumpTables(clean);
    // No gap, no duplicate: every checkpoint once, transaction numbers contiguous.
    const checkpoints = (await crashed.query<{ s: bigint }>("SELECT sequence_number AS s FROM checkpoints ORDER BY 1")).map((r) => r.s);
    expect(checkpoints).toEqual(Array.from({ length: COUNT }, (_, i) => FIRST + BigInt(i)));
    const [span] = await crashed.query<{ n: bigint; lo: bigint; hi: bigint }>(
      "SELECT count(*)::bigint AS n, min(tx_sequence_number) AS lo, max(tx_sequence_number) AS hi FROM transactions",
    );
    expect(span!.hi - span!.lo + 1n).toBe(span!.n);
    for (const table of Object.keys(want)) expect(got[table], `${table} (seed ${seed})`).toEqual(want[table]);
  }, 900_000); // five CLI starts and a clean run on a shared 2-core machine
});
