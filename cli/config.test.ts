import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "../common/errors.ts";
import { projectRoot } from "../common/fixtures.ts";
import { pipelineNames } from "../indexer/pipelines/index.ts";
import { loadConfigFile, redactedConfig, resolveStartConfig, type ParsedConfigFile } from "./config.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function configFile(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "szi-config-"));
  dirs.push(dir);
  writeFileSync(join(dir, "sui-zk-indexer.config.ts"), `import { defineConfig } from ${JSON.stringify(join(projectRoot, "cli/define-config.ts"))};\n${body}\n`);
  return dir;
}

describe("start configuration", () => {
  it("with nothing configured follows mainnet over gRPC from its tip, all pipelines, port 3000", async () => {
    const config = await resolveStartConfig({}, {}, null);
    expect(config.source).toEqual({
      kind: "grpc",
      url: "https://fullnode.mainnet.sui.io:443",
      network: "mainnet",
      headers: {},
      basicAuth: null,
      subscribe: true,
      archive: "https://checkpoints.mainnet.sui.io",
    });
    expect(config).toMatchObject({ firstCheckpoint: "tip", pipelines: pipelineNames, onLocked: "wait", port: 3000, host: "0.0.0.0", readyMaxLag: 20, concurrency: 8, minConcurrency: 2 });
    expect(config.database).toEqual({ url: undefined, schema: undefined, dataDir: undefined });
  });

  it("takes flags over the environment over the file", async () => {
    const file: ParsedConfigFile = { network: "testnet", port: 7000, pipelines: ["events"], readyMaxLag: 5, onLocked: "exit" };
    expect(await resolveStartConfig({}, {}, file)).toMatchObject({ port: 7000, pipelines: ["events"], readyMaxLag: 5, onLocked: "exit", source: { network: "testnet", url: "https://fullnode.testnet.sui.io:443", archive: "https://checkpoints.testnet.sui.io" } });
    const env = { PORT: "7100", SUI_ZK_INDEXER_PIPELINES: "checkpoints,transactions", SUI_ZK_INDEXER_NETWORK: "mainnet", SUI_ZK_INDEXER_ON_LOCKED: "wait" };
    expect(await resolveStartConfig({}, env, file)).toMatchObject({ port: 7100, pipelines: ["checkpoints", "transactions"], onLocked: "wait", source: { network: "mainnet" } });
    expect(await resolveStartConfig({ port: "7200", pipelines: "objects", onLocked: "exit", network: "testnet" }, env, file)).toMatchObject({
      port: 7200,
      pipelines: ["objects"],
      onLocked: "exit",
      source: { network: "testnet" },
    });
  });

  it("a custom full node gets credentials from the URL, headers and environment, and no default archive", async () => {
    const config = await resolveStartConfig(
      { grpc: "https://node.example:9000", grpcHeader: ["X-Api-Key: k1"], subscribe: false },
      { SUI_ZK_INDEXER_GRPC_USERNAME: "alice", SUI_ZK_INDEXER_GRPC_PASSWORD: "s3cret", SUI_ZK_INDEXER_GRPC_HEADERS: "x-other: 2" },
      null,
    );
    expect(config.source).toEqual({
      kind: "grpc",
      url: "https://node.example:9000",
      network: "custom",
      headers: { "x-api-key": "k1" },
      basicAuth: { username: "alice", password: "s3cret" },
      subscribe: false,
      archive: null,
    });
    const withArchive = await resolveStartConfig({ grpc: "http://127.0.0.1:9000", remoteStore: "http://127.0.0.1:9001" }, { SUI_ZK_INDEXER_GRPC_HEADERS: "a: 1; b: 2" }, null);
    expect(withArchive.source).toMatchObject({ archive: "http://127.0.0.1:9001", headers: { a: "1", b: "2" } });
    const logged = JSON.stringify(redactedConfig(config));
    expect(logged).not.toContain("s3cret");
    expect(logged).not.toContain("k1");
  });

  it("takes the index source flags: a folder, or a checkpoint store alone", async () => {
    const folder = await resolveStartConfig({ fromDir: "/data/cps", firstCheckpoint: "10", lastCheckpoint: "20", batchCheckpoints: "5" }, {}, null);
    expect(folder).toMatchObject({ source: { kind: "folder", dir: "/data/cps" }, firstCheckpoint: 10n, lastCheckpoint: 20n, batchMaxCheckpoints: 5 });
    const store = await resolveStartConfig({ remoteStore: "https://checkpoints.mainnet.sui.io" }, {}, null);
    expect(store).toMatchObject({ source: { kind: "remote" }, firstCheckpoint: undefined });
  });

  it("refuses contradictions and unknown names", async () => {
    await expect(resolveStartConfig({ fromDir: "/x", grpc: "http://127.0.0.1:1" }, {}, null)).rejects.toThrow(/Give one source/);
    await expect(resolveStartConfig({ pipelines: "events,nope" }, {}, null)).rejects.toThrow(/Unknown pipeline.*nope/);
    await expect(resolveStartConfig({ network: "devnet" }, {}, null)).rejects.toThrow(/Unknown network/);
    await expect(resolveStartConfig({ fromDir: "/x", firstCheckpoint: "tip" }, {}, null)).rejects.toThrow(/needs a full node/);
    await expect(resolveStartConfig({ onLocked: "maybe" }, {}, null)).rejects.toThrow(/wait or exit/);
    await expect(resolveStartConfig({ grpcHeader: ["no colon"] }, {}, null)).rejects.toThrow(NonRetryableError);
  });

  it("loads a typed config file, and names the field a bad one gets wrong", async () => {
    const good = configFile(`export default defineConfig({ network: "testnet", firstCheckpoint: 5n, grpc: { headers: { "x-api-key": "k" } }, port: 8088 });`);
    const file = await loadConfigFile(undefined, good);
    expect(file).toEqual({ network: "testnet", firstCheckpoint: 5n, grpc: { headers: { "x-api-key": "k" } }, port: 8088 });
    expect(await resolveStartConfig({}, {}, file)).toMatchObject({ firstCheckpoint: 5n, port: 8088, source: { headers: { "x-api-key": "k" } } });

    const bad = configFile(`export default defineConfig({ pipelines: ["events", "nope" as never] });`);
    await expect(loadConfigFile(undefined, bad)).rejects.toMatchObject({ details: { field: "pipelines.1" } });
    expect(await loadConfigFile(undefined, mkdtempSync(join(tmpdir(), "szi-none-")))).toBeNull();
    await expect(loadConfigFile("missing.config.ts", good)).rejects.toThrow(/not found/);
  });
});
