/**
 * `sui-zk-indexer demo` (`npm run demo`): the whole flow on one machine, no network.
 *
 *  1. index the fixture checkpoints (fixturesDir()/checkpoints) into a fresh embedded
 *     database in a temporary data folder;
 *  2. set up a small circuit with an INSECURE dev setup (cached under .cache/, loud warning);
 *  3. start the local Sui test double (a gRPC server on 127.0.0.1) and fund a fresh key;
 *  4. `settle init`: create the registry with the dev key, the start cursor, the max span
 *     and the tracking configuration;
 *  5. settle every batch: plan from the indexed change stream, prove in worker threads,
 *     post in order through the double;
 *  6. check the outcome: the registry against the database, the auditor's setup check
 *     against the key emitted on chain, every tracked object's API proof against the root
 *     on chain; and print what happened.
 *
 * The defaults track one package of the fixtures (4 objects, 15 changes over 7 checkpoints)
 * in a depth-4 tree with 2 operations per proof, so the demo proves in about a minute once
 * the dev setup is cached; its first run also builds the circuit and the setup.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { Command } from "commander";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { decodeSuiPrivateKey } from "@mysten/sui/cryptography";
import { normalizeSuiAddress, toBase64 } from "@mysten/sui/utils";
import { createApi } from "../../api/app.ts";
import { createCommon, type Common } from "../../common/context.ts";
import { BaseError } from "../../common/errors.ts";
import { fixtureCheckpointsDir } from "../../common/fixtures.ts";
import { createLogger } from "../../common/logger.ts";
import { releaseSnarkjs } from "../../circuits/setup/snarkjs-runtime.ts";
import { createSuiGrpcConnection } from "../../indexer/sources/grpc-client.ts";
import { openDatabase, type Database } from "../../schema/db.ts";
import { parseObjectProof, verifyObjectProof } from "../../settler/audit/proof/object-proof.ts";
import { createBatchRepository, type BatchRecord } from "../../settler/pipeline/batches.ts";
import { readSettings } from "../../settler/pipeline/settings.ts";
import { createSuiPosterFactory, openSuiChain } from "../../settler/poster/sui-factory.ts";
import { DEV_SETUP_ROOT, ensureDevSetup } from "../../settler/prover/dev-setup.ts";
import { createThreadProver } from "../../settler/prover/thread-prover.ts";
import { createSettler, type SettleSummary } from "../../settler/settler.ts";
import { createSuiChainClient } from "../../settler/sui/chain-client.ts";
import { startSuiDouble } from "../../settler/sui/double/server.ts";
import { formatOnChainStatus, readOnChainStatus, type OnChainStatus } from "../../settler/sui/registry-status.ts";
import { decodeCursor } from "../../settler/tree/cursor.ts";
import { loadPoseidon } from "../../settler/tree/poseidon.ts";
import { suiSettings } from "../options/sui.ts";
import { indexSettings, runIndex } from "./index.ts";
import { runVerify } from "./verify.ts";
import { runSettleInit, settleInitRows, type SettleInitFlags } from "./settle-init.ts";

export interface DemoOptions {
  depth: number;
  batchSize: number;
  /** Package original ids to track (comma-separated); empty tracks everything (slow). */
  trackPackages: string;
  startCheckpoint: bigint;
  threads: number;
  /** Keep the temporary data folder (printed) instead of deleting it. */
  keep: boolean;
  out: NodeJS.WritableStream;
}

export const DEMO_DEFAULTS = {
  depth: 4,
  batchSize: 2,
  trackPackages: "0x70285592c97965e811e0c6f98dccc3a9c2b4ad854b3594faab9597ada267b860",
  startCheckpoint: 100_000_000n,
  /** The fixtures are a sparse sample spread over 170M checkpoints: allow any span. */
  maxSpan: (1n << 32n) - 1n,
};

export interface DemoResult {
  dataDir: string;
  indexed: { checkpoints: number; transactions: number };
  summary: SettleSummary;
  batches: BatchRecord[];
  chain: OnChainStatus;
  /** Whether the registry ended exactly where this database's last confirmed batch did. */
  consistent: boolean;
  audit: DemoAudit;
  seconds: Record<string, number>;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const cp = (cursor: bigint): string => {
  const { checkpoint, offset } = decodeCursor(cursor);
  return offset === 0n ? `${checkpoint}` : `${checkpoint}+${offset}`;
};

export interface DemoAudit {
  /** The setup transcript matches the circuit, the phase-1 file and the key emitted on chain. */
  setupOk: boolean;
  /** Tracked objects whose API proof verified against the registry's root (of those asked). */
  proofsVerified: number;
  proofsAsked: number;
  text: string;
}

/**
 * What the auditor can check here: the setup transcript against the key the registry
 * emitted at creation (`verify --setup`), and each tracked object's Merkle proof from the
 * API (`GET /v1/objects/{id}/proof`) against the root on the double, as a dApp would. The
 * settlement audit proper (`verify --registry`) needs the registry's transactions inside
 * consecutive certified checkpoints, which the double does not produce.
 */
async function auditDemo(
  common: Common,
  input: { database: Database; chainUrl: string; packageId: string; digest: string | null; root: bigint; trackPackages: string; setupDir: string },
): Promise<DemoAudit> {
  const lines: string[] = ["Auditor"];
  let setupOk = false;
  const chain = createSuiChainClient({ connection: createSuiGrpcConnection({ url: input.chainUrl }), packageId: input.packageId });
  try {
    const created = input.digest ? await chain.getTransaction(input.digest) : null;
    const event = created?.events.find((e) => e.kind === "RegistryCreated");
    if (event?.kind === "RegistryCreated") {
      let out = "";
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          out += chunk.toString();
          done();
        },
      });
      const code = await runVerify(common, { setup: input.setupDir, vk: Buffer.from(event.value.vk).toString("hex") }, { stdout: sink, stderr: sink });
      setupOk = code === 0;
      lines.push(`  verify --setup (key from the RegistryCreated event): ${setupOk ? "OK" : `FAILED (exit ${code})`}`);
      lines.push(...out.trimEnd().split("\n").map((l) => `    ${l}`));
    } else {
      lines.push("  verify --setup: skipped (the registry's creation event was not found)");
    }
  } finally {
    chain.close();
  }

  const poseidon = await loadPoseidon();
  const app = createApi({ database: input.database, common });
  const packages = input.trackPackages.split(",").map((p) => normalizeSuiAddress(p.trim())).filter(Boolean);
  const ids = await input.database.query<{ object_id: string }>(
    `SELECT DISTINCT object_id FROM object_versions WHERE ${packages.map((_, i) => `type LIKE $${i + 1}`).join(" OR ") || "false"} ORDER BY object_id`,
    packages.map((p) => `%${p}%`),
  );
  let verified = 0;
  for (const { object_id: id } of ids) {
    const response = await app.request(`/v1/objects/${id}/proof`);
    const body: unknown = await response.json();
    const verdict = response.ok ? verifyObjectProof(poseidon, parseObjectProof(body), { root: input.root }) : null;
    if (verdict?.valid) verified++;
    lines.push(`  ${id}  ${verdict ? `${verdict.valid ? "valid" : "INVALID"}: ${verdict.reason}` : `HTTP ${response.status}`}`);
  }
  lines.splice(lines.length - ids.length, 0, `  object proofs from the API, checked with Poseidon against the registry's root: ${verified} of ${ids.length} valid`);
  lines.push(
    "  verify --registry: not run here: it audits the registry's transactions inside consecutive, certified Sui",
    "  checkpoints; the local double produces no checkpoints and the fixtures are a sparse sample.",
  );
  return { setupOk, proofsVerified: verified, proofsAsked: ids.length, text: lines.join("\n") };
}

/**
 * Runs the demo; everything lives in a temporary data folder and an in-process double.
 *
 * @example
 * const result = await runDemo(createCommon(), { ...DEMO_DEFAULTS, threads: 1, keep: false, out: process.stdout });
 */
export async function runDemo(common: Common, options: DemoOptions): Promise<DemoResult> {
  const say = (text: string) => options.out.write(`${text}\n`);
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      seconds[name] = Math.round((performance.now() - started) / 100) / 10;
    }
  };
  const dataDir = await mkdtemp(join(tmpdir(), "sui-zk-indexer-demo-"));
  const previousDataDir = process.env.SUI_ZK_INDEXER_DATA_DIR;
  process.env.SUI_ZK_INDEXER_DATA_DIR = dataDir;
  const double = await startSuiDouble();
  try {
    say(`data folder: ${dataDir} (embedded PGlite)`);
    say(`local Sui double: ${double.url}, registry package ${double.packageId}`);

    say("\n[1/5] indexing the fixture checkpoints");
    const indexed = await timed("index", async () => runIndex(common, await indexSettings({ fromDir: fixtureCheckpointsDir(), sparse: true })));
    say(`      ${indexed.checkpoints} checkpoints, ${indexed.transactions} transactions, ${indexed.rows} rows`);

    say(`\n[2/5] dev setup of BatchUpdate(depth ${options.depth}, B ${options.batchSize}) — INSECURE, for this demo only`);
    const artifacts = await timed("setup", () => ensureDevSetup({ depth: options.depth, batchSize: options.batchSize, logger: common.logger }));
    say(`      ${artifacts.constraints.toLocaleString("en-US")} constraints (${artifacts.circuitName})`);

    say("\n[3/5] settle init on the local double");
    const keypair = Ed25519Keypair.generate();
    const keystore = join(dataDir, "sui.keystore");
    await writeFile(keystore, JSON.stringify([toBase64(Uint8Array.from([0, ...decodeSuiPrivateKey(keypair.getSecretKey()).secretKey]))]), { mode: 0o600 });
    double.fund(keypair.toSuiAddress(), 100_000_000_000n);
    const flags: SettleInitFlags = {
      depth: String(options.depth),
      batchSize: String(options.batchSize),
      maxSpan: DEMO_DEFAULTS.maxSpan.toString(),
      startCheckpoint: options.startCheckpoint.toString(),
      trackPackages: options.trackPackages,
      dev: true,
      suiRpc: double.url,
      package: double.packageId,
      keystore,
    };
    const database = await openDatabase();
    try {
      const init = await timed("init", () => runSettleInit(common, database, flags));
      for (const [label, value] of settleInitRows(init)) say(`      ${label.padEnd(18)}  ${value}`);

      say("\n[4/5] settling every batch (plan, prove in worker threads, post in order)");
      const prover = createThreadProver({ artifacts, threads: options.threads });
      const batches = createBatchRepository(database);
      const poster = await createSuiPosterFactory(suiSettings(flags))(common, { database, batches, settings: init.settings });
      let summary: SettleSummary;
      try {
        const settler = await createSettler(common, { database, prover, vk: artifacts.vk, poster });
        try {
          summary = await timed("settle", () => settler.runOnce());
        } finally {
          await settler.close();
        }
      } finally {
        await prover.close();
        await poster.close();
      }
      const rows = await batches.list();

      say("\n[5/5] checking the outcome");
      const chainClient = openSuiChain(suiSettings(flags), init.packageId);
      let chain: OnChainStatus;
      try {
        const settings = (await readSettings(database)) ?? init.settings;
        chain = await readOnChainStatus(chainClient, settings, BigInt(rows.filter((r) => r.state === "confirmed").length));
      } finally {
        chainClient.close();
      }
      const last = rows.filter((r) => r.state === "confirmed").at(-1);
      const consistent = last !== undefined && chain.batchCount === last.batch && chain.root === last.newRoot && chain.nextCursor === last.toCursor;
      const audit = await timed("audit", () => auditDemo(common, { database, chainUrl: double.url, packageId: init.packageId, digest: init.digest, root: chain.root, trackPackages: options.trackPackages, setupDir: join(DEV_SETUP_ROOT, artifacts.circuitName) }));
      say("");
      say(
        table(
          ["batch", "checkpoints [from, to)", "changes", "ins", "upd", "skip", "prove ms", "state", "tries", "transaction"],
          rows.map((r) => [
            r.batch.toString(),
            `${cp(r.fromCursor)} .. ${cp(r.toCursor)}`,
            String(r.changes),
            String(r.inserts),
            String(r.updates),
            String(r.skipped),
            r.provingMs === null ? "-" : String(r.provingMs),
            r.state,
            String(r.attempts),
            r.txDigest ?? "-",
          ]),
        ),
      );
      say("");
      say(formatOnChainStatus(chain));
      say("");
      say(`registry matches the last confirmed batch (root, batch count, cursor): ${consistent ? "yes" : "NO"}`);
      say("");
      say(audit.text);
      say(
        `timings (s): index ${seconds.index}, dev setup ${seconds.setup}, init ${seconds.init}, settle ${seconds.settle}, audit ${seconds.audit} ` +
          `(${summary.planned} planned, ${summary.proved} proved, ${summary.confirmed} confirmed, ${summary.failed} failed; ${summary.changes} changes, ${summary.operations} tree operations)`,
      );
      return { dataDir, indexed: { checkpoints: indexed.checkpoints, transactions: indexed.transactions }, summary, batches: rows, chain, consistent, audit, seconds };
    } finally {
      await database.close();
    }
  } finally {
    await double.close();
    if (previousDataDir === undefined) delete process.env.SUI_ZK_INDEXER_DATA_DIR;
    else process.env.SUI_ZK_INDEXER_DATA_DIR = previousDataDir;
    if (options.keep) say(`\nkept ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

export function createDemoCommand(): Command {
  return new Command("demo")
    .description("Index the fixture checkpoints, settle them on a local Sui test double with an INSECURE dev setup, and print what happened (no network)")
    .option("--depth <n>", "tree depth", String(DEMO_DEFAULTS.depth))
    .option("--batch-size <n>", "operations per proof", String(DEMO_DEFAULTS.batchSize))
    .option("--track-packages <ids>", "packages to track (original ids, comma-separated)", DEMO_DEFAULTS.trackPackages)
    .option("--threads <n>", "prover threads", "1")
    .option("--keep", "keep the temporary data folder")
    .option("--verbose", "log at info level (default: warnings only)")
    .action(async (flags: { depth: string; batchSize: string; trackPackages: string; threads: string; keep?: boolean; verbose?: boolean }) => {
      const common = createCommon({ logger: createLogger({ level: flags.verbose ? "info" : (process.env.LOG_LEVEL ?? "warn") }) });
      try {
        const result = await runDemo(common, {
          depth: Number(flags.depth),
          batchSize: Number(flags.batchSize),
          trackPackages: flags.trackPackages,
          startCheckpoint: DEMO_DEFAULTS.startCheckpoint,
          threads: Number(flags.threads),
          keep: Boolean(flags.keep),
          out: process.stdout,
        });
        const audited = result.audit.setupOk && result.audit.proofsVerified === result.audit.proofsAsked;
        if (!result.consistent || result.summary.failed > 0 || !audited) process.exitCode = 1;
      } catch (error) {
        common.logger.error({ err: error, ...(error instanceof BaseError ? { details: error.details } : {}) }, error instanceof Error ? error.message : "demo failed");
        process.exitCode = 1;
      } finally {
        // snarkjs's cached curve (used by the setup check) keeps worker threads alive.
        await releaseSnarkjs();
        await common.shutdown.stop("demo finished");
      }
    });
}
