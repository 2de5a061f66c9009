/**
 * The `index` command as operators run it: the package bin in a child process, against a
 * fresh PostgreSQL schema (DATABASE_SCHEMA), on real checkpoint files.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../common/fixtures.ts";
import { openDatabase, type Database } from "../../schema/db.ts";
import { dropSchema, freshSchemaName, testPostgresUrl } from "../../schema/testing.ts";
import { fixtureSets } from "../../indexer/ingest/test-helpers.ts";
import { indexSettings } from "./index.ts";

const sets = fixtureSets();
const [A, B] = sets.mainnet as [bigint, bigint];

interface Child {
  exit: Promise<number | null>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

function startCli(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [join(projectRoot, "bin/sui-zk-indexer.js"), "index", ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return {
    exit: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    output: () => output,
    kill: (signal) => child.kill(signal),
  };
}

async function until<T>(probe: () => Promise<T | null | undefined>, what: string, child: Child): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}; output:\n${child.output()}`);
}

describe("index flags", () => {
  it("needs exactly one source and valid numbers", async () => {
    await expect(indexSettings({})).rejects.toThrow(/exactly one source/);
    await expect(indexSettings({ fromDir: "/x", remoteStore: "http://y" })).rejects.toThrow(/exactly one source/);
    await expect(indexSettings({ remoteStore: "http://y", sparse: true })).rejects.toThrow(/--sparse lists a folder/);
    await expect(indexSettings({ fromDir: "/x", lastCheckpoint: "-1" })).rejects.toThrow(/Not a checkpoint sequence number.*--last-checkpoint/);
    await expect(indexSettings({ fromDir: "/x", concurrency: "0" })).rejects.toThrow(/Invalid --concurrency/);
    await expect(indexSettings({ fromDir: "/x", packages: "0xzz" })).rejects.toThrow(/Not a Sui object id/);
    const settings = await indexSettings({ fromDir: sets.dir, sparse: true, packages: "0x2, 0xDEE9", lastCheckpoint: "5" });
    expect(settings.plan).toEqual({ kind: "list", checkpoints: [...sets.mainnet, ...sets.testnet].sort((a, b) => (a < b ? -1 : 1)) });
    expect(settings.packages).toEqual([`0x${"2".padStart(64, "0")}`, `0x${"dee9".padStart(64, "0")}`]);
    expect(settings.lastCheckpoint).toBe(5n);
  });
});

describe("sui-zk-indexer index (child process, PostgreSQL)", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const freshSchema = async (): Promise<{ schema: string; database: Database }> => {
    const schema = freshSchemaName("cli");
    const database = await openDatabase({ url: testPostgresUrl(), schema });
    cleanups.push(() => dropSchema(schema), () => database.close());
    return { schema, database };
  };
  const env = (schema: string) => ({ DATABASE_URL: testPostgresUrl(), DATABASE_SCHEMA: schema });

  it("indexes a sparse folder, logs JSON, exits 0, and resumes with nothing left to do", async () => {
    const { schema, database } = await freshSchema();
    const run = startCli(["--from-dir", sets.dir, "--checkpoints", sets.mainnet.join(",")], env(schema));
    expect(await run.exit, run.output()).toBe(0);
    const lines = run.output().trim().split("\n").map((l) => JSON.parse(l) as { msg: string; checkpoints?: number });
    expect(lines.find((l) => l.msg === "index finished")?.checkpoints).toBe(sets.mainnet.length);
    expect(lines.some((l) => l.msg === "progress")).toBe(true);
    const [count] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM checkpoints");
    expect(count?.n).toBe(sets.mainnet.length);

    const again = startCli(["--from-dir", sets.dir, "--checkpoints", sets.mainnet.join(",")], env(schema));
    expect(await again.exit).toBe(0);
    expect(again.output()).toMatch(/nothing to index/);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("stops cleanly on %s while following the tip: exit 0, batch committed", async (signal) => {
    const { schema, database } = await freshSchema();
    const dir = mkdtempSync(join(tmpdir(), "szi-cli-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(join(sets.dir, `${A}.chk`), join(dir, `${A}.chk`));
    const run = startCli(["--from-dir", dir, "--first-checkpoint", String(A)], env(schema));
    await until(
      async () => (await database.query("SELECT 1 FROM watermarks WHERE checkpoint_hi_inclusive = $1", [A]).catch(() => []))[0],
      "the first commit",
      run,
    );
    run.kill(signal);
    expect(await run.exit, run.output()).toBe(0);
    expect(run.output()).toContain(`"signal":"${signal}"`);
    const marks = await database.query<{ c: bigint }>("SELECT DISTINCT checkpoint_hi_inclusive AS c FROM watermarks");
    expect(marks.map((m) => m.c)).toEqual([A]);
  });

  it("exits 1 on a missing checkpoint in a range, naming it", async () => {
    const { schema } = await freshSchema();
    const dir = mkdtempSync(join(tmpdir(), "szi-cli-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    for (const seq of [A, B]) copyFileSync(join(sets.dir, `${seq}.chk`), join(dir, `${seq}.chk`));
    const run = startCli(["--from-dir", dir, "--first-checkpoint", String(A), "--last-checkpoint", String(B)], env(schema));
    expect(await run.exit).toBe(1);
    expect(run.output()).toContain(`checkpoint: ${A + 1n}`);
    expect(run.output()).toContain(`${A + 1n}.chk`);
  });
});
