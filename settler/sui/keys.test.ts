import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Secp256k1Keypair } from "@mysten/sui/keypairs/secp256k1";
import { decodeSuiPrivateKey } from "@mysten/sui/cryptography";
import { toBase64 } from "@mysten/sui/utils";
import { verifyTransactionSignature } from "@mysten/sui/verify";
import { loadSuiSigner, signerFromPrivateKey, signersFromKeystore } from "./keys.ts";

/** A keystore entry as the Sui CLI writes it: base64(flag || 32-byte secret). */
function keystoreEntry(keypair: Ed25519Keypair | Secp256k1Keypair, flag: number): string {
  const { secretKey } = decodeSuiPrivateKey(keypair.getSecretKey());
  return toBase64(Uint8Array.from([flag, ...secretKey]));
}

/** Every spelling of a secret that must never show up in output. */
function secretForms(keypair: Ed25519Keypair): string[] {
  const bech32 = keypair.getSecretKey();
  const raw = decodeSuiPrivateKey(bech32).secretKey;
  return [bech32, toBase64(raw), Buffer.from(raw).toString("hex"), keystoreEntry(keypair, 0), toBase64(Uint8Array.from([0, ...raw]))];
}

function expectNoSecret(text: string, keypair: Ed25519Keypair): void {
  for (const form of secretForms(keypair)) expect(text).not.toContain(form);
}

describe("Sui signer", () => {
  const a = Ed25519Keypair.generate();
  const b = Ed25519Keypair.generate();
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "keys-test-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("loads SUI_PRIVATE_KEY and signs transactions the sender's signature check accepts", async () => {
    const signer = await loadSuiSigner({ env: { SUI_PRIVATE_KEY: a.getSecretKey() } });
    expect(signer.address).toBe(a.toSuiAddress());
    expect(signer.source).toBe("env:SUI_PRIVATE_KEY");
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const signature = await signer.signTransaction(bytes);
    const key = await verifyTransactionSignature(bytes, signature, { address: a.toSuiAddress() });
    expect(key.toSuiAddress()).toBe(a.toSuiAddress());
    await expect(verifyTransactionSignature(bytes, signature, { address: b.toSuiAddress() })).rejects.toThrow();
  });

  it("loads a keystore file: the only Ed25519 entry, or the one for --address; skips other schemes", async () => {
    const path = join(dir, "sui.keystore");
    await writeFile(path, JSON.stringify([keystoreEntry(new Secp256k1Keypair(), 1), keystoreEntry(a, 0)]));
    expect((await loadSuiSigner({ env: {}, keystorePath: path })).address).toBe(a.toSuiAddress());

    const two = join(dir, "two.keystore");
    await writeFile(two, JSON.stringify([keystoreEntry(a, 0), keystoreEntry(b, 0)]));
    expect((await loadSuiSigner({ env: {}, keystorePath: two, address: b.toSuiAddress() })).address).toBe(b.toSuiAddress());
    const several = loadSuiSigner({ env: {}, keystorePath: two });
    await expect(several).rejects.toThrow(/several keys: choose one with --address/);
    await several.catch((error: Error) => {
      // The error lists the addresses (public) so the operator can choose, never a secret.
      expect(error.message).toContain(a.toSuiAddress());
      expectNoSecret(error.message, a);
      expectNoSecret(error.message, b);
    });
    expect(signersFromKeystore(JSON.stringify([keystoreEntry(a, 0)]), "x")[0]!.address).toBe(a.toSuiAddress());
  });

  it("an explicit keystore wins over the environment; a wrong --address for the env key is refused", async () => {
    const path = join(dir, "only-b.keystore");
    await writeFile(path, JSON.stringify([keystoreEntry(b, 0)]));
    expect((await loadSuiSigner({ env: { SUI_PRIVATE_KEY: a.getSecretKey() }, keystorePath: path })).address).toBe(b.toSuiAddress());
    await expect(loadSuiSigner({ env: { SUI_PRIVATE_KEY: a.getSecretKey() }, address: b.toSuiAddress() })).rejects.toThrow(/belongs to another address/);
  });

  it("never prints the secret: logs, JSON, inspect, String", () => {
    const signer = signerFromPrivateKey(a.getSecretKey(), "env:SUI_PRIVATE_KEY");
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: "trace" }, sink);
    logger.info({ signer }, "signing as");
    logger.info(signer as unknown as object, "signer spread");
    const outputs = [lines.join(""), JSON.stringify(signer), JSON.stringify({ signer }), inspect(signer, { showHidden: true, depth: 10 }), String(signer), `${signer}`];
    for (const text of outputs) {
      expectNoSecret(text, a);
    }
    expect(lines.join("")).toContain(a.toSuiAddress());
    expect(Object.keys(signer).sort()).toEqual(["address", "publicKeyBase64", "signTransaction", "source"]);
  });

  it("errors name the source, never the key text, and carry no cause that could", async () => {
    const secret = a.getSecretKey();
    // A corrupted key: the bech32 decoder's own error quotes the string it failed on.
    const corrupted = `${secret.slice(0, -3)}${secret.endsWith("q") ? "p" : "q"}${secret.slice(-2)}`;
    const attempts: (() => Promise<unknown>)[] = [
      () => loadSuiSigner({ env: { SUI_PRIVATE_KEY: corrupted } }),
      () => loadSuiSigner({ env: { SUI_PRIVATE_KEY: `${secret}x` } }),
      () => loadSuiSigner({ env: { SUI_PRIVATE_KEY: new Secp256k1Keypair().getSecretKey() } }),
    ];
    const path = join(dir, "bad.keystore");
    const raw = decodeSuiPrivateKey(secret).secretKey;
    await writeFile(path, JSON.stringify([toBase64(Uint8Array.from([0, ...raw.slice(0, 20)]))]));
    attempts.push(() => loadSuiSigner({ env: {}, keystorePath: path }));
    await writeFile(join(dir, "notjson.keystore"), `[${keystoreEntry(a, 0)}`);
    attempts.push(() => loadSuiSigner({ env: {}, keystorePath: join(dir, "notjson.keystore") }));
    attempts.push(() => loadSuiSigner({ env: {}, keystorePath: join(dir, "missing.keystore") }));
    const errors = await Promise.all(
      attempts.map((attempt) =>
        attempt().then(
          () => null,
          (e: unknown) => e as Error & { cause?: unknown; details?: unknown },
        ),
      ),
    );
    for (const error of errors) {
      expect(error).not.toBeNull();
      expect(error!.cause).toBeUndefined();
      expectNoSecret(`${error!.message}\n${error!.stack}\n${JSON.stringify(error!.details, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`, a);
      expect(error!.message).not.toContain(corrupted);
    }
    expect(errors[0]!.message).toMatch(/not a valid suiprivkey1/);
    expect(errors[2]!.message).toMatch(/not an Ed25519 key/);
    expect(errors[3]!.message).toMatch(/entry: 0/);
    expect(errors[5]!.message).toMatch(/No Sui key: set SUI_PRIVATE_KEY/);
  });
});
