/**
 * Adaptive fetch concurrency: fewer fetches at once while everything fetched waits for a
 * slow consumer (the database), more while the consumer waits for the source.
 */
import { describe, expect, it } from "vitest";
import { localFolderSource, type CheckpointSource } from "../sources/index.ts";
import { createCheckpointFetcher } from "./fetcher.ts";
import { fixtureSets } from "./test-helpers.ts";

describe("adaptive fetch concurrency", () => {
  it("shrinks to the minimum behind a slow consumer and grows again when the consumer waits", async () => {
    const sets = fixtureSets();
    const folder = localFolderSource(sets.dir);
    let completed = 0;
    let waiter: (() => void) | null = null;
    // The real folder source, counting finished fetches so the test can wait on them.
    const source: CheckpointSource = {
      name: folder.name,
      async fetch(seq, signal) {
        const result = await folder.fetch(seq, signal);
        completed++;
        waiter?.();
        return result;
      },
    };
    const fetchedAtLeast = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (completed >= n ? resolve() : (waiter = check));
        check();
      });
    const changes: number[] = [];
    const maxAhead = 6;
    const fetcher = createCheckpointFetcher({ source, sequence: sets.mainnet, concurrency: 4, minConcurrency: 1, maxAhead, onConcurrency: (n) => changes.push(n) });
    try {
      const taken: bigint[] = [];
      // Slow consumer: take one only once everything ahead is fetched.
      for (let i = 0; i < 4; i++) {
        if (i === 0) await fetcher.next().then((f) => taken.push(f!.checkpoint.sequenceNumber));
        await fetchedAtLeast(maxAhead + i + 1);
        await new Promise((resolve) => setImmediate(resolve)); // let the fetcher see them settle
        taken.push((await fetcher.next())!.checkpoint.sequenceNumber);
      }
      expect(fetcher.concurrency).toBe(1);
      expect(changes).toEqual([3, 2, 1]);
      // Fast consumer: take as soon as possible until the plan ends.
      for (let f = await fetcher.next(); f; f = await fetcher.next()) taken.push(f.checkpoint.sequenceNumber);
      expect(taken).toEqual(sets.mainnet);
      expect(Math.max(...changes.slice(3))).toBeGreaterThan(1);
      expect(Math.max(...changes)).toBeLessThanOrEqual(4);
      expect(Math.min(...changes)).toBeGreaterThanOrEqual(1);
    } finally {
      fetcher.close();
    }
  });
});
