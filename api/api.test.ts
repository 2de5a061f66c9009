/**
 * The API against a database indexed from the real fixture checkpoints (decoder, pipelines
 * and committer), on PGlite and on PostgreSQL. Concrete values come from the independent
 * DeepBook indexer's snapshots of the same checkpoints; lists are walked page by page.
 * The databases are read-only here, so they are indexed once per backend: one for the
 * mainnet fixtures, one for the testnet ones (their transaction numbers overlap
 * mainnet's). Tests that write get their own, in pagination.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase58 } from "@mysten/sui/utils";
import { createTestCommon } from "../common/context.ts";
import type { CheckpointModel } from "../indexer/model.ts";
import { processCheckpoint } from "../indexer/pipelines/index.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../schema/testing.ts";
import { createApi } from "./app.ts";
import type { ApiApp } from "./context.ts";
import { deepbookSnapshotRows, fixtureNetworks, getJson, indexFixtures } from "./testing.ts";

const TWO = "0x0000000000000000000000000000000000000000000000000000000000000002";
const SUI = `${TWO}::sui::SUI`;
const DEEPBOOK = "0x2c8d603bc51326b8c13cef9dd07031a408a48dddb541963357661df5d3204809";
const ORDER_TX = "4c3YE3wdiiU4HGjfy7VKbLfMbGbdNMrymxsBU5hF2EZc";
const ORDER_SENDER = "0xcde6dbe01902be1f200ff03dbbd149e586847be8cee15235f82750d9b06c0e04";
const BOOK_TX = "CKtJFhYSm7dAvVozv1SnrfzzfgkYJ15nJXWyUtkNRXNR";
const BOOK_PARAMS = "0xcaf6ba059d539a97646d47f0b9ddf843e138d215e2a12ca1f4585d386f7aec3a::pool::BookParamsUpdated";
const USDC = "0xdba34672e30cb065b1f93e3ab55318768fd6fef66c15942c9f7cb846e2f900e7::usdc::USDC";
const CLOCK = "0x0000000000000000000000000000000000000000000000000000000000000006";
/** The last mainnet fixture checkpoint (the testnet ones go to their own database). */
const LAST_CHECKPOINT = "243618560";

type Json = Record<string, unknown>;
interface PageBody {
  checkpoint: string | null;
  data: Json[];
  next_cursor: string | null;
}

/** Walks a list page by page; checks that every page is consistent with one checkpoint. */
async function walk(app: ApiApp, path: string, limit: number, order: "asc" | "desc"): Promise<{ items: Json[]; pages: number }> {
  const items: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let pinned: string | null | undefined;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const url: string = `${path}${sep}limit=${limit}&order=${order}${cursor ? `&cursor=${cursor}` : ""}`;
    const { status, body } = await getJson<PageBody>(app, url);
    expect(status, url).toBe(200);
    expect(body.data.length).toBeLessThanOrEqual(limit);
    if (pinned === undefined) pinned = body.checkpoint;
    expect(body.checkpoint).toBe(pinned);
    items.push(...body.data);
    cursor = body.next_cursor;
    pages++;
    if (cursor) expect(body.data.length).toBe(limit);
    if (pages > 500) throw new Error("runaway paging");
  } while (cursor);
  return { items, pages };
}

/**
 * Pages through a list in both orders with a small page size and checks it against the
 * whole list in one page: same rows, no duplicates, no gaps, the exact number of pages,
 * and descending is ascending reversed.
 */
async function checkPaging(app: ApiApp, path: string, keyOf: (item: Json) => string, limit = 3): Promise<Json[]> {
  const sep = path.includes("?") ? "&" : "?";
  const whole = await getJson<PageBody>(app, `${path}${sep}limit=200&order=asc`);
  expect(whole.status).toBe(200);
  expect(whole.body.next_cursor).toBeNull();
  const all = whole.body.data.map(keyOf);
  expect(new Set(all).size).toBe(all.length);
  const asc = await walk(app, path, limit, "asc");
  const desc = await walk(app, path, limit, "desc");
  expect(asc.items.map(keyOf)).toEqual(all);
  expect(desc.items.map(keyOf)).toEqual([...all].reverse());
  expect(asc.pages).toBe(Math.max(1, Math.ceil(all.length / limit)));
  return whole.body.data;
}

describe.each(databaseKinds)("API on %s, fixture checkpoints", (kind) => {
  let database: TestDatabase;
  let testnet: TestDatabase;
  let app: ApiApp;
  let testnetApp: ApiApp;
  let checkpoints: CheckpointModel[];
  let testnetCheckpoints: CheckpointModel[];
  const snapshots = deepbookSnapshotRows();

  beforeAll(async () => {
    const [mainnetFixtures, testnetFixtures] = fixtureNetworks();
    database = await openTestDatabase(kind);
    checkpoints = await indexFixtures(database, mainnetFixtures!);
    app = createApi({ database, common: createTestCommon() });
    testnet = await openTestDatabase(kind);
    testnetCheckpoints = await indexFixtures(testnet, testnetFixtures!);
    testnetApp = createApi({ database: testnet, common: createTestCommon() });
  });
  afterAll(async () => {
    await database?.destroy();
    await testnet?.destroy();
  });

  /** Snapshot rows of indexed checkpoints, each with the app of its network. */
  const inFixtures = () => {
    const mainnetSet = new Set(checkpoints.map((c) => c.sequenceNumber));
    const testnetSet = new Set(testnetCheckpoints.map((c) => c.sequenceNumber));
    return snapshots.flatMap((row) =>
      mainnetSet.has(row.checkpoint)
        ? [{ ...row, app, last: LAST_CHECKPOINT }]
        : testnetSet.has(row.checkpoint)
          ? [{ ...row, app: testnetApp, last: testnetCheckpoints.at(-1)!.sequenceNumber.toString() }]
          : [],
    );
  };
  const clockVersions = () =>
    checkpoints
      .flatMap((cp) => processCheckpoint(cp, null, ["object_versions"]).object_versions ?? [])
      .filter((v) => v.objectId === CLOCK).length;
  const allTransactions = () =>
    checkpoints.flatMap((cp) => cp.transactions.map((tx, i) => ({ cp, tx, seq: cp.networkTotalTransactions - BigInt(cp.transactions.length) + BigInt(i) })));

  describe("checkpoints", () => {
    it("latest is the last indexed checkpoint, and a checkpoint reads back by sequence number and by digest", async () => {
      const latest = await getJson<{ checkpoint: string; data: Json }>(app, "/v1/checkpoints/latest");
      expect(latest.status).toBe(200);
      expect(latest.body.checkpoint).toBe(LAST_CHECKPOINT);
      expect(latest.body.data.sequence_number).toBe(LAST_CHECKPOINT);

      const first = await getJson<{ checkpoint: string; data: Json }>(app, "/v1/checkpoints/100000017");
      expect(first.status).toBe(200);
      expect(first.body.checkpoint).toBe(LAST_CHECKPOINT);
      const data = first.body.data;
      // Timestamp and first transaction from the DeepBook indexer's snapshot and the summary.
      expect(data.timestamp_ms).toBe("1736510372652");
      expect(data.epoch).toBe("638");
      expect(data.network_total_transactions).toBe("2948762589");
      expect(data.transaction_count).toBe(13);
      expect(data.first_tx_sequence_number).toBe("2948762576");
      expect(data.digest).toMatch(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/);
      expect(Buffer.from(String(data.summary_bcs), "base64").length).toBeGreaterThan(100);
      expect(Buffer.from(String(data.validator_signature), "base64").length).toBe(48);

      const byDigest = await getJson<{ data: Json }>(app, `/v1/checkpoints/by-digest/${String(data.digest)}`);
      expect(byDigest.status).toBe(200);
      expect(byDigest.body.data).toEqual(data);
    });

    it("404s for a checkpoint that is not indexed, by number and by digest", async () => {
      const missing = await getJson<{ error: Json }>(app, "/v1/checkpoints/5");
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe("not_found");
      const byDigest = await getJson(app, `/v1/checkpoints/by-digest/${ORDER_TX}`);
      expect(byDigest.status).toBe(404);
    });

    it("pages through every checkpoint in both orders", async () => {
      const rows = await checkPaging(app, "/v1/checkpoints", (c) => String(c.sequence_number), 5);
      expect(rows.map((c) => BigInt(String(c.sequence_number)))).toEqual(checkpoints.map((c) => c.sequenceNumber));
    });
  });

  describe("transactions", () => {
    it("reads every snapshot transaction by digest with the snapshot's sender, checkpoint and timestamp", async () => {
      const rows = inFixtures();
      expect(rows.length).toBeGreaterThan(20);
      expect(rows.some((row) => row.app === testnetApp)).toBe(true);
      for (const row of rows) {
        const { status, body } = await getJson<{ checkpoint: string; data: Json }>(row.app, `/v1/transactions/${row.digest}`);
        expect(status, row.digest).toBe(200);
        expect(body.checkpoint).toBe(row.last);
        expect(body.data).toMatchObject({
          digest: row.digest,
          sender: row.sender,
          checkpoint: row.checkpoint.toString(),
          timestamp_ms: row.checkpointTimestampMs.toString(),
        });
      }
      const order = await getJson<{ data: Json }>(app, `/v1/transactions/${ORDER_TX}`);
      expect(order.body.data).toMatchObject({
        sequence_number: "2948762578",
        kind: "ProgrammableTransaction",
        success: true,
        error: null,
      });
      expect((order.body.data.gas as Json).owner).toBe(ORDER_SENDER);
    });

    it("404s for an unknown digest", async () => {
      const { status, body } = await getJson<{ error: Json }>(app, "/v1/transactions/11111111111111111111111111111111");
      expect(status).toBe(404);
      expect(body.error.code).toBe("not_found");
    });

    it("lists a checkpoint's transactions: its contiguous range of sequence numbers", async () => {
      const rows = await checkPaging(app, "/v1/transactions?checkpoint=100000017", (t) => String(t.digest), 4);
      expect(rows.map((t) => t.sequence_number)).toEqual(
        Array.from({ length: 13 }, (_, i) => String(2948762576 + i)),
      );
      expect(rows.every((t) => t.checkpoint === "100000017")).toBe(true);
      expect(rows.map((t) => t.digest)).toContain(ORDER_TX);
      const none = await getJson<PageBody>(app, "/v1/transactions?checkpoint=100000018");
      expect(none.body.data).toEqual([]);
    });

    it("lists a sender's transactions, including every snapshot transaction of that sender", async () => {
      const rows = await checkPaging(app, `/v1/transactions?sender=${ORDER_SENDER}`, (t) => String(t.digest), 2);
      const expected = allTransactions().filter(({ tx }) => tx.sender === ORDER_SENDER);
      expect(rows.map((t) => t.digest)).toEqual(expected.map(({ tx }) => toBase58(tx.digest)));
      for (const row of inFixtures().filter((r) => r.sender === ORDER_SENDER && r.app === app)) {
        expect(rows.map((t) => t.digest)).toContain(row.digest);
      }
      // A short address is widened: 0x2 and the full form are the same filter.
      const short = await getJson<PageBody>(app, "/v1/transactions?sender=0x2");
      expect(short.status).toBe(200);
    });

    it("lists the transactions that called a package", async () => {
      const rows = await checkPaging(app, `/v1/transactions?package=${DEEPBOOK}`, (t) => String(t.digest), 3);
      const expected = allTransactions().filter(({ tx }) => tx.moveCalls.some((c) => c.package === DEEPBOOK));
      expect(expected.length).toBeGreaterThan(3);
      expect(rows.map((t) => t.digest)).toEqual(expected.map(({ tx }) => toBase58(tx.digest)));
      expect(rows.map((t) => t.digest)).toContain(ORDER_TX);
    });

    it("lists the transactions that changed an object, matching its version history", async () => {
      const txs = await checkPaging(app, `/v1/transactions?object=${CLOCK}`, (t) => String(t.digest), 10);
      const versions = await getJson<PageBody>(app, `/v1/objects/${CLOCK}/versions?limit=200&order=asc`);
      expect(txs.length).toBe(clockVersions());
      expect(txs.length).toBeGreaterThan(20);
      expect(txs.map((t) => t.digest)).toEqual(versions.body.data.map((v) => v.transaction_digest));
      // The clock is updated by the consensus commit prologue, sent by 0x0.
      expect(txs.every((t) => String(t.kind).startsWith("ConsensusCommitPrologue"))).toBe(true);
    });

    it("pages through all transactions in both orders", async () => {
      const { items } = await walk(app, "/v1/transactions", 37, "asc");
      expect(items.map((t) => BigInt(String(t.sequence_number)))).toEqual(allTransactions().map((t) => t.seq));
    });
  });

  describe("events", () => {
    it("lists a transaction's events with their types and indexes, agreeing with every snapshot event", async () => {
      const events = await getJson<PageBody>(app, `/v1/events?transaction=${ORDER_TX}&order=asc`);
      expect(events.status).toBe(200);
      expect(events.body.data.length).toBe(10);
      expect(events.body.data[0]).toMatchObject({
        transaction_digest: ORDER_TX,
        event_index: 0,
        checkpoint: "100000017",
        package: DEEPBOOK,
        module: "pool",
        type: `${DEEPBOOK}::order_info::OrderPlaced`,
        sender: ORDER_SENDER,
      });
      expect(events.body.data[1]?.type).toBe(`${DEEPBOOK}::order_info::OrderInfo`);
      expect(Buffer.from(String(events.body.data[0]?.contents), "base64").length).toBeGreaterThan(32);

      for (const row of inFixtures().filter((r) => r.eventIndex !== null)) {
        const page = await getJson<PageBody>(row.app, `/v1/events?transaction=${row.digest}&order=asc&limit=200`);
        const event = page.body.data.find((e) => e.event_index === row.eventIndex);
        expect(event, `${row.file} ${row.digest}#${row.eventIndex}`).toBeDefined();
        expect(event).toMatchObject({ sender: row.sender, checkpoint: row.checkpoint.toString() });
      }
    });

    it("filters by exact type, by struct name (every instantiation), by module and by package", async () => {
      const exact = `${BOOK_PARAMS}<${SUI},${USDC}>`;
      const byExact = await checkPaging(app, `/v1/events?type=${encodeURIComponent(exact)}`, (e) => `${e.tx_sequence_number}:${e.event_index}`, 1);
      expect(byExact.length).toBeGreaterThanOrEqual(1);
      expect(byExact.every((e) => e.type === exact)).toBe(true);
      expect(byExact.map((e) => `${e.transaction_digest}#${e.event_index}`)).toContain(`${BOOK_TX}#0`);

      // Short addresses in the filter are normalized; the name matches every instantiation.
      const byName = await getJson<PageBody>(app, `/v1/events?type=${encodeURIComponent(BOOK_PARAMS)}&order=asc&limit=200`);
      expect(byName.body.data.filter((e) => e.transaction_digest === BOOK_TX).map((e) => e.event_index)).toEqual([0, 1, 2]);
      expect(byName.body.data.every((e) => String(e.type).startsWith(`${BOOK_PARAMS}<`))).toBe(true);

      const allEvents = checkpoints.flatMap((cp) => processCheckpoint(cp, null, ["events"]).events ?? []);
      const byModule = await checkPaging(app, `/v1/events?type=${DEEPBOOK}::order_info`, (e) => `${e.tx_sequence_number}:${e.event_index}`, 7);
      expect(byModule.length).toBe(allEvents.filter((e) => e.type.startsWith(`${DEEPBOOK}::order_info::`)).length);

      const byPackage = await getJson<PageBody>(app, `/v1/events?type=${DEEPBOOK}&limit=200`);
      expect(byPackage.body.data.length).toBe(allEvents.filter((e) => e.type.startsWith(`${DEEPBOOK}::`)).length);
      expect(byPackage.body.data.length).toBeGreaterThan(byModule.length);

      const twoPackage = await getJson<PageBody>(app, "/v1/events?type=0x2::coin&limit=200");
      expect(twoPackage.body.data.every((e) => String(e.type).startsWith(`${TWO}::coin::`))).toBe(true);
    });

    it("filters by emitting module, by sender and by a checkpoint range", async () => {
      const byModule = await checkPaging(app, `/v1/events?module=${DEEPBOOK}::pool`, (e) => `${e.tx_sequence_number}:${e.event_index}`, 5);
      expect(byModule.length).toBeGreaterThan(10);
      expect(byModule.every((e) => e.package === DEEPBOOK && e.module === "pool")).toBe(true);

      const bySender = await getJson<PageBody>(app, `/v1/events?sender=${ORDER_SENDER}&limit=200`);
      expect(bySender.body.data.length).toBeGreaterThanOrEqual(10);
      expect(bySender.body.data.every((e) => e.sender === ORDER_SENDER)).toBe(true);

      const one = await checkPaging(app, "/v1/events?from_checkpoint=100000017&to_checkpoint=100000017", (e) => `${e.tx_sequence_number}:${e.event_index}`, 5);
      expect(one.length).toBe(26);
      expect(one.every((e) => e.checkpoint === "100000017")).toBe(true);

      const three = await getJson<PageBody>(app, "/v1/events?from_checkpoint=100000000&to_checkpoint=100005828&limit=200");
      expect(three.body.data.length).toBe(26 + 31 + 17);
      const gap = await getJson<PageBody>(app, "/v1/events?from_checkpoint=100000018&to_checkpoint=100000176");
      expect(gap.status).toBe(200);
      expect(gap.body.data).toEqual([]);

      // A range combines with a filter.
      const combined = await getJson<PageBody>(app, `/v1/events?type=${DEEPBOOK}&to_checkpoint=100000017&limit=200`);
      expect(combined.body.data.length).toBe(10);
    });
  });

  describe("objects", () => {
    it("reads an object's live state, and 404s for a deleted one", async () => {
      const clock = await getJson<{ checkpoint: string; data: Json }>(app, "/v1/objects/0x6");
      expect(clock.status).toBe(200);
      expect(clock.body.checkpoint).toBe(LAST_CHECKPOINT);
      expect(clock.body.data).toMatchObject({
        object_id: CLOCK,
        owner: { kind: "shared", address: null, initial_shared_version: "1" },
        type: `${TWO}::clock::Clock`,
        checkpoint: LAST_CHECKPOINT,
      });
      const versions = await getJson<PageBody>(app, `/v1/objects/${CLOCK}/versions?limit=1`);
      expect(versions.body.data[0]?.version).toBe(clock.body.data.version);
      expect(clock.body.data.previous_transaction).toBe(versions.body.data[0]?.transaction_digest);

      const deleted = checkpoints
        .flatMap((cp) => processCheckpoint(cp, null, ["object_versions"]).object_versions ?? [])
        .find((v) => v.changeKind === "deleted");
      expect(deleted).toBeDefined();
      const gone = await getJson<{ error: Json }>(app, `/v1/objects/${deleted!.objectId}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.details).toMatchObject({ object_id: deleted!.objectId });
      const history = await getJson<PageBody>(app, `/v1/objects/${deleted!.objectId}/versions`);
      expect(history.body.data[0]).toMatchObject({ change_kind: "deleted", digest: null, owner: null });
    });

    it("pages through an object's version history", async () => {
      const rows = await checkPaging(app, `/v1/objects/${CLOCK}/versions`, (v) => String(v.version), 10);
      expect(rows.length).toBe(clockVersions());
      const versions = rows.map((v) => BigInt(String(v.version)));
      expect(versions).toEqual([...versions].sort((a, b) => (a < b ? -1 : 1)));
    });

    it("lists an owner's live objects as of the pin: the same set as the live objects table", async () => {
      const owners = await database.query<{ owner_address: string }>(
        `SELECT owner_address FROM objects WHERE owner_address IS NOT NULL GROUP BY owner_address ORDER BY count(*) DESC, owner_address LIMIT 3`,
      );
      expect(owners.length).toBe(3);
      for (const { owner_address: owner } of owners) {
        const rows = await checkPaging(app, `/v1/objects?owner=${owner}`, (o) => String(o.object_id), 2);
        const live = await database.query<{ object_id: string; version: bigint }>(
          `SELECT object_id, version FROM objects WHERE owner_address = $1 ORDER BY object_id`,
          [owner],
        );
        expect(rows.map((o) => [o.object_id, o.version])).toEqual(live.map((o) => [o.object_id, String(o.version)]));
        expect(rows.every((o) => (o.owner as Json).address === owner)).toBe(true);
      }
    });

    it("lists the live objects of a type, by exact type, struct name and package", async () => {
      const coin = `${TWO}::coin::Coin<${SUI}>`;
      const exact = await checkPaging(app, `/v1/objects?type=${encodeURIComponent(coin)}`, (o) => String(o.object_id), 5);
      const live = await database.query<{ object_id: string }>(`SELECT object_id FROM objects WHERE type = $1 ORDER BY object_id`, [coin]);
      expect(exact.length).toBeGreaterThan(5);
      expect(exact.map((o) => o.object_id)).toEqual(live.map((o) => o.object_id));

      const key = (o: Json) => `${o.type}|${o.object_id}`;
      const byName = await checkPaging(app, "/v1/objects?type=0x2::coin::Coin", key, 7);
      const liveCoins = await database.query<{ type: string; object_id: string }>(
        `SELECT type, object_id FROM objects WHERE type LIKE $1 ORDER BY object_id`,
        [`${TWO}::coin::Coin<%`],
      );
      expect(byName.map(key)).toEqual(liveCoins.map((o) => `${o.type}|${o.object_id}`));
      expect(new Set(byName.map((o) => o.type)).size).toBeGreaterThan(1);
      // A module prefix: every live object whose type is in 0x2::coin, in id order.
      const byModule = await checkPaging(app, "/v1/objects?type=0x2::coin", key, 9);
      const liveModule = await database.query<{ type: string; object_id: string }>(
        `SELECT type, object_id FROM objects WHERE type LIKE $1 ORDER BY object_id`,
        [`${TWO}::coin::%`],
      );
      expect(byModule.map(key)).toEqual(liveModule.map((o) => `${o.type}|${o.object_id}`));

      const byPackage = await getJson<PageBody>(app, "/v1/objects?type=0x2&limit=200");
      expect(byPackage.body.data.every((o) => String(o.type).startsWith(`${TWO}::`))).toBe(true);
      expect(byPackage.body.data.length).toBeGreaterThanOrEqual(byName.length);
    });
  });

  describe("balance changes", () => {
    it("lists an owner's balance changes, all coin types or one", async () => {
      const owner = "0x59e8e02dc690aa67af2be4690f5ffd3db717880d25b1ddaaf7a4d4cdf8bdc610";
      const key = (b: Json) => `${b.tx_sequence_number}|${b.coin_type}|${b.source}`;
      const rows = await checkPaging(app, `/v1/balance-changes?owner=${owner}`, key, 4);
      const expected = checkpoints
        .flatMap((cp) => processCheckpoint(cp, null, ["balance_changes"]).balance_changes ?? [])
        .filter((b) => b.owner === owner);
      expect(rows.length).toBe(expected.length);
      expect(new Set(rows.map((b) => `${b.tx_sequence_number}|${b.coin_type}|${b.amount}`))).toEqual(
        new Set(expected.map((b) => `${b.txSequenceNumber}|${b.coinType}|${b.amount}`)),
      );
      const sui = await checkPaging(app, `/v1/balance-changes?owner=${owner}&coin_type=0x2::sui::SUI`, key, 2);
      expect(sui.length).toBe(expected.filter((b) => b.coinType === SUI).length);
      expect(sui.every((b) => b.coin_type === SUI && /^-?\d+$/.test(String(b.amount)))).toBe(true);
      expect(rows.every((b) => typeof b.transaction_digest === "string")).toBe(true);
    });
  });

  describe("status and documents", () => {
    it("reports every pipeline's watermark and lag", async () => {
      const { status, body } = await getJson<{ checkpoint: string; pipelines: Json[] }>(app, "/v1/status");
      expect(status).toBe(200);
      expect(body.checkpoint).toBe(LAST_CHECKPOINT);
      expect(body.pipelines.map((p) => p.pipeline).sort()).toEqual(
        ["balance_changes", "checkpoints", "events", "object_versions", "objects", "packages", "transactions"],
      );
      const last = checkpoints.at(-1)!;
      for (const p of body.pipelines) {
        expect(p).toMatchObject({
          checkpoint: LAST_CHECKPOINT,
          tx_hi: last.networkTotalTransactions.toString(),
          epoch: last.epoch.toString(),
          timestamp_ms: last.timestampMs.toString(),
          lag_checkpoints: "0",
        });
      }
      expect((await getJson(app, "/health")).body).toEqual({ status: "ok" });
    });

    it("serves an OpenAPI 3.1 document that lists every query route, each of which is served", async () => {
      const { status, body } = await getJson<{ openapi: string; paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }>(
        app,
        "/openapi.json",
      );
      expect(status).toBe(200);
      expect(body.openapi).toBe("3.1.0");
      // The query routes (other route families, e.g. settlement proofs, may add their own).
      const queryRoutes = [
        "/health",
        "/v1/balance-changes",
        "/v1/checkpoints",
        "/v1/checkpoints/by-digest/{digest}",
        "/v1/checkpoints/latest",
        "/v1/checkpoints/{sequence_number}",
        "/v1/events",
        "/v1/objects",
        "/v1/objects/{object_id}",
        "/v1/objects/{object_id}/versions",
        "/v1/status",
        "/v1/transactions",
        "/v1/transactions/{digest}",
      ];
      expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(queryRoutes));
      const txParams = body.paths["/v1/transactions"]?.get?.parameters?.map((p) => p.name);
      expect(txParams).toEqual(expect.arrayContaining(["sender", "checkpoint", "object", "package", "cursor", "limit", "order"]));
      const samples: Record<string, string> = {
        "{digest}": ORDER_TX,
        "{sequence_number}": "100000017",
        "{object_id}": CLOCK,
      };
      for (const path of queryRoutes) {
        let url = path;
        for (const [param, value] of Object.entries(samples)) url = url.replace(param, value);
        if (url === "/v1/checkpoints/by-digest/" + ORDER_TX) continue; // a transaction digest: 404 by design
        if (url === "/v1/objects") url += "?owner=0x2";
        if (url === "/v1/balance-changes") url += "?owner=0x2";
        const response = await app.request(url);
        expect(response.status, url).toBe(200);
      }
    });

    it("serves Prometheus metrics with the API's request counters", async () => {
      await app.request("/v1/checkpoints/latest");
      const response = await app.request("/metrics");
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/api_http_requests_total\{method="GET",route="\/v1\/checkpoints\/latest",status="200"\} \d+/);
    });
  });
});
