/**
 * Which checkpoints a run indexes, in order: a contiguous range (the default, and the only
 * mode in which a missing checkpoint is an error), or an explicit sparse list (for samples
 * such as the real fixtures, whose sequence numbers are far apart).
 */
import { readdir } from "node:fs/promises";
import { NonRetryableError } from "../../common/errors.ts";
import { parseCheckpointFileName } from "../sources/index.ts";

export type CheckpointPlan =
  /** Every checkpoint from the resume point up to `last` (inclusive), or forever when null. */
  | { kind: "range"; last: bigint | null }
  /** Exactly these checkpoints (sorted, deduplicated), those after the resume point. */
  | { kind: "list"; checkpoints: readonly bigint[] };

/**
 * The sequence numbers to fetch, from `start` on.
 *
 * @example
 * [...planSequence({ kind: "list", checkpoints: [3n, 9n] }, 4n, null)]; // [9n]
 */
export function* planSequence(plan: CheckpointPlan, start: bigint, last: bigint | null): Generator<bigint> {
  if (plan.kind === "range") {
    const end = minLast(plan.last, last);
    for (let seq = start; end === null || seq <= end; seq++) yield seq;
    return;
  }
  for (const seq of plan.checkpoints) {
    if (seq < start) continue;
    if (last !== null && seq > last) return;
    yield seq;
  }
}

/**
 * How many checkpoints the plan holds from `start` (null when unbounded).
 *
 * @example
 * planSize({ kind: "range", last: 9n }, 0n, null); // 10n
 */
export function planSize(plan: CheckpointPlan, start: bigint, last: bigint | null): bigint | null {
  if (plan.kind === "range") {
    const end = minLast(plan.last, last);
    return end === null ? null : end >= start ? end - start + 1n : 0n;
  }
  return BigInt(plan.checkpoints.filter((s) => s >= start && (last === null || s <= last)).length);
}

function minLast(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/**
 * A sorted, deduplicated list plan from explicit sequence numbers ("1,5,9" or "10-20").
 *
 * @example
 * listPlan(parseCheckpointList("100000017,100000177,231377883-231377885"));
 */
export function listPlan(checkpoints: Iterable<bigint>): CheckpointPlan {
  return { kind: "list", checkpoints: [...new Set(checkpoints)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}

/**
 * Parses `1,5,9` and ranges `10-20` (inclusive).
 *
 * @example
 * parseCheckpointList("1,5-7"); // [1n, 5n, 6n, 7n]
 */
export function parseCheckpointList(text: string): bigint[] {
  const out: bigint[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [BigInt(range[1]!), BigInt(range[2]!)];
      if (to < from || to - from > 10_000_000n) {
        throw new NonRetryableError("Invalid checkpoint range", { details: { range: part } });
      }
      for (let s = from; s <= to; s++) out.push(s);
    } else if (/^\d+$/.test(part)) {
      out.push(BigInt(part));
    } else {
      throw new NonRetryableError("Invalid checkpoint in list", { details: { value: part } });
    }
  }
  return out;
}

/**
 * The sequence numbers of the checkpoint files present in a folder (for `--sparse`).
 *
 * @example
 * const plan = listPlan(await checkpointFilesIn("../shared/fixtures/checkpoints"));
 */
export async function checkpointFilesIn(dir: string): Promise<bigint[]> {
  const names = await readdir(dir);
  return names.flatMap((name) => {
    const parsed = parseCheckpointFileName(name);
    return parsed ? [parsed.sequenceNumber] : [];
  });
}
