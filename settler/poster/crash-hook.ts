/**
 * TEST HOOK for the crash tests: `SUI_ZK_INDEXER_CRASH_AFTER=<state>[:<batch>]` makes the
 * settler kill itself with SIGKILL right after it has recorded that state (for that batch,
 * or for the first batch reaching it), so a test can stop the real CLI at every state
 * transition and check that a restart neither loses nor double-posts a batch. SIGKILL, not
 * an exception: nothing gets to clean up, as in a power cut. Unset, it does nothing.
 *
 * States: the batch states of settlement_batches: planned and proved (the settler calls the
 * hook), signed, posted, confirmed and failed (the poster calls it).
 */
import type { BatchState } from "../pipeline/batches.ts";

export const CRASH_AFTER_ENV = "SUI_ZK_INDEXER_CRASH_AFTER";

/** Called after a transition has been committed to the database. */
export type TransitionHook = (batch: bigint, state: BatchState) => void;

/**
 * The hook described by the environment, or a no-op.
 *
 * @example
 * const afterTransition = crashHookFromEnv(process.env); // SUI_ZK_INDEXER_CRASH_AFTER=posted:2
 * await markPosted(2n); afterTransition(2n, "posted"); // the process is gone here
 */
export function crashHookFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): TransitionHook {
  const spec = env[CRASH_AFTER_ENV];
  if (!spec) return () => {};
  const [state, batchText] = spec.split(":");
  const batch = batchText ? BigInt(batchText) : null;
  return (b, s) => {
    if (s === state && (batch === null || batch === b)) {
      process.stderr.write(`${CRASH_AFTER_ENV}: killing the process after batch ${b} became ${s}\n`);
      process.kill(process.pid, "SIGKILL");
    }
  };
}
