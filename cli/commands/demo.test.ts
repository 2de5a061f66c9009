// `npm run demo` end to end, in process: fixtures indexed into a fresh embedded database,
// dev setup, local Sui double, settle init, every batch settled, the auditor's checks.
import { Writable } from "node:stream";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createTestCommon } from "../../common/context.ts";
import { DEMO_DEFAULTS, runDemo } from "./demo.ts";

describe("demo", () => {
  it("settles every batch of the fixtures on the double; registry, setup and object proofs check out", { timeout: 1_800_000 }, async () => {
    let printed = "";
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed += chunk.toString();
        done();
      },
    });
    const result = await runDemo(createTestCommon(), { ...DEMO_DEFAULTS, threads: 1, keep: false, out });
    expect(result.indexed.checkpoints).toBe(23);
    expect(result.batches.length).toBeGreaterThan(0);
    expect(result.batches.map((b) => b.state)).toEqual(result.batches.map(() => "confirmed"));
    expect(result.summary.failed).toBe(0);
    expect(result.consistent).toBe(true);
    expect(result.chain.batchCount).toBe(BigInt(result.batches.length));
    expect(result.audit.setupOk).toBe(true);
    expect(result.audit.proofsAsked).toBeGreaterThan(0);
    expect(result.audit.proofsVerified).toBe(result.audit.proofsAsked);
    expect(printed).toMatch(/batch\s+checkpoints \[from, to\)/);
    expect(printed).toMatch(/registry matches the last confirmed batch \(root, batch count, cursor\): yes/);
    // A fresh temporary folder, removed afterwards.
    expect(existsSync(result.dataDir)).toBe(false);
  });
});
