/**
 * Test support for the API: databases indexed from the real fixture checkpoints by the
 * real indexer (sparse plan over the fixture folder), hand-built checkpoints committed
 * through the real pipelines and committer, the DeepBook snapshot oracle, and a JSON
 * request helper.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureCheckpointsDir, fixturesDir } from "../common/fixtures.ts";
import type { Database } from "../schema/db.ts";
import { decodeChk, readChkHeader } from "../indexer/decode/chk.ts";
import type { CheckpointModel } from "../indexer/model.ts";
import { processCheckpoint, type PipelineName } from "../indexer/pipelines/index.ts";
import { createCommitter } from "../indexer/commit/committer.ts";
import { listPlan } from "../indexer/ingest/checkpoint-plan.ts";
import { createIndexer } from "../indexer/ingest/indexer.ts";
import { localFolderSource } from "../indexer/sources/index.ts";
import { createTestCommon } from "../common/context.ts";
import { readWatermarks } from "../indexer/commit/watermarks.ts";
import type { ApiApp } from "./context.ts";

/** Sequence numbers of the fixture checkpoints, ascending. */
export function fixtureSequenceNumbers(): bigint[] {
  return readdirSync(fixtureCheckpointsDir())
    .filter((name) => /^\d+\.chk$/.test(name))
    .map((name) => BigInt(name.slice(0, -4)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The fixture checkpoints split into networks: the folder holds mainnet checkpoints and
 * testnet ones (epochs 944-945) whose global transaction numbers are lower than
 * mainnet's. Within one network the global transaction sequence grows with the
 * checkpoint sequence (the API's pagination relies on it), so a database holds one
 * network: a new one starts where network_total_transactions goes down.
 *
 * @example
 * const [mainnet, testnet] = fixtureNetworks();
 */
export function fixtureNetworks(): bigint[][] {
  const networks: bigint[][] = [];
  let lastTotal = -1n;
  for (const sequenceNumber of fixtureSequenceNumbers()) {
    const bytes = readFileSync(join(fixtureCheckpointsDir(), `${sequenceNumber}.chk`));
    const header = readChkHeader(bytes);
    if (!header) throw new Error(`fixture ${sequenceNumber}.chk has no header`);
    if (header.networkTotalTransactions < lastTotal || networks.length === 0) networks.push([]);
    networks[networks.length - 1]!.push(sequenceNumber);
    lastTotal = header.networkTotalTransactions;
  }
  return networks;
}

const decoded = new Map<bigint, CheckpointModel>();

/** Decodes one fixture checkpoint (memoized per process: the files never change). */
export function fixtureCheckpoint(sequenceNumber: bigint): CheckpointModel {
  let checkpoint = decoded.get(sequenceNumber);
  if (!checkpoint) {
    const path = join(fixtureCheckpointsDir(), `${sequenceNumber}.chk`);
    checkpoint = decodeChk(readFileSync(path), path);
    decoded.set(sequenceNumber, checkpoint);
  }
  return checkpoint;
}

const ALL_PIPELINES: PipelineName[] = [
  "checkpoints",
  "transactions",
  "events",
  "object_versions",
  "objects",
  "balance_changes",
  "packages",
];

/**
 * Indexes the given fixture checkpoints (ascending, of one network) with the real ingest:
 * the indexer over the fixture folder with an explicit sparse plan, resuming after the
 * database's watermarks. Returns the decoded checkpoints, for expectations.
 *
 * @example
 * await indexFixtures(database, fixtureNetworks()[0]!.slice(0, 5));
 */
export async function indexFixtures(
  database: Database,
  sequenceNumbers: readonly bigint[],
  pipelines: readonly PipelineName[] = ALL_PIPELINES,
): Promise<CheckpointModel[]> {
  const result = await createIndexer(createTestCommon(), {
    database,
    source: localFolderSource(fixtureCheckpointsDir()),
    plan: listPlan(sequenceNumbers),
    pipelines,
  }).run();
  if (result.checkpoints !== sequenceNumbers.length) {
    throw new Error(`indexed ${result.checkpoints} of ${sequenceNumbers.length} fixture checkpoints`);
  }
  return sequenceNumbers.map(fixtureCheckpoint);
}

/**
 * Indexes checkpoints (real or hand-built) through the pipelines and the committer, one
 * commit per checkpoint, continuing from the database's watermarks.
 *
 * @example
 * await indexCheckpoints(database, [buildCheckpoint(300n, { txBefore, transactions })]);
 */
export async function indexCheckpoints(
  database: Database,
  checkpoints: readonly CheckpointModel[],
  pipelines: readonly PipelineName[] = ALL_PIPELINES,
): Promise<void> {
  const marks = await readWatermarks(database, pipelines);
  const committer = createCommitter(
    database,
    new Map(pipelines.map((p) => [p, marks.get(p)?.checkpointHiInclusive ?? null])),
  );
  for (const checkpoint of checkpoints) {
    await committer.commit([
      {
        checkpoint,
        transactionCount: checkpoint.transactions.length,
        rows: processCheckpoint(checkpoint, null, pipelines),
      },
    ]);
  }
}

/** GETs a path from the app and parses the JSON body. */
export async function getJson<T = Record<string, unknown>>(app: ApiApp, path: string): Promise<{ status: number; body: T }> {
  const response = await app.request(path);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as T };
}

/** One row of the independent DeepBook indexer's snapshots (same checkpoints). */
export interface SnapshotRow {
  file: string;
  digest: string;
  sender: string;
  checkpoint: bigint;
  checkpointTimestampMs: bigint;
  /** The event's index in its transaction (the snapshot's event_digest is digest + index). */
  eventIndex: number | null;
}

/** Reads every `.snap` under fixtures/deepbook-snapshots: the oracle for concrete values. */
export function deepbookSnapshotRows(): SnapshotRow[] {
  const dir = join(fixturesDir(), "deepbook-snapshots");
  const rows: SnapshotRow[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".snap")).sort()) {
    const text = readFileSync(join(dir, file), "utf8");
    // insta format: a `---` delimited header, then the JSON expression.
    const body = text.slice(text.indexOf("\n---\n") + 5);
    for (const row of JSON.parse(body) as Record<string, unknown>[]) {
      if (typeof row.digest !== "string" || typeof row.sender !== "string") continue;
      const eventDigest = typeof row.event_digest === "string" ? row.event_digest : null;
      rows.push({
        file,
        digest: row.digest,
        sender: row.sender,
        checkpoint: BigInt(String(row.checkpoint)),
        checkpointTimestampMs: BigInt(String(row.checkpoint_timestamp_ms)),
        eventIndex: eventDigest?.startsWith(row.digest) ? Number(eventDigest.slice(row.digest.length)) : null,
      });
    }
  }
  return rows;
}
