/**
 * One entry point for checkpoint files of either format, as named in a checkpoint store:
 * `<seq>.chk` (legacy BCS blob) or `<seq>.binpb.zst` (current zstd protobuf).
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { CheckpointModel } from "../model.ts";
import { decodeBinpbZst } from "./binpb.ts";
import { decodeChk } from "./chk.ts";

export type CheckpointFileFormat = "chk" | "binpb.zst";

export const CHECKPOINT_FILE_FORMATS: readonly CheckpointFileFormat[] = ["binpb.zst", "chk"];

/** The file name a store uses for a checkpoint in a format. */
export function checkpointFileName(sequenceNumber: bigint, format: CheckpointFileFormat): string {
  return `${sequenceNumber}.${format}`;
}

/** Parses `<seq>.chk` / `<seq>.binpb.zst` (the last path segment of a path or URL); null otherwise. */
export function parseCheckpointFileName(name: string): { sequenceNumber: bigint; format: CheckpointFileFormat } | null {
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  const match = /^(0|[1-9][0-9]{0,19})\.(chk|binpb\.zst)$/.exec(base);
  if (!match) return null;
  const sequenceNumber = BigInt(match[1]!);
  if (sequenceNumber > 0xffffffffffffffffn) return null;
  return { sequenceNumber, format: match[2] as CheckpointFileFormat };
}

/**
 * Decodes a checkpoint file of either format, chosen by its name, and checks that the
 * sequence number inside agrees with the name. Pure: no I/O.
 *
 * @example
 * const bytes = readFileSync("/data/checkpoints/100000017.chk");
 * const checkpoint = decodeCheckpointFile(bytes, "100000017.chk");
 */
export function decodeCheckpointFile(bytes: Uint8Array, fileName: string): CheckpointModel {
  const parsed = parseCheckpointFileName(fileName);
  if (!parsed) {
    throw new NonRetryableError("not a checkpoint file name", {
      details: { file: fileName, expected: "<sequence number>.chk or <sequence number>.binpb.zst" },
    });
  }
  const checkpoint = parsed.format === "chk" ? decodeChk(bytes, fileName) : decodeBinpbZst(bytes, fileName);
  if (checkpoint.sequenceNumber !== parsed.sequenceNumber) {
    throw new NonRetryableError("checkpoint sequence number disagrees with its file name", {
      details: {
        file: fileName,
        checkpoint: checkpoint.sequenceNumber,
        field: "checkpoint_summary.sequence_number",
        expected: parsed.sequenceNumber,
      },
    });
  }
  return checkpoint;
}
