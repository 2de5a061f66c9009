import type { CheckpointModel } from "../model.ts";

/** What a source answers for one checkpoint sequence number. */
export type FetchResult =
  | {
      kind: "found";
      checkpoint: CheckpointModel;
      /** Size of the encoded checkpoint as fetched (for metrics and progress). */
      bytes: number;
      /** Where it came from: a file path or URL, named in errors. */
      location: string;
    }
  /** The checkpoint does not exist (yet): poll again later, it is not an error. */
  | { kind: "notFound"; location: string };

/**
 * Where checkpoints come from: a local folder, a remote checkpoint store, a full node.
 *
 * `fetch` throws a RetryableError for transient failures (timeouts, 429, 5xx, dropped
 * connections) and a NonRetryableError for input that will never decode (naming the
 * location, the checkpoint and the field).
 */
export interface CheckpointSource {
  readonly name: string;
  fetch(sequenceNumber: bigint, signal?: AbortSignal): Promise<FetchResult>;
  /** The highest checkpoint the source can serve now, where it knows; null otherwise. */
  latest?(signal?: AbortSignal): Promise<bigint | null>;
  close?(): Promise<void>;
}
