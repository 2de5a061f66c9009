import { describe, expect, it } from "vitest";
import { ApiError } from "./errors.ts";
import { createCursorCodec, cursorScope } from "./cursor.ts";

const secret = new Uint8Array(32).fill(7);
const codec = createCursorCodec(secret);
const scope = cursorScope("events", { sender: "0xab", order: "desc" });
const pin = { checkpoint: 273995602n, txHi: 3120095017n };
const ID = `0x${"ab".repeat(32)}`;
const TYPE = `0x${"00".repeat(31)}02::coin::Coin<0x${"00".repeat(31)}02::sui::SUI>`;

function rejection(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error("expected a rejection");
}

describe("cursor codec", () => {
  it("round-trips the pin and a key of every shape", () => {
    const token = codec.encode("events", scope, { pin, key: [12n, "word_1", ID, TYPE] });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(token, "events", scope, ["u64", "word", "address", "type"])).toEqual({
      pin,
      key: [12n, "word_1", ID, TYPE],
    });
  });

  it("scopes differ with filters and order, and not with key order of the filters", () => {
    expect(cursorScope("events", { a: "1", b: null })).toBe(cursorScope("events", { b: null, a: "1" }));
    expect(cursorScope("events", { sender: "0xab", order: "asc" })).not.toBe(scope);
    expect(cursorScope("transactions", { sender: "0xab", order: "desc" })).not.toBe(scope);
  });

  it("rejects a cursor whose payload was edited (HMAC)", () => {
    const token = codec.encode("events", scope, { pin, key: [12n, 0n] });
    const bytes = Buffer.from(token, "base64url");
    // Raise the pinned checkpoint: a structurally valid edit that only the MAC catches.
    const edited = Buffer.from(bytes.subarray(16).toString("utf8").replace("273995602", "273995603"));
    const forged = Buffer.concat([bytes.subarray(0, 16), edited]).toString("base64url");
    const error = rejection(() => codec.decode(forged, "events", scope, ["u64", "u64"]));
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_cursor");
    expect(error.parameter).toBe("cursor");
  });

  it("rejects a cursor signed with another secret", () => {
    const other = createCursorCodec(new Uint8Array(32).fill(8));
    const token = other.encode("events", scope, { pin, key: [12n, 0n] });
    expect(rejection(() => codec.decode(token, "events", scope, ["u64", "u64"])).code).toBe("invalid_cursor");
  });

  it("rejects a cursor of another list or another query", () => {
    const token = codec.encode("events", scope, { pin, key: [12n, 0n] });
    expect(rejection(() => codec.decode(token, "transactions", scope, ["u64", "u64"])).shortMessage).toMatch(
      /different query/,
    );
    const otherScope = cursorScope("events", { sender: "0xcd", order: "desc" });
    expect(rejection(() => codec.decode(token, "events", otherScope, ["u64", "u64"])).shortMessage).toMatch(
      /different query/,
    );
  });

  it("rejects a correctly signed payload whose key does not fit the list's shape", () => {
    const token = codec.encode("events", scope, { pin, key: ["not-a-number", 0n] });
    expect(rejection(() => codec.decode(token, "events", scope, ["u64", "u64"])).code).toBe("invalid_cursor");
    const short = codec.encode("events", scope, { pin, key: [1n] });
    expect(rejection(() => codec.decode(short, "events", scope, ["u64", "u64"])).code).toBe("invalid_cursor");
    const badId = codec.encode("events", scope, { pin, key: ["0x2"] });
    expect(rejection(() => codec.decode(badId, "events", scope, ["address"])).code).toBe("invalid_cursor");
  });

  it.each([
    ["empty", ""],
    ["not base64url", "abc+/="],
    ["too short", "AAAA"],
    ["random bytes", Buffer.alloc(40, 3).toString("base64url")],
    ["too long", "A".repeat(3000)],
  ])("rejects %s", (_, token) => {
    expect(rejection(() => codec.decode(token, "events", scope, ["u64", "u64"])).code).toBe("invalid_cursor");
  });

  it("refuses a short secret", () => {
    expect(() => createCursorCodec(new Uint8Array(8))).toThrow(/at least 16 bytes/);
  });
});
