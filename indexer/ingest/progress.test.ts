import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import pino from "pino";
import { createProgressReporter, formatDuration } from "./progress.ts";
import type { IndexerProgress } from "./indexer.ts";

const progress = (checkpoints: number, transactions: number, planned: bigint | null): IndexerProgress => ({
  checkpoints,
  transactions,
  rows: transactions * 18,
  planned,
  stats: {
    checkpoints: 1,
    transactions: 10,
    rows: {},
    totalRows: 180,
    encodeMs: 1,
    writeMs: 1,
    watermark: { epochHi: 1n, checkpointHiInclusive: 1000n + BigInt(checkpoints), txHi: 0n, timestampMsHi: 0n },
  },
});

describe("progress", () => {
  it("formats durations", () => {
    expect(formatDuration(5)).toBe("5s");
    expect(formatDuration(75)).toBe("1m15s");
    expect(formatDuration(3700)).toBe("1h01m");
  });

  it("logs JSON progress with rate and ETA when stderr is not a terminal", () => {
    const out = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    out.on("data", (d: Buffer) => lines.push(...d.toString().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)));
    let now = 0;
    const reporter = createProgressReporter({ logger: pino(out), stream: Object.assign(new PassThrough(), { isTTY: false }) as never, logEveryMs: 1000, now: () => now });
    now = 2000;
    reporter.update(progress(10, 100, 100n)); // 5 checkpoints/s, 50 tx/s, 90 left -> 18 s
    now = 2500;
    reporter.update(progress(12, 120, 100n)); // within logEveryMs: not logged
    reporter.finish();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "progress", checkpoint: "1010", checkpoints: 10, planned: 100, txPerSec: 50, etaSeconds: 18 });
  });

  it("redraws one status line on a terminal", () => {
    let text = "";
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    tty.on("data", (d: Buffer) => (text += d.toString()));
    let now = 0;
    const reporter = createProgressReporter({ logger: pino({ level: "silent" }), stream: tty as never, now: () => now });
    now = 1000;
    reporter.update(progress(4, 40, 10n));
    reporter.finish();
    expect(text).toBe("\r\x1b[K4 / 10 checkpoints  (at 1004)  40 tx/s  4.0 cp/s  ETA 2s\n");
  });
});
