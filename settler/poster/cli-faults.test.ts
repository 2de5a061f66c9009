// Faults through the real CLI: `sui-zk-indexer settle once` spawned as a child process
// against the gRPC Sui double running in this process, on fixture checkpoints indexed into
// an embedded database. The settler is SIGKILLed right after each poster transition
// (SUI_ZK_INDEXER_CRASH_AFTER, a documented test hook) and restarted; submissions fail and
// time out; a stored proof is corrupted (rejected on chain, rolled back, re-proved);
// another settler posts a batch first. Every time: no batch lost, none posted twice, and
// the output says what happened. The key never appears in any output.
import { spawn } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeSuiPrivateKey } from "@mysten/sui/cryptography";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { createTestCommon } from "../../common/context.ts";
import { fixtureCheckpointsDir, projectRoot } from "../../common/fixtures.ts";
import { openDatabase } from "../../schema/db.ts";
import { indexSettings, runIndex } from "../../cli/commands/index.ts";
import { runSettleInit } from "../../cli/commands/settle-init.ts";
import { createSuiGrpcConnection } from "../../indexer/sources/grpc-client.ts";
import { createBatchRepository, type BatchRecord } from "../pipeline/batches.ts";
import { createSuiChainClient } from "../sui/chain-client.ts";
import { startSuiDouble, type SuiDouble } from "../sui/double/server.ts";
import { signerFromPrivateKey } from "../sui/keys.ts";
import { buildSettleTransaction, signTransaction, transactionDigest } from "../sui/transactions.ts";
import { CRASH_AFTER_ENV } from "./crash-hook.ts";

/** A fixture package whose tracked objects in these checkpoints fit a depth-2 tree (3 leaves). */
const TRACKED = "0x4a35d3dfef55ed3631b7158544c6322a23bc434fe4fca1234cb680ce0505f82d";
const CHECKPOINTS = "231403165,231798277,234134370,234918188,234920766,234928968";
const SECRET = Ed25519Keypair.generate().getSecretKey();
const signer = signerFromPrivateKey(SECRET, "test");

let root: string;
let template: string;
let double: SuiDouble;
const outputs: string[] = [];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function settleOnce(dataDir: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(projectRoot, "bin", "sui-zk-indexer.js"), "settle", "once", "--dev", "--threads", "1", "--poll-ms", "200", ...extraArgs],
      {
        cwd: projectRoot,
        env: { ...process.env, SUI_ZK_INDEXER_DATA_DIR: dataDir, DATABASE_URL: "", SUI_RPC_URL: double.url, SUI_PRIVATE_KEY: SECRET, LOG_LEVEL: "info", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      outputs.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A copy of the indexed template with its own registry on the double. */
async function scenario(name: string): Promise<string> {
  const dir = join(root, name);
  await cp(template, dir, { recursive: true });
  const keystore = join(root, `${name}.keystore`);
  await writeFile(keystore, JSON.stringify([Buffer.from([0, ...decodeSuiPrivateKey(SECRET).secretKey]).toString("base64")]));
  const database = await openDatabase({ url: "", dataDir: dir });
  try {
    await runSettleInit(createTestCommon(), database, {
      depth: "2",
      batchSize: "1",
      maxSpan: String((1n << 32n) - 1n),
      startCheckpoint: "231000000",
      trackPackages: TRACKED,
      dev: true,
      suiRpc: double.url,
      package: double.packageId,
      keystore,
    });
  } finally {
    await database.close();
  }
  return dir;
}

async function batchesIn(dir: string, all = false): Promise<BatchRecord[]> {
  const database = await openDatabase({ url: "", dataDir: dir });
  try {
    if (all) {
      const rows = await database.query<{ batch: bigint; state: string; error: string | null }>(`SELECT batch, state, error FROM settlement_batches ORDER BY id`);
      return rows as unknown as BatchRecord[];
    }
    return await createBatchRepository(database).list();
  } finally {
    await database.close();
  }
}

/** Settle transactions that succeeded on the double for this registry's batches. */
function settled(): string[] {
  return double.executed().filter((e) => e.calls.includes("registry::settle") && e.success).map((e) => e.digest);
}

async function expectAllSettledOnce(dir: string, before: string[]): Promise<BatchRecord[]> {
  const rows = await batchesIn(dir);
  expect(rows.length).toBeGreaterThanOrEqual(3);
  expect(rows.map((r) => r.state)).toEqual(rows.map(() => "confirmed"));
  for (const row of rows) expect(row.txDigest).toBe(transactionDigest(row.txBytes!));
  const mine = settled().filter((d) => !before.includes(d));
  expect(new Set(mine).size).toBe(mine.length);
  return rows;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "settle-faults-"));
  template = join(root, "template");
  double = await startSuiDouble();
  double.fund(signer.address, 1_000_000_000_000n);
  // runIndex opens the default database: the template folder, as PGlite.
  const previous = { dir: process.env.SUI_ZK_INDEXER_DATA_DIR, url: process.env.DATABASE_URL };
  process.env.SUI_ZK_INDEXER_DATA_DIR = template;
  process.env.DATABASE_URL = "";
  try {
    await runIndex(createTestCommon(), await indexSettings({ fromDir: fixtureCheckpointsDir(), checkpoints: CHECKPOINTS }));
  } finally {
    for (const [key, value] of [["SUI_ZK_INDEXER_DATA_DIR", previous.dir], ["DATABASE_URL", previous.url]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}, 600_000);

afterAll(async () => {
  await double?.close();
  await rm(root, { recursive: true, force: true });
  // Whatever happened, the key never reached the output of a run.
  for (const text of outputs) expect(text).not.toContain(SECRET);
});

describe("settle once through the CLI, with faults", () => {
  it("killed right after each state transition (planned, proved, signed, posted, confirmed) and restarted: every batch confirmed, each posted once", { timeout: 1_800_000 }, async () => {
    const dir = await scenario("crashes");
    const before = settled();
    for (const point of ["planned:1", "proved:1", "signed:1", "posted:2", "confirmed:3"]) {
      const run = await settleOnce(dir, [], { [CRASH_AFTER_ENV]: point });
      expect(run.signal, `${point}: ${run.stderr.slice(-2000)}`).toBe("SIGKILL");
      expect(run.stderr).toContain(`after batch ${point.split(":")[1]} became ${point.split(":")[0]}`);
    }
    // The restart also meets two failed submissions and one lost answer.
    double.faults.failSubmissions(2);
    double.faults.loseResponses(1);
    const final = await settleOnce(dir);
    expect(final.code, final.stderr.slice(-3000)).toBe(0);
    expect(final.stderr).toMatch(/no answer to the submission: resending the same bytes/);
    const rows = await expectAllSettledOnce(dir, before);
    expect(settled().filter((d) => !before.includes(d))).toEqual(rows.map((r) => r.txDigest));
    expect(final.stdout).toMatch(/head batch\s+\d+/);
  });

  it("a corrupted proof is rejected on chain with EInvalidProof, rolled back, re-proved and settled", { timeout: 1_800_000 }, async () => {
    const dir = await scenario("rejected");
    const proveOnly = await settleOnce(dir, ["--no-post"]);
    expect(proveOnly.code, proveOnly.stderr.slice(-3000)).toBe(0);
    const database = await openDatabase({ url: "", dataDir: dir });
    try {
      const [row] = await database.query<{ proof: Uint8Array }>(`SELECT proof FROM settlement_batches WHERE batch = 2 AND state = 'proved'`);
      const bad = Uint8Array.from(row!.proof);
      bad[10]! ^= 0x01;
      await database.query(`UPDATE settlement_batches SET proof = $1 WHERE batch = 2 AND state = 'proved'`, [bad]);
    } finally {
      await database.close();
    }
    const before = settled();
    const run = await settleOnce(dir);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toMatch(/batch rejected by the registry/);
    expect(run.stderr).toMatch(/rolled back behind a rejected batch/);
    const all = await batchesIn(dir, true);
    const failed = all.filter((r) => r.state === "failed");
    expect(failed.some((r) => String(r.batch) === "2" && /rejected on chain: registry::settle aborted with EInvalidProof/.test(r.error ?? ""))).toBe(true);
    await expectAllSettledOnce(dir, before);
    expect(double.executed().filter((e) => e.error === "EInvalidProof")).toHaveLength(1);
  });

  it("another settler posted a batch first: recorded confirmed, the rest posted, nothing twice", { timeout: 1_800_000 }, async () => {
    const dir = await scenario("moved");
    expect((await settleOnce(dir, ["--no-post"])).code).toBe(0);
    const [first] = await batchesIn(dir);
    const database = await openDatabase({ url: "", dataDir: dir });
    let registryId: string;
    try {
      registryId = (await database.query<{ registry_id: string }>(`SELECT registry_id FROM settlement_config`))[0]!.registry_id;
    } finally {
      await database.close();
    }
    const chain = createSuiChainClient({ connection: createSuiGrpcConnection({ url: double.url }), packageId: double.packageId });
    try {
      const registry = await chain.readRegistry(registryId);
      const built = await buildSettleTransaction({
        packageId: double.packageId,
        registry: { objectId: registryId, initialSharedVersion: registry.initialSharedVersion },
        settlerCap: (await chain.getObject(registry.settlerCapId))!.ref,
        gas: { sender: signer.address, gasCoins: [double.fund(signer.address, 1_000_000_000n)[0]!], gasPrice: 1_000n, gasBudget: 100_000_000n },
        statement: { newRoot: first!.newRoot, newNextIndex: first!.newNextIndex, batchCommitment: first!.commitment, toCursor: first!.toCursor, proof: first!.proof! },
      });
      expect((await chain.execute(await signTransaction(signer, built))).success).toBe(true);
    } finally {
      chain.close();
    }
    const before = settled();
    const run = await settleOnce(dir);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toMatch(/another transaction settled exactly this statement/);
    const rows = await batchesIn(dir);
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => "confirmed"));
    // Batch 1 went through the other settler; ours posted only the rest.
    expect(settled().filter((d) => !before.includes(d))).toHaveLength(rows.length - 1);
  });
});
