/**
 * The API over real HTTP: startApiServer on a free port, and the `serve` command as a
 * child process (PGlite in a temporary folder), stopped with SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCommon } from "../common/context.ts";
import { projectRoot } from "../common/fixtures.ts";
import { openTestDatabase, type TestDatabase } from "../schema/testing.ts";
import { cursorSecretFrom, DEFAULT_PORT, parsePort } from "../cli/commands/serve.ts";
import { createApi } from "./app.ts";
import { startApiServer } from "./server.ts";
import { fixtureNetworks, indexFixtures } from "./testing.ts";

describe("startApiServer", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    await indexFixtures(database, fixtureNetworks()[0]!.slice(0, 1));
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("serves the app on a free port over HTTP and closes cleanly", async () => {
    const server = await startApiServer({ app: createApi({ database, common: createTestCommon() }), port: 0, hostname: "127.0.0.1" });
    try {
      expect(server.port).toBeGreaterThan(0);
      const base = `http://127.0.0.1:${server.port}`;
      const latest = await fetch(`${base}/v1/checkpoints/latest`);
      expect(latest.status).toBe(200);
      expect(((await latest.json()) as { data: { sequence_number: string } }).data.sequence_number).toBe("100000017");
      const missing = await fetch(`${base}/v1/nothing`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toMatch(/application\/json/);
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string };
      expect(doc.openapi).toBe("3.1.0");
    } finally {
      await server.close();
    }
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow();
  });

  it("fails with a clear error when the port is taken", async () => {
    const app = createApi({ database, common: createTestCommon() });
    const first = await startApiServer({ app, port: 0, hostname: "127.0.0.1" });
    try {
      await expect(startApiServer({ app, port: first.port, hostname: "127.0.0.1" })).rejects.toThrow(/Cannot listen/);
    } finally {
      await first.close();
    }
  });
});

describe("serve command options", () => {
  it("takes the port from --port, else PORT, else the default", () => {
    expect(parsePort("8080", "9090")).toBe(8080);
    expect(parsePort(undefined, "9090")).toBe(9090);
    expect(parsePort(undefined, undefined)).toBe(DEFAULT_PORT);
    expect(parsePort("0", undefined)).toBe(0);
    for (const bad of ["-1", "65536", "http", "80.5"]) expect(() => parsePort(bad, undefined)).toThrow(/Invalid port/);
  });

  it("takes a cursor secret of at least 16 bytes", () => {
    expect(cursorSecretFrom(undefined)).toBeUndefined();
    expect(cursorSecretFrom("0123456789abcdef")?.length).toBe(16);
    expect(() => cursorSecretFrom("short")).toThrow(/at least 16 bytes/);
  });
});

describe("serve command", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "serve-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  function start(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, SUI_ZK_INDEXER_DATA_DIR: dataDir, LOG_LEVEL: "info", ...env };
    delete childEnv.DATABASE_URL;
    return spawn(process.execPath, [join(projectRoot, "bin", "sui-zk-indexer.js"), "serve", ...args], { env: childEnv });
  }

  function logs(child: ChildProcessWithoutNullStreams): { lines: Record<string, unknown>[]; until: (msg: string) => Promise<Record<string, unknown>> } {
    const lines: Record<string, unknown>[] = [];
    const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
    let buffer = "";
    child.stderr.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          line = { msg: text };
        }
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
      }
    });
    return {
      lines,
      until: (msg) =>
        new Promise((resolve, reject) => {
          const seen = lines.find((line) => line.msg === msg);
          if (seen) return resolve(seen);
          waiters.push({ msg, resolve });
          child.once("exit", (code) => reject(new Error(`exited ${code} before "${msg}": ${JSON.stringify(lines)}`)));
        }),
    };
  }

  it("serves on the database until SIGTERM, then exits 0", async () => {
    const child = start(["--port", "0", "--host", "127.0.0.1"]);
    const log = logs(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const listening = await log.until("API listening");
    const port = Number(listening.port);
    expect(port).toBeGreaterThan(0);
    const status = await fetch(`http://127.0.0.1:${port}/v1/status`);
    expect(status.status).toBe(200);
    // An empty database: nothing indexed yet, no pipelines.
    expect(await status.json()).toEqual({ checkpoint: null, source_tip: null, pipelines: [] });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(log.lines.some((line) => line.msg === "API stopped")).toBe(true);
  });

  it("exits 1 on an invalid PORT", async () => {
    const child = start([], { PORT: "not-a-port" });
    const log = logs(child);
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    expect(log.lines.some((line) => line.msg === "serve failed")).toBe(true);
  });
});
