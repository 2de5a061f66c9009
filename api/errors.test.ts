/**
 * Every error case: 400 naming the parameter for malformed or unknown input and forged
 * cursors, 404 JSON for unknown routes, 500 JSON with a request id (logged, no stack)
 * when the database fails, 503 from /health then.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createCommon, createTestCommon } from "../common/context.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../schema/testing.ts";
import { createApi } from "./app.ts";
import type { ApiApp } from "./context.ts";
import { fixtureNetworks, getJson, indexFixtures } from "./testing.ts";

interface ErrorJson {
  error: { code: string; message: string; parameter?: string; details?: Record<string, unknown> };
  request_id: string;
}

const DIGEST = "4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc";
const LONG_HEX = `0x${"1".repeat(65)}`;

/** [path, status, code, parameter] */
const badRequests: [string, number, string, string | undefined][] = [
  ["/v1/transactions?sender=0xzz", 400, "invalid_parameter", "sender"],
  ["/v1/transactions?sender=abc", 400, "invalid_parameter", "sender"],
  [`/v1/transactions?sender=${LONG_HEX}`, 400, "invalid_parameter", "sender"],
  ["/v1/transactions?object=0x", 400, "invalid_parameter", "object"],
  ["/v1/transactions?package=2", 400, "invalid_parameter", "package"],
  ["/v1/transactions?checkpoint=-1", 400, "invalid_parameter", "checkpoint"],
  ["/v1/objects/0xnothex", 400, "invalid_parameter", "object_id"],
  ["/v1/objects/0xnothex/versions", 400, "invalid_parameter", "object_id"],
  ["/v1/transactions/abc", 400, "invalid_parameter", "digest"],
  ["/v1/transactions/0c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc", 400, "invalid_parameter", "digest"],
  [`/v1/transactions/${DIGEST}z`, 400, "invalid_parameter", "digest"],
  ["/v1/checkpoints/by-digest/xyz", 400, "invalid_parameter", "digest"],
  ["/v1/checkpoints/-1", 400, "invalid_parameter", "sequence_number"],
  ["/v1/checkpoints/abc", 400, "invalid_parameter", "sequence_number"],
  ["/v1/checkpoints/9223372036854775808", 400, "invalid_parameter", "sequence_number"],
  ["/v1/checkpoints/007", 400, "invalid_parameter", "sequence_number"],
  [`/v1/events?type=${encodeURIComponent("0x2::coin::Coin<")}`, 400, "invalid_parameter", "type"],
  ["/v1/events?type=0xzz::a::B", 400, "invalid_parameter", "type"],
  [`/v1/events?type=${encodeURIComponent("0x2::a::B<notatype>")}`, 400, "invalid_parameter", "type"],
  ["/v1/events?type=0x2::", 400, "invalid_parameter", "type"],
  ["/v1/events?module=0x2::a::b", 400, "invalid_parameter", "module"],
  ["/v1/events?transaction=abc", 400, "invalid_parameter", "transaction"],
  ["/v1/events?from_checkpoint=x", 400, "invalid_parameter", "from_checkpoint"],
  ["/v1/events?from_checkpoint=10&to_checkpoint=5", 400, "invalid_parameter", "from_checkpoint"],
  [`/v1/events?sender=0x2&transaction=${DIGEST}`, 400, "invalid_parameter", "transaction"],
  ["/v1/objects?type=0x2::1coin", 400, "invalid_parameter", "type"],
  ["/v1/objects", 400, "invalid_parameter", "owner"],
  ["/v1/objects?owner=0x2&type=0x2", 400, "invalid_parameter", "type"],
  ["/v1/balance-changes", 400, "invalid_parameter", "owner"],
  ["/v1/balance-changes?owner=0x2&coin_type=0x2::sui", 400, "invalid_parameter", "coin_type"],
  ["/v1/transactions?sender=0x2&package=0x2", 400, "invalid_parameter", "package"],
  ["/v1/transactions?foo=1", 400, "unknown_parameter", "foo"],
  ["/v1/checkpoints/latest?x=1", 400, "unknown_parameter", "x"],
  [`/v1/transactions/${DIGEST}?verbose=true`, 400, "unknown_parameter", "verbose"],
  ["/v1/status?verbose=1", 400, "unknown_parameter", "verbose"],
  ["/v1/events?Type=0x2", 400, "unknown_parameter", "Type"],
  ["/v1/transactions?limit=0", 400, "invalid_parameter", "limit"],
  ["/v1/transactions?limit=201", 400, "invalid_parameter", "limit"],
  ["/v1/transactions?limit=-1", 400, "invalid_parameter", "limit"],
  ["/v1/transactions?limit=1.5", 400, "invalid_parameter", "limit"],
  ["/v1/transactions?limit=abc", 400, "invalid_parameter", "limit"],
  ["/v1/transactions?limit=1&limit=2", 400, "invalid_parameter", "limit"],
  ["/v1/transactions?order=sideways", 400, "invalid_parameter", "order"],
  ["/v1/transactions?cursor=!!!", 400, "invalid_cursor", "cursor"],
  [`/v1/transactions?cursor=${Buffer.alloc(64, 1).toString("base64url")}`, 400, "invalid_cursor", "cursor"],
  ["/v1/nope", 404, "not_found", undefined],
  ["/v2/transactions", 404, "not_found", undefined],
  ["/", 404, "not_found", undefined],
];

function expectCleanError(body: ErrorJson, text: string): void {
  expect(typeof body.request_id).toBe("string");
  expect(body.request_id.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/stack|\n\s+at |\.ts:\d+/);
}

describe.each(databaseKinds)("API errors on %s", (kind) => {
  let database: TestDatabase;
  let app: ApiApp;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await indexFixtures(database, fixtureNetworks()[0]!.slice(0, 2));
    app = createApi({ database, common: createTestCommon() });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it.each(badRequests)("%s -> %i %s (%s)", async (path, status, code, parameter) => {
    const response = await app.request(path);
    const text = await response.text();
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = JSON.parse(text) as ErrorJson;
    expect(body.error.code).toBe(code);
    expect(body.error.parameter).toBe(parameter);
    if (parameter) expect(body.error.message).toContain(parameter);
    expectCleanError(body, text);
    expect(response.headers.get("x-request-id")).toBe(body.request_id);
  });

  it("says when a parameter is missing or repeated", async () => {
    const missing = await getJson<ErrorJson>(app, "/v1/balance-changes");
    expect(missing.body.error.message).toBe("owner: required");
    const repeated = await getJson<ErrorJson>(app, "/v1/transactions?limit=1&limit=2");
    expect(repeated.body.error.message).toBe("limit: given more than once");
  });

  it("answers an unsupported method with a JSON 404", async () => {
    const response = await app.request("/v1/transactions", { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorJson).error.code).toBe("not_found");
  });

  it("rejects a real cursor replayed against another query, order or list, or edited", async () => {
    const first = await getJson<{ next_cursor: string }>(app, "/v1/transactions?limit=1");
    const cursor = first.body.next_cursor;
    expect(cursor).toEqual(expect.any(String));
    expect((await app.request(`/v1/transactions?limit=1&cursor=${cursor}`)).status).toBe(200);
    for (const path of [
      `/v1/transactions?limit=1&sender=0x2&cursor=${cursor}`,
      `/v1/transactions?limit=1&order=asc&cursor=${cursor}`,
      `/v1/checkpoints?limit=1&cursor=${cursor}`,
      `/v1/events?limit=1&cursor=${cursor}`,
    ]) {
      const { status, body } = await getJson<ErrorJson>(app, path);
      expect(status, path).toBe(400);
      expect(body.error).toMatchObject({ code: "invalid_cursor", parameter: "cursor" });
    }
    const bytes = Buffer.from(cursor, "base64url");
    bytes[bytes.length - 3]! ^= 1;
    const edited = await getJson<ErrorJson>(app, `/v1/transactions?limit=1&cursor=${bytes.toString("base64url")}`);
    expect(edited.status).toBe(400);
    expect(edited.body.error.code).toBe("invalid_cursor");
  });

  it("accepts a cursor from another server only when they share the cursor secret", async () => {
    const secret = new Uint8Array(32).fill(42);
    const a = createApi({ database, common: createTestCommon(), cursorSecret: secret });
    const b = createApi({ database, common: createTestCommon(), cursorSecret: secret });
    const stranger = createApi({ database, common: createTestCommon() });
    const cursor = (await getJson<{ next_cursor: string }>(a, "/v1/transactions?limit=1")).body.next_cursor;
    expect((await b.request(`/v1/transactions?limit=1&cursor=${cursor}`)).status).toBe(200);
    expect((await stranger.request(`/v1/transactions?limit=1&cursor=${cursor}`)).status).toBe(400);
  });

  it("404s for well-formed ids that are not indexed", async () => {
    for (const path of [
      "/v1/transactions/11111111111111111111111111111111",
      "/v1/checkpoints/1",
      "/v1/objects/0x1234",
    ]) {
      const { status, body } = await getJson<ErrorJson>(app, path);
      expect(status, path).toBe(404);
      expect(body.error.code).toBe("not_found");
    }
  });

  it("answers a database failure with a 500 carrying the request id, logs it, and /health says 503", async () => {
    const broken = await openTestDatabase(kind);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const api = createApi({ database: broken, common: createCommon({ logger: pino({ level: "error" }, sink) }) });
    await broken.destroy();

    const response = await api.request("/v1/transactions", { headers: { "x-request-id": "req-test-42" } });
    const text = await response.text();
    expect(response.status).toBe(500);
    const body = JSON.parse(text) as ErrorJson;
    expect(body).toEqual({ error: { code: "internal", message: "internal error" }, request_id: "req-test-42" });
    expectCleanError(body, text);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.some((entry) => entry.requestId === "req-test-42" && entry.msg === "request failed")).toBe(true);

    const health = await api.request("/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "unavailable" });
  });
});
