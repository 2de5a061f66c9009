/**
 * Checkpoints from a remote checkpoint store over HTTP(S), e.g.
 * `https://checkpoints.mainnet.sui.io`: `GET {url}/{seq}.binpb.zst` (current) or
 * `GET {url}/{seq}.chk` (legacy).
 *
 * Status mapping: 200 decodes; 404 is "not found (yet)", polled by the caller; 408, 429 and
 * 5xx, timeouts and connection errors are retryable; any other status is not.
 */
import { NonRetryableError, RetryableError } from "../../common/errors.ts";
import { checkpointFileName, decodeCheckpointFile, type CheckpointFileFormat } from "../decode/file.ts";
import type { CheckpointSource, FetchResult } from "./types.ts";

export interface RemoteStoreOptions {
  /** Which file format to ask for; "auto" tries the current one first and keeps whichever answers. */
  format?: CheckpointFileFormat | "auto";
  /** Per-request timeout, headers and body included. */
  timeoutMs?: number;
}

export const DEFAULT_REMOTE_TIMEOUT_MS = 30_000;

export class RemoteStoreSource implements CheckpointSource {
  readonly name: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #auto: boolean;
  #format: CheckpointFileFormat;

  constructor(baseUrl: string, options: RemoteStoreOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.name = `remote:${this.baseUrl}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
    this.#auto = (options.format ?? "auto") === "auto";
    this.#format = options.format === "chk" ? "chk" : "binpb.zst";
  }

  async fetch(sequenceNumber: bigint, signal?: AbortSignal): Promise<FetchResult> {
    const first = await this.#get(sequenceNumber, this.#format, signal);
    if (first.kind === "found" || !this.#auto) return first;
    // The store may only hold the other format: try it, and stay with it if it answers.
    const other: CheckpointFileFormat = this.#format === "chk" ? "binpb.zst" : "chk";
    const second = await this.#get(sequenceNumber, other, signal);
    if (second.kind === "found") this.#format = other;
    return second.kind === "found" ? second : first;
  }

  async #get(sequenceNumber: bigint, format: CheckpointFileFormat, signal?: AbortSignal): Promise<FetchResult> {
    const url = `${this.baseUrl}/${checkpointFileName(sequenceNumber, format)}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const details = { url, checkpoint: sequenceNumber };
    let bytes: Uint8Array;
    try {
      const response = await fetch(url, { signal: combined });
      if (response.status === 404) {
        await response.body?.cancel();
        return { kind: "notFound", location: url };
      }
      if (!response.ok) {
        await response.body?.cancel();
        const statusDetails = { ...details, status: response.status, retryAfter: response.headers.get("retry-after") };
        if (response.status === 408 || response.status === 429 || response.status >= 500) {
          throw new RetryableError(`checkpoint store answered ${response.status}`, { details: statusDetails });
        }
        throw new NonRetryableError(`checkpoint store answered ${response.status}`, { details: statusDetails });
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof RetryableError || error instanceof NonRetryableError) throw error;
      // The caller's own cancellation is not a failure of the store: pass it through.
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new RetryableError("checkpoint store timed out", { cause: error, details: { ...details, timeoutMs: this.timeoutMs } });
      }
      throw new RetryableError("checkpoint store request failed", { cause: error, details: { ...details, reason: errorText(error) } });
    }
    return { kind: "found", checkpoint: decodeCheckpointFile(bytes, url), bytes: bytes.length, location: url };
  }
}

/** `fetch` wraps network failures in a TypeError whose cause says what happened. */
function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return [(error as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(": ");
}

/**
 * @example
 * const source = remoteStoreSource("https://checkpoints.mainnet.sui.io");
 * const result = await source.fetch(100000017n, AbortSignal.timeout(60_000));
 */
export function remoteStoreSource(baseUrl: string, options?: RemoteStoreOptions): RemoteStoreSource {
  return new RemoteStoreSource(baseUrl, options);
}
