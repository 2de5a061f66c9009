/**
 * Pipeline ownership with advisory locks on real Postgres: two sessions (as two processes
 * would have) contend for pipelines; waiting, exiting, schema isolation and lock loss.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createCommon, createTestCommon, type Common } from "../common/context.ts";
import { NonRetryableError } from "../common/errors.ts";
import { openDatabase } from "../schema/db.ts";
import { dropSchema, freshSchemaName, testPostgresUrl } from "../schema/testing.ts";
import { acquirePipelineLocks, type PipelineLocks } from "./pipeline-locks.ts";

const url = testPostgresUrl();
const schemas: string[] = [];
const schema = () => {
  const name = freshSchemaName("locks");
  schemas.push(name);
  return name;
};

afterAll(async () => {
  for (const name of schemas) await dropSchema(name);
});

/** A context whose log lines the test can wait for. */
function recordingCommon(): Common & { logged(text: string): Promise<void> } {
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      for (const wake of waiters.splice(0)) wake();
      done();
    },
  });
  const common = createCommon({ logger: pino({ level: "info" }, stream) });
  const logged = (text: string): Promise<void> =>
    new Promise((resolve) => {
      const check = () => (lines.some((l) => l.includes(text)) ? resolve() : waiters.push(check));
      check();
    });
  return Object.assign(common, { logged });
}

describe("pipeline locks", () => {
  it("PGlite needs none", async () => {
    const locks = await acquirePipelineLocks(createTestCommon(), { url: null, pipelines: ["events"] });
    expect(locks.pipelines).toEqual(["events"]);
    await locks.release();
  });

  it("a second process asking for a taken pipeline exits naming it and its holder", async () => {
    const s = schema();
    const first = await acquirePipelineLocks(createTestCommon(), { url, schema: s, pipelines: ["checkpoints", "events"] });
    try {
      const error = await acquirePipelineLocks(createTestCommon(), { url, schema: s, pipelines: ["transactions", "events"], onLocked: "exit" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonRetryableError);
      expect((error as NonRetryableError).details.pipelines).toBe("events");
      expect(String((error as NonRetryableError).details.holders)).toMatch(/^events: pid \d+/);
      // It let go of what it did get: another process can take "transactions".
      const third = await acquirePipelineLocks(createTestCommon(), { url, schema: s, pipelines: ["transactions"], onLocked: "exit" });
      await third.release();
    } finally {
      await first.release();
    }
  });

  it("a second process that waits gets the pipeline once the first lets go, and not before", async () => {
    const s = schema();
    const first = await acquirePipelineLocks(createTestCommon(), { url, schema: s, pipelines: ["objects"] });
    const common = recordingCommon();
    let second: PipelineLocks | null = null;
    const waiting = acquirePipelineLocks(common, { url, schema: s, pipelines: ["objects", "packages"], onLocked: "wait", retryMs: 10 }).then((l) => (second = l));
    await common.logged("waiting for them");
    expect(second).toBeNull();
    await first.release();
    await waiting;
    expect(second!.pipelines).toEqual(["objects", "packages"]);
    // And now the first cannot have it back.
    await expect(acquirePipelineLocks(createTestCommon(), { url, schema: s, pipelines: ["objects"], onLocked: "exit" })).rejects.toThrow(/owned by another indexer/);
    await second!.release();
  });

  it("locks in different schemas do not contend", async () => {
    const a = await acquirePipelineLocks(createTestCommon(), { url, schema: schema(), pipelines: ["events"] });
    const b = await acquirePipelineLocks(createTestCommon(), { url, schema: schema(), pipelines: ["events"], onLocked: "exit" });
    await a.release();
    await b.release();
  });

  it("reports the locks lost when the connection holding them dies", async () => {
    const s = schema();
    let lost: (error: NonRetryableError) => void = () => {};
    const lostError = new Promise<NonRetryableError>((resolve) => (lost = resolve));
    const locks = await acquirePipelineLocks(createTestCommon(), { url, schema: s, pipelines: ["balance_changes"], heartbeatMs: 20, onLost: lost });
    const admin = await openDatabase({ url, migrate: false, maxConnections: 1 });
    try {
      const killed = await admin.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_locks
          WHERE locktype = 'advisory' AND objsubid = 1
            AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('sui-zk-indexer:pipeline:' || $1 || ':balance_changes', 0)`,
        [s],
      );
      expect(killed).toEqual([{ killed: true }]);
      const error = await lostError;
      expect(error.details.pipelines).toBe("balance_changes");
    } finally {
      await admin.close();
      await locks.release();
    }
  });
});
