// `settle init` against the gRPC Sui double, on both database backends: creates the
// registry with the dev setup's key and the settlement's parameters, records it, is a no-op
// when run again, adopts an unrecorded registry after a crash instead of creating a second.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blake2b } from "@noble/hashes/blake2.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { decodeSuiPrivateKey } from "@mysten/sui/cryptography";
import { toBase64 } from "@mysten/sui/utils";
import { createTestCommon } from "../../common/context.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../schema/testing.ts";
import { readSettings } from "../../settler/pipeline/settings.ts";
import { ensureDevSetup } from "../../settler/prover/dev-setup.ts";
import { startSuiDouble, type SuiDouble } from "../../settler/sui/double/server.ts";
import { encodeCursor } from "../../settler/tree/cursor.ts";
import { runSettleInit, settleInitRows, type SettleInitFlags } from "./settle-init.ts";

describe.each(databaseKinds)("settle init on %s", (kind) => {
  let dir: string;
  let keystore: string;
  let address: string;
  let database: TestDatabase;
  let double: SuiDouble;
  let devVk: Uint8Array;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "settle-init-"));
    const keypair = Ed25519Keypair.generate();
    address = keypair.toSuiAddress();
    keystore = join(dir, "sui.keystore");
    await writeFile(keystore, JSON.stringify([toBase64(Uint8Array.from([0, ...decodeSuiPrivateKey(keypair.getSecretKey()).secretKey]))]));
    devVk = (await ensureDevSetup({ depth: 2, batchSize: 1 })).vk;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    database = await openTestDatabase(kind);
    double = await startSuiDouble();
    double.fund(address, 10_000_000_000n);
  });
  afterEach(async () => {
    await double.close();
    await database.destroy();
  });

  const flags = (extra: Partial<SettleInitFlags> = {}): SettleInitFlags => ({
    depth: "2",
    batchSize: "1",
    maxSpan: "50",
    startCheckpoint: "1000",
    trackPackages: "0xdee9",
    dev: true,
    suiRpc: double.url,
    package: double.packageId,
    keystore,
    ...extra,
  });

  it("creates the registry with the key, start cursor, span and tracking hash, and records it", async () => {
    const result = await runSettleInit(createTestCommon(), database, flags());
    expect(result.outcome).toBe("created");
    expect(result.devSetup).toBe(true);
    const settings = (await readSettings(database))!;
    expect([settings.registryId, settings.packageId]).toEqual([result.registryId, double.packageId]);
    expect(result.settings.registryId).toBe(result.registryId);
    const registry = double.registry(result.registryId);
    expect(BigInt(registry.next_cursor)).toBe(encodeCursor(1000n, 0n));
    expect(BigInt(registry.max_span)).toBe(50n);
    expect(registry.depth).toBe(2);
    expect(Buffer.from(registry.vk_hash).toString("hex")).toBe(Buffer.from(blake2b(devVk, { dkLen: 32 })).toString("hex"));
    expect(Buffer.from(registry.tracking_config_hash)).toEqual(Buffer.from(settings.trackingHash));
    expect(settings.trackingJson).toContain("0x000000000000000000000000000000000000000000000000000000000000dee9");
    expect(registry.settler_cap_id).toBe(result.settlerCapId);
    expect(double.object(result.adminCapId!)?.owner).toEqual({ kind: "address", address });
    const rows = Object.fromEntries(settleInitRows(result));
    expect(rows.registry).toBe(`${result.registryId} (created)`);
    expect(rows["verifying key hash"]).toMatch(/INSECURE dev setup/);
  });

  it("run again: checks the recorded registry and sends nothing", async () => {
    const first = await runSettleInit(createTestCommon(), database, flags());
    const executed = double.executed().length;
    const again = await runSettleInit(createTestCommon(), database, flags());
    expect(again.outcome).toBe("existing");
    expect(again.registryId).toBe(first.registryId);
    expect(double.executed()).toHaveLength(executed);
  });

  it("after a crash between creating and recording, adopts the registry instead of creating another", async () => {
    const first = await runSettleInit(createTestCommon(), database, flags());
    await database.query(`UPDATE settlement_config SET registry_id = NULL, package_id = NULL`);
    const executed = double.executed().length;
    const adopted = await runSettleInit(createTestCommon(), database, flags());
    expect(adopted.outcome).toBe("adopted");
    expect(adopted.registryId).toBe(first.registryId);
    expect(double.executed()).toHaveLength(executed);
    expect((await readSettings(database))!.registryId).toBe(first.registryId);
  });

  it("refuses other settings once configured, and two key sources at once", async () => {
    await runSettleInit(createTestCommon(), database, flags());
    await expect(runSettleInit(createTestCommon(), database, flags({ maxSpan: "51" }))).rejects.toThrow(/already configured with other settings/);
    await expect(runSettleInit(createTestCommon(), database, flags({ setup: dir }))).rejects.toThrow(/exactly one key source/);
  });

  it("names a missing gas coin and a missing node", async () => {
    const poor = Ed25519Keypair.generate();
    const poorStore = join(dir, `poor-${kind}.keystore`);
    await writeFile(poorStore, JSON.stringify([toBase64(Uint8Array.from([0, ...decodeSuiPrivateKey(poor.getSecretKey()).secretKey]))]));
    await expect(runSettleInit(createTestCommon(), database, flags({ keystore: poorStore }))).rejects.toThrow(/no SUI coin of the signer holds the gas budget/);
    await expect(runSettleInit(createTestCommon(), database, flags({ suiRpc: undefined }))).rejects.toThrow(/No Sui node/);
  });
});
