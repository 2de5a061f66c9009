/**
 * The `settle` commands as operators run them: the package bin in a child process, on a
 * fresh PostgreSQL schema (DATABASE_SCHEMA) holding an indexed change stream, proving with
 * the cached dev setup of the smallest circuit (depth 2, B 1).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/fixtures.ts";
import { openDatabase, type Database } from "../../schema/db.ts";
import { dropSchema, freshSchemaName, testPostgresUrl } from "../../schema/testing.ts";
import { createBatchRepository } from "../../settler/pipeline/batches.ts";
import { ensureDevSetup } from "../../settler/prover/dev-setup.ts";
import { ChainBuilder, indexStream } from "../../settler/testing/chain-builder.ts";

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(projectRoot, "bin/sui-zk-indexer.js"), "settle", ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: "info", SUI_RPC_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  await ensureDevSetup({ depth: 2, batchSize: 1 });
}, 900_000);

describe("settle commands", () => {
  const schema = freshSchemaName("settle_cli");
  const env = { DATABASE_URL: testPostgresUrl(), DATABASE_SCHEMA: schema };
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    await dropSchema(schema);
  });

  it("configure, once --no-post, status; posting without a registry is refused with the reason", async () => {
    database = await openDatabase({ url: testPostgresUrl(), schema });
    const chain = new ChainBuilder(900n);
    await indexStream(database, [chain.checkpoint([[{ object: 1 }], [{ object: 2 }]])]);

    const configured = await cli(["configure", "--depth", "2", "--batch-size", "1", "--max-span", "5", "--start-checkpoint", "900"], env);
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toMatch(/depth \/ batch size\s+2 \/ 1/);

    const refused = await cli(["once", "--dev", "--threads", "1"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no registry yet: run `settle init`, or prove only with --no-post/);

    const once = await cli(["once", "--dev", "--no-post", "--threads", "2", "--json"], env);
    expect(once.code, once.stderr).toBe(0);
    const summary = JSON.parse(once.stdout) as { planned: number; proved: number; headBatch: string; nextCursor: string };
    expect(summary).toMatchObject({ planned: 2, proved: 2, headBatch: "2", nextCursor: ((901n << 32n) + 0n).toString() });
    expect(once.stderr).toMatch(/--no-post: batches are proved and kept/);
    expect(once.stderr).toMatch(/INSECURE DEV SETUP/);

    const batches = await createBatchRepository(database).list();
    expect(batches.map((b) => [b.batch, b.state])).toEqual([
      [1n, "proved"],
      [2n, "proved"],
    ]);

    const status = await cli(["status"], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/batches\s+planned 0, proved 2, signed 0, posted 0, confirmed 0, failed 0/);
    expect(status.stdout).toMatch(/^1\s+proved\s+900:0\s+900:1\s+1\s+1\s+0\s+0/m);
    expect(status.stdout).toMatch(/^2\s+proved\s+900:1\s+901:0/m);
    expect(status.stdout).toMatch(/On chain: not queried/);

    const differently = await cli(["configure", "--depth", "3", "--batch-size", "1", "--start-checkpoint", "900"], env);
    expect(differently.code).toBe(1);
    expect(differently.stderr).toMatch(/already configured with other settings/);
  });
});
