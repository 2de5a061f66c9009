/**
 * Progress for people and for log collectors: on a terminal, one status line redrawn in
 * place (checkpoints done / planned, transactions per second, ETA); otherwise a JSON log
 * line every `logEveryMs`.
 */
import type { Logger } from "../../common/logger.ts";
import type { IndexerProgress } from "./indexer.ts";

export interface ProgressReporter {
  update(progress: IndexerProgress): void;
  /** Ends the status line (terminal) so later output starts on a fresh line. */
  finish(): void;
}

export interface ProgressOptions {
  logger: Logger;
  /** Where the status line goes when it is a terminal (default: process.stderr). */
  stream?: NodeJS.WriteStream;
  logEveryMs?: number;
  now?: () => number;
}

/** A rate over a sliding window of recent samples, so the ETA follows the current speed. */
class WindowRate {
  private samples: { at: number; checkpoints: number; transactions: number }[] = [];
  constructor(private readonly windowMs: number) {}
  add(at: number, checkpoints: number, transactions: number): { checkpointsPerSec: number; txPerSec: number } {
    this.samples.push({ at, checkpoints, transactions });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    if (seconds <= 0) return { checkpointsPerSec: 0, txPerSec: 0 };
    return { checkpointsPerSec: (checkpoints - first.checkpoints) / seconds, txPerSec: (transactions - first.transactions) / seconds };
  }
}

/**
 * @example
 * const progress = createProgressReporter({ logger: common.logger });
 * createIndexer(common, { ..., onCommit: (p) => progress.update(p) });
 */
export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const now = options.now ?? (() => performance.now());
  const logEveryMs = options.logEveryMs ?? 10_000;
  const rate = new WindowRate(15_000);
  rate.add(now(), 0, 0);
  let lastLog = -Infinity;
  let drawn = false;
  return {
    update(progress) {
      const at = now();
      const { checkpointsPerSec, txPerSec } = rate.add(at, progress.checkpoints, progress.transactions);
      const remaining = progress.planned === null ? null : Number(progress.planned) - progress.checkpoints;
      const etaSeconds = remaining !== null && checkpointsPerSec > 0 ? remaining / checkpointsPerSec : null;
      const watermark = String(progress.stats.watermark.checkpointHiInclusive);
      if (tty) {
        const of = progress.planned === null ? "" : ` / ${progress.planned}`;
        const eta = etaSeconds === null ? "" : `  ETA ${formatDuration(etaSeconds)}`;
        stream.write(
          `\r\x1b[K${progress.checkpoints}${of} checkpoints  (at ${watermark})  ${Math.round(txPerSec).toLocaleString("en-US")} tx/s  ${checkpointsPerSec.toFixed(1)} cp/s${eta}`,
        );
        drawn = true;
        return;
      }
      if (at - lastLog < logEveryMs && remaining !== 0) return;
      lastLog = at;
      options.logger.info(
        {
          checkpoint: watermark,
          checkpoints: progress.checkpoints,
          planned: progress.planned === null ? null : Number(progress.planned),
          transactions: progress.transactions,
          rows: progress.rows,
          txPerSec: Math.round(txPerSec),
          checkpointsPerSec: Number(checkpointsPerSec.toFixed(2)),
          etaSeconds: etaSeconds === null ? null : Math.round(etaSeconds),
        },
        "progress",
      );
    },
    finish() {
      if (tty && drawn) stream.write("\n");
    },
  };
}

/** 75 -> "1m15s", 3700 -> "1h01m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
