import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCommon } from "../common/context.ts";
import { NonRetryableError } from "../common/errors.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../schema/testing.ts";
import { checkChainIdentity } from "./chain-identity.ts";
import { runIndexer } from "./ingest/test-helpers.ts";
import type { CheckpointModel } from "./model.ts";
import { checkpointMessages, folderCheckpoints, sequenceRange, startTestFullNode, type TestFullNode } from "./sources/grpc-test-server.ts";
import { createGrpcSource } from "./sources/grpc.ts";
import { generateCheckpoints } from "./synthetic/generate.ts";

const MAINNET = { chainId: "4btiuiMPvEENsttpZC7CZ53DruC3MAgfznDbASZ7DR6S", chain: "mainnet" };
const TESTNET = { chainId: "69WiPg3DAQiwdxfncX6wYQ2siKwAe6L9BZthQea3JNMD", chain: "testnet" };
const FIRST = 700n;
const dirs: string[] = [];

async function synthetic(seed: number): Promise<{ dir: string; models: CheckpointModel[] }> {
  const dir = mkdtempSync(join(tmpdir(), "szi-chain-"));
  dirs.push(dir);
  await generateCheckpoints({ dir, first: FIRST, count: 4, format: "binpb.zst", seed, shape: { transactionsPerCheckpoint: 3, systemTransactionsPerCheckpoint: 1 } });
  return { dir, models: await folderCheckpoints(dir, sequenceRange(FIRST, FIRST + 3n)) };
}

let ours: Awaited<ReturnType<typeof synthetic>>;
let theirs: Awaited<ReturnType<typeof synthetic>>;
let sameNode: TestFullNode;
let otherNode: TestFullNode;

beforeAll(async () => {
  ours = await synthetic(1);
  theirs = await synthetic(2);
  sameNode = await startTestFullNode({ checkpoints: checkpointMessages(ours.models), tip: FIRST + 3n, chainId: TESTNET.chainId });
  otherNode = await startTestFullNode({ checkpoints: checkpointMessages(theirs.models), tip: FIRST + 3n, chainId: TESTNET.chainId });
});

afterAll(async () => {
  await sameNode.close();
  await otherNode.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(databaseKinds)("chain identity on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.destroy());

  it("records the chain on first sight, accepts it again, and refuses another network", async () => {
    expect(await checkChainIdentity(database, MAINNET)).toEqual({ outcome: "recorded", verifiedAt: null });
    expect(await checkChainIdentity(database, MAINNET)).toEqual({ outcome: "matches" });
    const error = await checkChainIdentity(database, TESTNET).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as NonRetryableError).details).toMatchObject({ databaseChainId: MAINNET.chainId, sourceChainId: TESTNET.chainId, sourceChain: "testnet" });
    expect(await database.query("SELECT chain_id FROM chain_identity")).toEqual([{ chain_id: MAINNET.chainId }]);
  });

  it("checks a database indexed from files against the node before recording the chain", async () => {
    const fresh = await openTestDatabase(kind);
    try {
      await runIndexer(fresh, ours.dir, { firstCheckpoint: FIRST, lastCheckpoint: FIRST + 2n });
      const common = createTestCommon();
      const other = createGrpcSource(common, { endpoint: { url: otherNode.url }, subscribe: false });
      const refused = await checkChainIdentity(fresh, TESTNET, other).catch((e: unknown) => e);
      await other.close();
      expect(refused).toBeInstanceOf(NonRetryableError);
      expect((refused as NonRetryableError).details).toMatchObject({ checkpoint: FIRST + 2n });
      expect(await fresh.query("SELECT * FROM chain_identity")).toEqual([]);

      const same = createGrpcSource(common, { endpoint: { url: sameNode.url }, subscribe: false });
      expect(await checkChainIdentity(fresh, TESTNET, same)).toEqual({ outcome: "recorded", verifiedAt: FIRST + 2n });
      await same.close();
    } finally {
      await fresh.destroy();
    }
  });
});
