/**
 * Checkpoints from a local folder laid out like a remote checkpoint store: one file per
 * checkpoint, `<seq>.binpb.zst` or `<seq>.chk`, either format in the same folder.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { NonRetryableError, RetryableError } from "../../common/errors.ts";
import { CHECKPOINT_FILE_FORMATS, checkpointFileName, decodeCheckpointFile, parseCheckpointFileName } from "../decode/file.ts";
import type { CheckpointSource, FetchResult } from "./types.ts";

/** Errors that a later attempt may not hit: too many open files, I/O hiccups, locks. */
const TRANSIENT_FS_CODES = new Set(["EMFILE", "ENFILE", "EAGAIN", "EBUSY", "EIO", "ETIMEDOUT", "EINTR"]);

export class LocalFolderSource implements CheckpointSource {
  readonly name: string;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.name = `folder:${this.dir}`;
  }

  async fetch(sequenceNumber: bigint, signal?: AbortSignal): Promise<FetchResult> {
    for (const format of CHECKPOINT_FILE_FORMATS) {
      signal?.throwIfAborted();
      const path = join(this.dir, checkpointFileName(sequenceNumber, format));
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path, { signal });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") continue;
        if (code === "ABORT_ERR") throw error;
        const details = { file: path, checkpoint: sequenceNumber, code: code ?? null };
        if (code && TRANSIENT_FS_CODES.has(code)) throw new RetryableError("cannot read checkpoint file", { cause: error, details });
        throw new NonRetryableError("cannot read checkpoint file", { cause: error, details });
      }
      const checkpoint = decodeCheckpointFile(bytes, path);
      return { kind: "found", checkpoint, bytes: bytes.length, location: path };
    }
    return { kind: "notFound", location: join(this.dir, checkpointFileName(sequenceNumber, "chk")) };
  }

  /** The highest sequence number with a file in the folder; null when there is none. */
  async latest(): Promise<bigint | null> {
    let highest: bigint | null = null;
    for (const name of await readdir(this.dir)) {
      const parsed = parseCheckpointFileName(name);
      if (parsed && (highest === null || parsed.sequenceNumber > highest)) highest = parsed.sequenceNumber;
    }
    return highest;
  }
}

/**
 * @example
 * const source = localFolderSource("/data/checkpoints");
 * const result = await source.fetch(100000017n);
 * if (result.kind === "found") console.log(result.checkpoint.transactions.length);
 */
export function localFolderSource(dir: string): LocalFolderSource {
  return new LocalFolderSource(dir);
}
