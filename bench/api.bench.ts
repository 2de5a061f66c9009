/**
 * `npm run bench:api`: the query API under concurrent HTTP load on a database of a
 * million synthetic transactions in real PostgreSQL.
 *
 * 1. A fresh schema (migrated like production) is filled with generate_series SQL:
 *    checkpoints of 10 transactions, senders and packages with skewed popularity, 0-4
 *    events per transaction over ~500 types, 3 object writes per transaction over a
 *    pool of objects (owners change, some are deleted), balance changes, the live
 *    objects table derived from the versions, and the watermarks.
 * 2. The API is served in this process; autocannon runs in a second process
 *    (bench/api-load.ts) against each route for a bounded time on loopback, cycling
 *    through many keys per route.
 * 3. Each route is loaded three times: by one connection (latency on an idle server); by
 *    BENCH_API_CONNECTIONS as fast as answers come (the most requests/second; latency
 *    there is mostly queueing for the 2 cores, shared with Postgres and the load
 *    generator); and by as many connections paced at half that rate (latency under a
 *    sustained concurrent load). Latencies are in milliseconds. A table per route is
 *    printed; the schema is dropped.
 *
 * Environment: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else the local test server),
 * BENCH_API_TX (transactions, default 1,000,000), BENCH_API_SECONDS (per route, default 5),
 * BENCH_API_CONNECTIONS (default 8), BENCH_API_SCHEMA (reuse a schema generated with the
 * same BENCH_API_TX and keep it, for tuning; it is created when missing).
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { toBase58 } from "@mysten/sui/utils";
import { createApi } from "../api/app.ts";
import { startApiServer } from "../api/server.ts";
import { createCommon } from "../common/context.ts";
import { createLogger } from "../common/logger.ts";
import { openDatabase, quoteIdent, type Database } from "../schema/db.ts";
import { freshSchemaName, testPostgresUrl } from "../schema/testing.ts";
import type { LoadRequest, LoadResult } from "./api-load.ts";

const TX = Number(process.env.BENCH_API_TX ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 8);
const TX_PER_CHECKPOINT = 10;
const SENDERS = 50_000;
const PACKAGES = 300;
const OBJECTS = Math.max(1000, Math.floor(TX * 0.4));
const COINS = 20;

const log = (message: string) => process.stderr.write(`${message}\n`);

/**
 * The synthetic chain, all in SQL. `rnd(n, salt)` is a deterministic uniform [0, 1) from a
 * hash, so a rerun builds the same data; `addr(kind, n)` makes a canonical 0x + 64 hex id.
 */
function generateSql(): string[] {
  const checkpoints = Math.ceil(TX / TX_PER_CHECKPOINT);
  const sender = (g: string, salt: number) => `addr('s', floor(${SENDERS} * power(rnd(${g}, ${salt}), 3))::int)`;
  return [
    `CREATE FUNCTION rnd(bigint, int) RETURNS float8 IMMUTABLE LANGUAGE sql AS
       $$ SELECT (hashint8extended($1, $2) & 2147483647)::float8 / 2147483648.0 $$`,
    `CREATE FUNCTION addr(text, bigint) RETURNS text IMMUTABLE LANGUAGE sql AS
       $$ SELECT '0x' || md5($1 || $2::text) || md5($2::text || $1) $$`,
    // A transaction's sender: skewed (a few very active senders, a long tail).
    `CREATE FUNCTION sender_of(bigint) RETURNS text IMMUTABLE LANGUAGE sql AS
       $$ SELECT ${sender("$1", 1)} $$`,
    `CREATE FUNCTION package_of(bigint, int) RETURNS text IMMUTABLE LANGUAGE sql AS
       $$ SELECT addr('p', floor(${PACKAGES} * power(rnd($1 * 4 + $2, 11), 2))::int) $$`,
    `CREATE FUNCTION coin_type(int) RETURNS text IMMUTABLE LANGUAGE sql AS
       $$ SELECT CASE WHEN $1 = 0 THEN '0x0000000000000000000000000000000000000000000000000000000000000002::sui::SUI'
                 ELSE addr('c', $1) || '::coin' || $1 || '::COIN' || $1 END $$`,
    // An object's type never changes: a function of the object.
    `CREATE FUNCTION object_type(bigint) RETURNS text IMMUTABLE LANGUAGE sql AS
       $$ SELECT CASE WHEN $1 % 10 < 3
                 THEN '0x0000000000000000000000000000000000000000000000000000000000000002::coin::Coin<' || coin_type(($1 % ${COINS})::int) || '>'
                 ELSE addr('p', $1 % ${PACKAGES}) || '::obj' || ($1 % 7) || '::Thing' || ($1 % 100) END $$`,

    `INSERT INTO checkpoints
     SELECT g, g / 5000, 1700000000000 + g * 250, sha256(int8send(g)),
            CASE WHEN g = 0 THEN NULL ELSE sha256(int8send(g - 1)) END, sha256(int8send(-g - 1)),
            (g + 1) * ${TX_PER_CHECKPOINT}, g * ${TX_PER_CHECKPOINT}, ${TX_PER_CHECKPOINT}, false,
            decode(repeat(md5(g::text), 8), 'hex'), decode(repeat(md5(g::text), 3), 'hex'), '\\x3a300000'::bytea
     FROM generate_series(0, ${checkpoints - 1}) g`,

    `INSERT INTO transactions
     SELECT g, sha256(int8send(g) || '\\x01'::bytea), g / ${TX_PER_CHECKPOINT}, 1700000000000 + (g / ${TX_PER_CHECKPOINT}) * 250,
            sender_of(g), 'ProgrammableTransaction', rnd(g, 2) > 0.02,
            CASE WHEN rnd(g, 2) > 0.02 THEN NULL ELSE 'InsufficientGas' END,
            sender_of(g), 750, 50000000, 750000 + floor(rnd(g, 3) * 1e6)::bigint, floor(rnd(g, 4) * 1e7)::bigint,
            floor(rnd(g, 5) * 1e7)::bigint, floor(rnd(g, 6) * 1e5)::bigint
     FROM generate_series(0, ${TX - 1}) g`,

    // One or two distinct Move calls per transaction, packages skewed.
    `INSERT INTO tx_calls
     SELECT DISTINCT package_of(g, j), g, 'm' || (j % 3), 'f' || j, g / ${TX_PER_CHECKPOINT}
     FROM generate_series(0, ${TX - 1}) g CROSS JOIN generate_series(0, 1) j
     WHERE j = 0 OR rnd(g, 10) < 0.5
     ORDER BY 1, 2`,

    // 0 to 4 events per transaction (2 on average) over ~500 types, some generic.
    `INSERT INTO events
     SELECT g, i, g / ${TX_PER_CHECKPOINT}, 1700000000000 + (g / ${TX_PER_CHECKPOINT}) * 250,
            package_of(g, 0), 'm0',
            addr('p', t % ${PACKAGES}) || '::ev' || (t % 5) || '::Event' || t
              || CASE WHEN t % 4 = 0 THEN '<' || coin_type((t % ${COINS})::int) || '>' ELSE '' END,
            sender_of(g), decode(repeat(md5((g * 8 + i)::text), 4), 'hex')
     FROM generate_series(0, ${TX - 1}) g
     CROSS JOIN generate_series(0, 3) i
     CROSS JOIN LATERAL (SELECT floor(500 * power(rnd(g * 8 + i, 21), 2))::int AS t) ty
     WHERE i < floor(rnd(g, 20) * 5)`,

    // 3 object writes per transaction; a multiplicative hash spreads them over the pool
    // (never the same object twice in one transaction). Owners change: mostly the sender,
    // some shared or object-owned; 4% of writes delete.
    `INSERT INTO object_versions
     SELECT addr('o', o), g + 1,
            CASE WHEN dead THEN NULL ELSE sha256(int8send(g) || int8send(o)) END,
            CASE WHEN dead THEN 'deleted' WHEN g < ${OBJECTS} AND rnd(o, 31) < 0.3 THEN 'created' ELSE 'mutated' END,
            CASE WHEN dead THEN NULL WHEN r < 0.8 THEN 'address' WHEN r < 0.9 THEN 'shared' ELSE 'object' END,
            CASE WHEN dead THEN NULL WHEN r < 0.8 THEN sender_of(g) WHEN r < 0.9 THEN NULL ELSE addr('o', (o + 1) % ${OBJECTS}) END,
            CASE WHEN dead OR r < 0.8 OR r >= 0.9 THEN NULL ELSE 1 END,
            object_type(o), g / ${TX_PER_CHECKPOINT}, g
     FROM generate_series(0, ${TX - 1}) g
     CROSS JOIN generate_series(0, 2) j
     CROSS JOIN LATERAL (SELECT ((g * 3 + j) * 2654435761) % ${OBJECTS} AS o, rnd(g * 3 + j, 30) AS r,
                                rnd(g * 3 + j, 32) < 0.04 AS dead) x
     ORDER BY 1, 2`,

    `INSERT INTO objects
     SELECT object_id, version, digest, owner_kind, owner_address, initial_shared_version, type, checkpoint, tx_sequence_number
     FROM (SELECT DISTINCT ON (object_id) * FROM object_versions ORDER BY object_id, version DESC) latest
     WHERE change_kind <> 'deleted'`,

    // Gas in SUI for every sender, and half the transactions move another coin.
    `INSERT INTO balance_changes
     SELECT g, sender_of(g), coin_type(c), 'coin', -floor(rnd(g, 40 + c) * 1e9)::numeric, g / ${TX_PER_CHECKPOINT}
     FROM generate_series(0, ${TX - 1}) g
     CROSS JOIN LATERAL (SELECT 0 AS c UNION ALL SELECT 1 + floor(rnd(g, 41) * ${COINS - 1})::int WHERE rnd(g, 42) < 0.5) coins`,

    `INSERT INTO watermarks (pipeline, epoch_hi, checkpoint_hi_inclusive, tx_hi, timestamp_ms_hi)
     SELECT p, ${checkpoints - 1} / 5000, ${checkpoints - 1}, ${checkpoints * TX_PER_CHECKPOINT},
            1700000000000 + ${checkpoints - 1} * 250
     FROM unnest(ARRAY['checkpoints', 'transactions', 'events', 'object_versions', 'objects', 'balance_changes', 'packages']) p`,
  ];
}

/**
 * Fills the schema. The secondary indexes are dropped for the load and rebuilt from their
 * own definitions afterwards, and rows are inserted in primary-key order (sorted builds
 * are far cheaper than millions of random b-tree inserts), so the schema ends exactly as
 * the migrations made it.
 */
async function generate(database: Database, schema: string): Promise<void> {
  log(`generating ${TX.toLocaleString("en-US")} transactions in schema ${schema} ...`);
  await database.transaction(async (tx) => {
    const timed = async (label: string, statement: string) => {
      const t0 = performance.now();
      await tx.query(statement);
      log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    };
    await tx.query(`SET LOCAL synchronous_commit = off`);
    await tx.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    // Rows go in primary-key order (sorted in memory), never as random b-tree inserts.
    await tx.query(`SET LOCAL work_mem = '256MB'`);
    const indexes = await tx.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.schemaname = current_schema()
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)`,
    );
    for (const index of indexes) await tx.query(`DROP INDEX ${quoteIdent(index.indexname)}`);
    for (const statement of generateSql()) await timed(statement.trim().split(/\s+/).slice(0, 3).join(" "), statement);
    for (const index of indexes) await timed(`CREATE INDEX ${index.indexname}`, index.indexdef);
  });
  // As autovacuum would in steady state: statistics, and the visibility map for index-only scans.
  const t0 = performance.now();
  await database.query("VACUUM (ANALYZE)");
  log(`  VACUUM (ANALYZE): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

interface Route {
  name: string;
  paths: string[];
}

/** Keys to query, read from the generated data: popular and unpopular ones alike. */
async function routes(database: Database): Promise<Route[]> {
  const sample = async <T extends Record<string, unknown>>(text: string) => database.query<T>(text);
  const b58 = (value: unknown) => toBase58(value as Uint8Array);
  const txs = await sample<{ digest: Uint8Array; sender: string }>(
    `SELECT digest, sender FROM transactions WHERE tx_sequence_number IN (SELECT (rnd(g, 90) * ${TX})::bigint FROM generate_series(1, 300) g)`,
  );
  const checkpoints = await sample<{ sequence_number: bigint; digest: Uint8Array }>(
    `SELECT sequence_number, digest FROM checkpoints WHERE sequence_number IN (SELECT (rnd(g, 91) * ${Math.ceil(TX / TX_PER_CHECKPOINT)})::bigint FROM generate_series(1, 300) g)`,
  );
  const objects = await sample<{ object_id: string }>(
    `SELECT object_id FROM objects WHERE object_id IN (SELECT addr('o', (rnd(g, 92) * ${OBJECTS})::bigint) FROM generate_series(1, 300) g)`,
  );
  const senders = [...new Set(txs.map((t) => t.sender))];
  const packages = await sample<{ package: string }>(`SELECT DISTINCT package_of(g, 0) AS package FROM generate_series(1, 200) g`);
  const eventTypes = await sample<{ type: string }>(
    `SELECT DISTINCT addr('p', t % ${PACKAGES}) || '::ev' || (t % 5) || '::Event' || t
              || CASE WHEN t % 4 = 0 THEN '<' || coin_type((t % ${COINS})::int) || '>' ELSE '' END AS type
     FROM (SELECT floor(500 * power(rnd(g, 93), 2))::int AS t FROM generate_series(1, 100) g) x`,
  );
  const objectTypes = await sample<{ type: string }>(`SELECT DISTINCT object_type(g) AS type FROM generate_series(1, 100) g`);
  const enc = encodeURIComponent;
  const sui = enc("0x2::sui::SUI");
  return [
    { name: "GET /v1/checkpoints/latest", paths: ["/v1/checkpoints/latest"] },
    { name: "GET /v1/checkpoints/{seq}", paths: checkpoints.map((c) => `/v1/checkpoints/${c.sequence_number}`) },
    { name: "GET /v1/checkpoints/by-digest/{d}", paths: checkpoints.map((c) => `/v1/checkpoints/by-digest/${b58(c.digest)}`) },
    { name: "GET /v1/checkpoints (page)", paths: ["/v1/checkpoints?limit=50"] },
    { name: "GET /v1/transactions/{digest}", paths: txs.map((t) => `/v1/transactions/${b58(t.digest)}`) },
    { name: "GET /v1/transactions?sender", paths: senders.map((s) => `/v1/transactions?sender=${s}&limit=50`) },
    { name: "GET /v1/transactions?checkpoint", paths: checkpoints.map((c) => `/v1/transactions?checkpoint=${c.sequence_number}`) },
    { name: "GET /v1/transactions?package", paths: packages.map((p) => `/v1/transactions?package=${p.package}&limit=50`) },
    { name: "GET /v1/transactions?object", paths: objects.map((o) => `/v1/transactions?object=${o.object_id}&limit=50`) },
    { name: "GET /v1/events?transaction", paths: txs.map((t) => `/v1/events?transaction=${b58(t.digest)}`) },
    { name: "GET /v1/events?type (exact)", paths: eventTypes.map((t) => `/v1/events?type=${enc(t.type)}&limit=50`) },
    {
      name: "GET /v1/events?type (module)",
      paths: eventTypes.map((t) => `/v1/events?type=${enc(t.type.split("::").slice(0, 2).join("::"))}&limit=50`),
    },
    { name: "GET /v1/events?sender", paths: senders.map((s) => `/v1/events?sender=${s}&limit=50`) },
    {
      name: "GET /v1/events?from..to checkpoint",
      paths: checkpoints.map((c) => `/v1/events?from_checkpoint=${c.sequence_number}&to_checkpoint=${c.sequence_number + 9n}&limit=50`),
    },
    { name: "GET /v1/objects/{id}", paths: objects.map((o) => `/v1/objects/${o.object_id}`) },
    { name: "GET /v1/objects/{id}/versions", paths: objects.map((o) => `/v1/objects/${o.object_id}/versions?limit=50`) },
    { name: "GET /v1/objects?owner", paths: senders.map((s) => `/v1/objects?owner=${s}&limit=50`) },
    { name: "GET /v1/objects?type (exact)", paths: objectTypes.map((t) => `/v1/objects?type=${enc(t.type)}&limit=50`) },
    { name: "GET /v1/balance-changes?owner&coin", paths: senders.map((s) => `/v1/balance-changes?owner=${s}&coin_type=${sui}&limit=50`) },
    { name: "GET /v1/status", paths: ["/v1/status"] },
  ];
}

/** Adds, per list route, one path to its second page (a real cursor), to measure cursors too. */
async function secondPages(baseUrl: string, route: Route): Promise<Route> {
  const paths: string[] = [];
  for (const path of route.paths.slice(0, 100)) {
    const body = (await (await fetch(`${baseUrl}${path}`)).json()) as { next_cursor?: string | null };
    if (body.next_cursor) paths.push(`${path}&cursor=${body.next_cursor}`);
  }
  return { name: `${route.name}, page 2`, paths };
}

function startLoader(): Promise<{ run: (request: LoadRequest) => Promise<LoadResult>; stop: () => void }> {
  const child = fork(fileURLToPath(new URL("./api-load.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (message) => {
      if (message !== "ready") return reject(new Error(`unexpected message ${String(message)}`));
      resolve({
        run: (request) =>
          new Promise((done, fail) => {
            child.once("message", (reply: { ok: boolean; result?: LoadResult; error?: string }) =>
              reply.ok && reply.result ? done(reply.result) : fail(new Error(reply.error)),
            );
            child.send(request);
          }),
        stop: () => child.send("exit"),
      });
    });
  });
}

function table(results: { single: LoadResult; loaded: LoadResult; paced: LoadResult }[]): string {
  const rows = results.map(({ single, loaded, paced }) => [
    single.name,
    single.p50Ms.toFixed(2),
    single.p99Ms.toFixed(2),
    loaded.requestsPerSecond.toFixed(0),
    loaded.p50Ms.toFixed(2),
    loaded.p99Ms.toFixed(2),
    paced.requestsPerSecond.toFixed(0),
    paced.p50Ms.toFixed(2),
    paced.p99Ms.toFixed(2),
    String([single, loaded, paced].reduce((n, x) => n + x.non2xx + x.errors, 0)),
  ]);
  const c = `${CONNECTIONS} conn`;
  const header = ["route", "1 conn p50", "1 conn p99", `${c} max req/s`, `${c} p50`, `${c} p99`, "half-load req/s", "half-load p50", "half-load p99", "non-2xx/errors"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? "-" : "").padEnd(w + 1, "-") + (i === 0 ? "-" : ":")).join("|")}|`, ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL ?? testPostgresUrl();
  const kept = process.env.BENCH_API_SCHEMA;
  const schema = kept ?? freshSchemaName("bench_api");
  const database = await openDatabase({ url, schema, maxConnections: CONNECTIONS });
  const generated = kept !== undefined && (await database.query(`SELECT 1 FROM watermarks LIMIT 1`)).length > 0;
  const common = createCommon({ logger: createLogger({ level: "warn" }) });
  let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
  let loader: Awaited<ReturnType<typeof startLoader>> | undefined;
  try {
    const started = performance.now();
    if (!generated) await generate(database, schema);
    const counts = await database.query<{ name: string; n: bigint }>(
      `SELECT 'transactions' AS name, count(*) AS n FROM transactions UNION ALL SELECT 'events', count(*) FROM events
       UNION ALL SELECT 'object_versions', count(*) FROM object_versions UNION ALL SELECT 'objects', count(*) FROM objects
       UNION ALL SELECT 'balance_changes', count(*) FROM balance_changes UNION ALL SELECT 'tx_calls', count(*) FROM tx_calls
       UNION ALL SELECT 'checkpoints', count(*) FROM checkpoints`,
    );
    log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s: ${counts.map((c) => `${c.name} ${Number(c.n).toLocaleString("en-US")}`).join(", ")}`);

    const app = createApi({ database, common });
    server = await startApiServer({ app, port: 0, hostname: "127.0.0.1" });
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const all = await routes(database);
    const paged = await Promise.all(
      all.filter((r) => ["GET /v1/transactions?sender", "GET /v1/events?type (exact)", "GET /v1/objects?owner"].includes(r.name)).map((r) => secondPages(baseUrl, r)),
    );
    const plan = [...all, ...paged.filter((r) => r.paths.length > 0)];
    // Every path answers 200 before it is loaded: a benchmark of errors would be worthless.
    for (const route of plan) {
      for (const path of route.paths.slice(0, 5)) {
        const response = await fetch(`${baseUrl}${path}`);
        if (response.status !== 200) throw new Error(`${route.name}: ${path} answered ${response.status}: ${await response.text()}`);
      }
    }

    loader = await startLoader();
    const results: { single: LoadResult; loaded: LoadResult; paced: LoadResult }[] = [];
    for (const route of plan) {
      // A short warm-up, unrecorded; then one client alone (the latency on an idle server);
      // CONNECTIONS as fast as they get answers (throughput: latency there is mostly queueing
      // for the 2 cores); and CONNECTIONS paced at half that throughput (latency under load).
      await loader.run({ name: route.name, baseUrl, paths: route.paths, durationSeconds: 1, connections: CONNECTIONS });
      const single = await loader.run({ name: route.name, baseUrl, paths: route.paths, durationSeconds: SECONDS, connections: 1 });
      const loaded = await loader.run({ name: route.name, baseUrl, paths: route.paths, durationSeconds: SECONDS, connections: CONNECTIONS });
      const rate = Math.max(1, Math.floor(loaded.requestsPerSecond / 2));
      const paced = await loader.run({ name: route.name, baseUrl, paths: route.paths, durationSeconds: SECONDS, connections: CONNECTIONS, overallRate: rate });
      log(
        `  ${route.name}: 1 connection p50 ${single.p50Ms} ms; ${CONNECTIONS} connections ${loaded.requestsPerSecond.toFixed(0)} req/s, ` +
          `p50 ${loaded.p50Ms} ms; at ${paced.requestsPerSecond.toFixed(0)} req/s p50 ${paced.p50Ms} ms, p99 ${paced.p99Ms} ms`,
      );
      results.push({ single, loaded, paced });
    }
    const p50s = results.map((r) => r.single.p50Ms).sort((a, b) => a - b);
    const loadedP50s = results.map((r) => r.loaded.p50Ms).sort((a, b) => a - b);
    const pacedP50s = results.map((r) => r.paced.p50Ms).sort((a, b) => a - b);
    process.stdout.write(
      `\nAPI benchmark: ${TX.toLocaleString("en-US")} transactions, ${SECONDS} s per route and load, ` +
        `autocannon in a second process, loopback; prepared statements ${process.env.DATABASE_PREPARE ?? "on"}\n\n${table(results)}\n\n` +
        `one connection: median of the per-route p50s ${p50s[Math.floor(p50s.length / 2)]!.toFixed(2)} ms, worst p50 ${p50s.at(-1)!.toFixed(2)} ms ` +
        `(target: single-digit milliseconds at the median)\n` +
        `${CONNECTIONS} connections: median of the per-route p50s ${loadedP50s[Math.floor(loadedP50s.length / 2)]!.toFixed(2)} ms, ` +
        `worst p50 ${loadedP50s.at(-1)!.toFixed(2)} ms; ${loadedP50s.filter((p) => p < 10).length} of ${loadedP50s.length} routes under 10 ms\n` +
        `${CONNECTIONS} connections at half the throughput: median of the per-route p50s ${pacedP50s[Math.floor(pacedP50s.length / 2)]!.toFixed(2)} ms, ` +
        `worst p50 ${pacedP50s.at(-1)!.toFixed(2)} ms; ${pacedP50s.filter((p) => p < 10).length} of ${pacedP50s.length} routes under 10 ms\n`,
    );
    if (results.some((r) => [r.single, r.loaded, r.paced].some((x) => x.non2xx + x.errors > 0))) process.exitCode = 1;
  } finally {
    loader?.stop();
    await server?.close();
    if (kept === undefined) {
      await database.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch((error: unknown) => log(`drop failed: ${String(error)}`));
    }
    await database.close();
  }
}

await main();
