/**
 * Where posting plugs into the settler. The pipeline (settler/pipeline/) plans batches and
 * records them `planned`, the provers record them `proved`; a Poster takes them from
 * there, strictly in batch order, through the states of `settlement_batches`:
 *
 *   proved -> signed     the `settle` transaction is built, signed, and its bytes,
 *                        signatures and digest are stored (markSigned) BEFORE any submission
 *   signed -> posted     submitted (markPosted; attempts counts submissions)
 *   posted -> confirmed  executed successfully, the registry moved (markConfirmed)
 *   any of those -> failed  rejected for good (markFailed with what happened): the
 *                        pipeline then rolls the tree back to the batch before it and
 *                        plans that batch number again
 *
 * After a crash the poster reads the registry (next cursor, batch count) and either
 * records a signed/posted batch as confirmed or resends exactly the stored bytes, never a
 * rebuilt transaction. The batch repository (settler/pipeline/batches.ts) implements
 * every transition as a compare-and-set on the current state.
 *
 * The Sui implementation lives in settler/sui/; there is no offline default: without a
 * poster, `settle run` / `settle once` only prove when told so (`--no-post`).
 */
import type { Common } from "../../common/context.ts";
import type { Database } from "../../schema/db.ts";
import type { BatchRepository } from "../pipeline/batches.ts";
import type { SettlementSettings } from "../pipeline/settings.ts";

/** The registry as read from chain. */
export interface ChainState {
  registryId: string;
  root: bigint;
  nextIndex: bigint;
  /** Where the next batch must start. */
  nextCursor: bigint;
  /** Batches settled so far: the next batch to post is batchCount + 1. */
  batchCount: bigint;
  maxSpan: bigint;
  /** blake2b-256 of the tracking configuration (32 bytes). */
  trackingConfigHash: Uint8Array;
  paused: boolean;
}

/** What one call of `post` did. */
export interface PostOutcome {
  /** Batches that reached `confirmed`, in order. */
  confirmed: bigint[];
  /** Batches that were marked `failed` (the pipeline rolls back behind the first). */
  failed: bigint[];
  /** The lowest batch still waiting on chain (signed or posted), if any. */
  inFlight: bigint | null;
}

export interface Poster {
  /**
   * Reconciles signed and posted batches with the registry after a restart. Called once
   * before the first `post`.
   */
  recover(): Promise<void>;
  /**
   * Moves proved batches on, strictly in order, starting from the lowest batch that is
   * not confirmed; stops at the first batch that is not proved yet. Retryable failures
   * (timeouts, 5xx) leave the batch where it was and are thrown as RetryableError.
   */
  post(): Promise<PostOutcome>;
  /** The registry as it is on chain now (for `settle status` and checks). */
  readChainState(): Promise<ChainState>;
  close(): Promise<void>;
}

/** What a poster is built from. */
export interface PosterContext {
  database: Database;
  batches: BatchRepository;
  settings: SettlementSettings;
}

/**
 * Builds the poster; `options` are the CLI's posting options as parsed by the poster's
 * own module (key file, RPC URL, gas budget and price, …).
 */
export type PosterFactory = (common: Common, context: PosterContext) => Promise<Poster>;
