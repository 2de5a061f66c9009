/**
 * File hashes for the setup manifest and for checking operator-supplied files: BLAKE2b-512
 * (what powers-of-tau ceremonies publish, `b2sum`) and SHA-256.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { NonRetryableError } from "../../common/errors.ts";

export interface FileHashes {
  blake2b512: string;
  sha256: string;
  bytes: number;
}

/** An expected hash as given on a command line. */
export interface ExpectedHash {
  algorithm: "blake2b512" | "sha256";
  hex: string;
}

/**
 * Both hashes of a file, read once as a stream.
 *
 * @example
 * const { blake2b512, sha256, bytes } = await hashFile("phase1.ptau");
 */
export async function hashFile(path: string): Promise<FileHashes> {
  const blake = createHash("blake2b512");
  const sha = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    blake.update(buffer);
    sha.update(buffer);
    bytes += buffer.length;
  }
  return { blake2b512: blake.digest("hex"), sha256: sha.digest("hex"), bytes };
}

/**
 * Parses `blake2b:<128 hex>`, `sha256:<64 hex>`, or bare hex (the length decides).
 *
 * @example
 * parseExpectedHash("sha256:" + "00".repeat(32)); // { algorithm: "sha256", hex: "00…" }
 */
export function parseExpectedHash(text: string): ExpectedHash {
  const match = /^(?:(blake2b|blake2b512|sha256):)?(?:0x)?([0-9a-fA-F]+)$/.exec(text.trim());
  const hex = match?.[2]?.toLowerCase();
  const prefix = match?.[1];
  if (hex && hex.length === 128 && (prefix === undefined || prefix.startsWith("blake2b"))) return { algorithm: "blake2b512", hex };
  if (hex && hex.length === 64 && (prefix === undefined || prefix === "sha256")) return { algorithm: "sha256", hex };
  throw new NonRetryableError("expected hash must be blake2b:<128 hex digits> or sha256:<64 hex digits>", {
    details: { given: text.slice(0, 80) },
  });
}

/**
 * Throws unless `hashes` match `expected`; `label` names the file in the error.
 *
 * @example
 * assertHash(await hashFile(ptau), parseExpectedHash(flag), "--ptau");
 */
export function assertHash(hashes: FileHashes, expected: ExpectedHash, label: string): void {
  const actual = hashes[expected.algorithm];
  if (actual !== expected.hex) {
    throw new NonRetryableError(`${label}: ${expected.algorithm} hash does not match the expected hash`, {
      details: { expected: expected.hex, actual },
    });
  }
}
