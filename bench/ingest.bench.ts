/**
 * `npm run bench` / `npm run bench:ingest`: indexing throughput from local checkpoint files
 * into real PostgreSQL, next to a raw COPY of the same rows in the same run.
 *
 * 1. Synthetic checkpoints of the default shape (about 10 transactions per checkpoint,
 *    12.5 KiB per transaction as .chk) are generated into a temporary folder (untimed).
 * 2. End to end: the real indexer (local-folder source, fetch-ahead, pipelines, batched
 *    transactions with watermarks) into a fresh schema; transactions/s and rows/s over
 *    the wall time, and this process's peak RSS meanwhile (measured first, so it is the
 *    indexer's own).
 * 3. Stages, measured one after the other on the whole range in chunks, as CPU time of
 *    this thread (the machine is shared, wall time would measure the neighbours): read
 *    (files into memory), decode (.chk -> model, input/output objects included), rows
 *    (filter + pipelines), encode (rows -> column text). Write is the indexer's wall time
 *    in database transactions, overlapped with the other stages.
 * 4. Baseline: the same rows, produced again untimed, written with raw `COPY … FROM STDIN`
 *    (text format) into another fresh schema with the same tables and indexes, in one
 *    transaction per batch as the indexer does. The live objects table gets its final
 *    rows (a COPY cannot upsert); every other table the identical rows.
 *
 * Environment: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else the local test server),
 * BENCH_CHECKPOINTS (default 1,000), BENCH_CONCURRENCY (fetches in flight, default 8),
 * BENCH_KEEP=1 keeps the folder and schemas. Targets (DESIGN.md): >= 10,000 tx/s and
 * >= half the COPY rate, peak RSS < 1 GiB.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { createCommon } from "../common/context.ts";
import { projectRoot } from "../common/fixtures.ts";
import { createLogger } from "../common/logger.ts";
import { encodeBatch, encoders, type IndexedCheckpoint } from "../indexer/commit/committer.ts";
import { toCopyText } from "../indexer/commit/columnar.ts";
import { decodeCheckpointFile } from "../indexer/decode/file.ts";
import { createIndexer } from "../indexer/ingest/indexer.ts";
import { processCheckpoint } from "../indexer/pipelines/index.ts";
import { localFolderSource } from "../indexer/sources/index.ts";
import { openDatabase, quoteIdent } from "../schema/db.ts";
import { freshSchemaName, testPostgresUrl } from "../schema/testing.ts";

const CHECKPOINTS = Number(process.env.BENCH_CHECKPOINTS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const KEEP = process.env.BENCH_KEEP === "1";
const URL = process.env.BENCH_DATABASE_URL ?? testPostgresUrl();
const FIRST = 50_000_000n;
/** Checkpoints per stage chunk and per baseline transaction: about the indexer's batch. */
const CHUNK = 200;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "szi-bench-"));
  const schemas = { indexer: freshSchemaName("bench_ix"), copy: freshSchemaName("bench_copy") };
  const admin = postgres(URL, { onnotice: () => {}, max: 1 });
  try {
    process.stderr.write(`generating ${CHECKPOINTS} checkpoints into ${dir} …\n`);
    // In a child process, so that the generator's memory does not count in this one's RSS.
    const generator = spawnSync(
      process.execPath,
      ["--import", "tsx", join(projectRoot, "indexer/synthetic/cli.ts"), "--dir", dir, "--first", String(FIRST), "--count", String(CHECKPOINTS), "--format", "chk", "--seed", "42"],
      { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] },
    );
    if (generator.status !== 0) throw new Error(`synthetic generator failed (status ${generator.status})`);
    const files = readdirSync(dir).filter((f) => f.endsWith(".chk")).sort((a, b) => Number(BigInt(a.split(".")[0]!) - BigInt(b.split(".")[0]!)));
    const chkBytes = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);

    // Warm the JIT on a few checkpoints (untimed), as a long-running indexer would be.
    for (const name of files.slice(0, 100)) {
      const cp = decodeCheckpointFile(readFileSync(join(dir, name)), name);
      encodeBatch([{ checkpoint: cp, transactionCount: cp.transactions.length, rows: processCheckpoint(cp, null) }]);
    }

    // 2. End to end (before the stages, so that its peak RSS is its own) through the indexer.
    const indexerDb = await openDatabase({ url: URL, schema: schemas.indexer });
    const common = createCommon({ logger: createLogger({ level: "warn", pretty: false }) });
    peakRss = process.memoryUsage.rss();
    let t = performance.now();
    const result = await createIndexer(common, {
      database: indexerDb,
      source: localFolderSource(dir),
      firstCheckpoint: FIRST,
      lastCheckpoint: FIRST + BigInt(CHECKPOINTS) - 1n,
      concurrency: CONCURRENCY,
    }).run();
    const indexerSeconds = (performance.now() - t) / 1000;
    const indexerPeakRss = Math.max(peakRss, process.memoryUsage.rss());
    await indexerDb.close();

    // 3. Stages, one after the other.
    const stages = { read: 0, decode: 0, rows: 0, encode: 0 };
    let rowCount = 0;
    for (let i = 0; i < files.length; i += CHUNK) {
      const names = files.slice(i, i + CHUNK);
      // CPU time of this thread (user + system), not wall time: the machine is shared.
      let t = cpuMs();
      const bytes = names.map((name) => readFileSync(join(dir, name)));
      stages.read += cpuMs() - t;
      t = cpuMs();
      const checkpoints = bytes.map((b, j) => decodeCheckpointFile(b, names[j]!));
      for (const cp of checkpoints) for (const tx of cp.transactions) void [tx.inputObjects, tx.outputObjects];
      stages.decode += cpuMs() - t;
      t = cpuMs();
      const indexed: IndexedCheckpoint[] = checkpoints.map((cp) => ({ checkpoint: cp, transactionCount: cp.transactions.length, rows: processCheckpoint(cp, null) }));
      stages.rows += cpuMs() - t;
      t = cpuMs();
      const encoded = encodeBatch(indexed);
      stages.encode += cpuMs() - t;
      rowCount += Object.values(encoded.rowCounts).reduce((a, b) => a + b, 0);
    }

    // 4. Raw COPY of the same rows into identical tables.
    const copyDb = await openDatabase({ url: URL, schema: schemas.copy });
    await copyDb.close();
    const copySql = postgres(URL, { onnotice: () => {}, max: 1, connection: { search_path: schemas.copy } });
    let copySeconds = 0;
    let copyRows = 0;
    const liveObjects = new Map<string, (string | null)[]>(); // object id -> its final column values
    for (let i = 0; i < files.length; i += CHUNK) {
      const names = files.slice(i, i + CHUNK);
      const indexed: IndexedCheckpoint[] = names.map((name) => {
        const cp = decodeCheckpointFile(readFileSync(join(dir, name)), name);
        return { checkpoint: cp, transactionCount: cp.transactions.length, rows: processCheckpoint(cp, null) };
      });
      const encoded = encodeBatch(indexed);
      const copies = encoded.tables.map((table) => ({ table: table.encoder.table, columns: table.encoder.columns, text: toCopyText(table.encoder, table.data) }));
      if (encoded.objects) {
        for (const id of encoded.objects.deletes) liveObjects.delete(id);
        const data = encoders.objects.empty();
        encoders.objects.encodeInto(encoded.objects.upserts, data);
        for (let r = 0; r < encoded.objects.upserts.length; r++) liveObjects.set(data[0]![r]!, data.map((c) => c[r] ?? null));
      }
      t = performance.now();
      await copySql.begin(async (tx) => {
        for (const copy of copies) {
          const writable = await tx.unsafe(`COPY ${quoteIdent(copy.table)} (${copy.columns.map(quoteIdent).join(", ")}) FROM STDIN`).writable();
          await pipeline(Readable.from([copy.text]), writable);
        }
      });
      copySeconds += (performance.now() - t) / 1000;
      copyRows += Object.entries(encoded.rowCounts).filter(([table]) => table !== "objects").reduce((a, [, n]) => a + n, 0);
    }
    if (liveObjects.size > 0) {
      const objectEncoder = encoders.objects;
      const rows = [...liveObjects.values()];
      const text = toCopyText(objectEncoder, objectEncoder.columns.map((_, c) => rows.map((row) => row[c] ?? null)));
      t = performance.now();
      await copySql.begin(async (tx) => {
        const writable = await tx.unsafe(`COPY objects (${objectEncoder.columns.map(quoteIdent).join(", ")}) FROM STDIN`).writable();
        await pipeline(Readable.from([text]), writable);
      });
      copySeconds += (performance.now() - t) / 1000;
      copyRows += liveObjects.size;
    }
    await copySql.end();

    // Report.
    const tx = result.transactions;
    const kibPerTx = chkBytes / 1024 / tx;
    const stageTotal = stages.read + stages.decode + stages.rows + stages.encode;
    const perTx = (ms: number) => `${((ms * 1000) / tx).toFixed(1)} µs/tx`;
    const txPerSec = tx / indexerSeconds;
    const copyTxPerSec = tx / copySeconds;
    const lines = [
      `ingest benchmark: ${fmt(CHECKPOINTS)} checkpoints, ${fmt(tx)} transactions (${kibPerTx.toFixed(1)} KiB/tx .chk), ${fmt(rowCount)} rows, PostgreSQL ${URL.replace(/:[^:@/]*@/, ":***@")}`,
      "",
      "| run | seconds | transactions/s | rows/s |",
      "|---|---:|---:|---:|",
      `| indexer (read, decode, rows, write; watermarks) | ${indexerSeconds.toFixed(2)} | ${fmt(txPerSec)} | ${fmt(result.rows / indexerSeconds)} |`,
      `| raw COPY of the same rows (baseline) | ${copySeconds.toFixed(2)} | ${fmt(copyTxPerSec)} | ${fmt(copyRows / copySeconds)} |`,
      `| indexer / COPY | | ${(txPerSec / copyTxPerSec).toFixed(2)} | |`,
      "",
      "| stage (one thread, one after the other) | CPU ms | per transaction | share |",
      "|---|---:|---:|---:|",
      ...Object.entries(stages).map(([name, ms]) => `| ${name} | ${fmt(ms)} | ${perTx(ms)} | ${((ms / stageTotal) * 100).toFixed(0)}% |`),
      `| write (indexer's database transactions, wall time, overlapped with the above) | ${fmt(result.stages.writeMs)} | ${perTx(result.stages.writeMs)} | |`,
      "",
      `peak RSS during the indexer run: ${mib(indexerPeakRss)} (whole process: ${mib(process.resourceUsage().maxRSS * 1024)})`,
      `targets: >= 10,000 tx/s: ${txPerSec >= 10_000 ? "met" : "NOT met"}; >= 0.5 x COPY: ${txPerSec / copyTxPerSec >= 0.5 ? "met" : "NOT met"}; RSS < 1 GiB: ${indexerPeakRss < 2 ** 30 ? "met" : "NOT met"}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    clearInterval(sampler);
    if (!KEEP) {
      rmSync(dir, { recursive: true, force: true });
      for (const schema of Object.values(schemas)) await admin.unsafe(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    }
    await admin.end();
  }
}

await main();
