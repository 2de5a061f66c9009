/**
 * Opaque page cursors: base64url of `mac(16 bytes) || JSON payload`, where the payload
 * names the list (kind), the query it belongs to (a hash of its filters and order), the
 * pinned upper bound of the first page, and the natural key of the last row returned.
 *
 * The HMAC makes a forged or edited cursor a 400 rather than an arbitrary keyset query;
 * the payload is still validated structurally after the MAC, so a key from another
 * server (or another version of this one) is rejected cleanly too.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors.ts";

const VERSION = 1;
const MAC_BYTES = 16;
const MAX_CURSOR_LENGTH = 2048;

/**
 * The upper bound every page of one listing reads at or below: the checkpoint the first
 * page saw as indexed, and the exclusive global transaction bound at that checkpoint.
 */
export interface Pin {
  checkpoint: bigint;
  txHi: bigint;
}

/** What a key component may be: decimal u64 (as bigint) or a string (ids, types). */
export type KeyPart = bigint | string;

/** How each component of a list's key is checked when a cursor is read back. */
export type KeyShape = readonly ("u64" | "address" | "type" | "word")[];

export interface CursorState<K extends readonly KeyPart[]> {
  pin: Pin;
  key: K;
}

export interface CursorCodec {
  /**
   * @example
   * const token = codec.encode("events", scope, { pin, key: [12n, 0n] });
   */
  encode(kind: string, scope: string, state: CursorState<readonly KeyPart[]>): string;
  /** Throws a 400 (parameter `cursor`) unless the token is one this server issued for this query. */
  decode(token: string, kind: string, scope: string, shape: KeyShape): CursorState<KeyPart[]>;
}

/**
 * The scope of a listing: a short hash of its kind, filters and order, so that a cursor
 * cannot be replayed against a different query.
 *
 * @example
 * const scope = cursorScope("transactions", { sender: "0x…", order: "desc" });
 */
export function cursorScope(kind: string, filters: Record<string, string | bigint | null | undefined>): string {
  const canonical = JSON.stringify([
    kind,
    ...Object.keys(filters)
      .sort()
      .map((k) => [k, filters[k] === undefined || filters[k] === null ? null : String(filters[k])]),
  ]);
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 12);
}

const U64 = /^(0|[1-9][0-9]{0,18})$/;
const ADDRESS = /^0x[0-9a-f]{64}$/;
const TYPE = /^0x[0-9a-f]{64}::[A-Za-z0-9_:<>,]{1,4090}$/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * @example
 * const codec = createCursorCodec(randomBytes(32));
 * const token = codec.encode("checkpoints", scope, { pin, key: [41n] });
 * codec.decode(token, "checkpoints", scope, ["u64"]).key; // [41n]
 */
export function createCursorCodec(secret: Uint8Array = randomBytes(32)): CursorCodec {
  if (secret.length < 16) throw new Error("cursor secret must be at least 16 bytes");
  const key = Buffer.from(secret);
  const mac = (payload: Buffer) => createHmac("sha256", key).update(payload).digest().subarray(0, MAC_BYTES);
  const invalid = (reason: string) =>
    new ApiError(400, "invalid_cursor", "cursor is malformed or was not issued for this query", {
      parameter: "cursor",
      details: { reason },
    });

  return {
    encode(kind, scope, { pin, key: parts }) {
      const payload = Buffer.from(
        JSON.stringify([VERSION, kind, scope, pin.checkpoint.toString(), pin.txHi.toString(), parts.map(String)]),
      );
      return Buffer.concat([mac(payload), payload]).toString("base64url");
    },
    decode(token, kind, scope, shape) {
      if (token.length === 0 || token.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
        throw invalid("not base64url");
      }
      const bytes = Buffer.from(token, "base64url");
      if (bytes.length <= MAC_BYTES) throw invalid("too short");
      const payload = bytes.subarray(MAC_BYTES);
      if (!timingSafeEqual(bytes.subarray(0, MAC_BYTES), mac(payload))) throw invalid("signature mismatch");
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload.toString("utf8"));
      } catch {
        throw invalid("not JSON");
      }
      if (!Array.isArray(parsed) || parsed.length !== 6) throw invalid("wrong structure");
      const [version, k, s, checkpoint, txHi, parts] = parsed as unknown[];
      if (version !== VERSION) throw invalid("unsupported version");
      if (k !== kind || s !== scope) {
        throw new ApiError(400, "invalid_cursor", "cursor belongs to a different query (filters or order changed)", {
          parameter: "cursor",
        });
      }
      if (typeof checkpoint !== "string" || !U64.test(checkpoint) || typeof txHi !== "string" || !U64.test(txHi)) {
        throw invalid("bad pin");
      }
      if (!Array.isArray(parts) || parts.length !== shape.length) throw invalid("bad key");
      const key = parts.map((part: unknown, i): KeyPart => {
        if (typeof part !== "string") throw invalid("bad key");
        switch (shape[i]) {
          case "u64":
            if (!U64.test(part)) throw invalid("bad key");
            return BigInt(part);
          case "address":
            if (!ADDRESS.test(part)) throw invalid("bad key");
            return part;
          case "type":
            if (!TYPE.test(part)) throw invalid("bad key");
            return part;
          case "word":
            if (!WORD.test(part)) throw invalid("bad key");
            return part;
          default:
            throw invalid("bad key");
        }
      });
      return { pin: { checkpoint: BigInt(checkpoint), txHi: BigInt(txHi) }, key };
    },
  };
}
