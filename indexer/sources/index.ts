/**
 * Where checkpoints come from. Every source implements `CheckpointSource` (types.ts):
 * `fetch(seq)` answers `{ kind: "found", checkpoint, bytes, location }` or
 * `{ kind: "notFound", location }` (not there yet: poll again), and throws RetryableError
 * for transient failures and NonRetryableError for input that will never decode.
 */
export type { CheckpointSource, FetchResult } from "./types.ts";
export { LocalFolderSource, localFolderSource } from "./local-folder.ts";
export { RemoteStoreSource, remoteStoreSource, DEFAULT_REMOTE_TIMEOUT_MS, type RemoteStoreOptions } from "./remote-store.ts";
export { decodeCheckpointFile, parseCheckpointFileName, checkpointFileName, type CheckpointFileFormat } from "../decode/file.ts";
