/**
 * The settler's Ed25519 signing key, from the environment (`SUI_PRIVATE_KEY`, a bech32
 * `suiprivkey1…` string) or a Sui keystore file (`~/.sui/sui_config/sui.keystore`: a JSON
 * array of base64 `flag || 32-byte secret`).
 *
 * The secret never leaves this module: the signer exposes the address and public key and a
 * sign function, prints as `SuiSigner(<address>)` in logs and JSON, and every error names
 * the source (file path, entry number, variable name), never the key text. Errors from the
 * decoders are dropped rather than chained, because their messages can quote the input.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { decodeSuiPrivateKey } from "@mysten/sui/cryptography";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { fromBase64, normalizeSuiAddress } from "@mysten/sui/utils";
import { NonRetryableError } from "../../common/errors.ts";

/** Signature scheme flag of Ed25519 in Sui's keystore and serialized signatures. */
const ED25519_FLAG = 0x00;
const SCHEME_NAMES: Record<number, string> = { 0: "ED25519", 1: "Secp256k1", 2: "Secp256r1", 3: "MultiSig", 5: "ZkLogin" };

/** The default keystore of the Sui CLI. */
export function defaultKeystorePath(): string {
  return join(homedir(), ".sui", "sui_config", "sui.keystore");
}

/** Signs Sui transactions; holds the secret without exposing it. */
export interface SuiSigner {
  /** The signer's Sui address (0x, 64 hex digits). */
  readonly address: string;
  /** Base64 of the 32-byte Ed25519 public key. */
  readonly publicKeyBase64: string;
  /** Where the key came from, for logs: `env:SUI_PRIVATE_KEY` or `keystore:<path>#<n>`. */
  readonly source: string;
  /** Signs TransactionData BCS bytes; returns the serialized signature (base64). */
  signTransaction(bytes: Uint8Array): Promise<string>;
}

/** Where to look for the key; the first that applies wins: env, then keystore. */
export interface LoadSignerOptions {
  /** Environment to read `SUI_PRIVATE_KEY` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Keystore file; default `~/.sui/sui_config/sui.keystore` when the env has no key. */
  keystorePath?: string;
  /** Which keystore entry to use, when it holds several (required then). */
  address?: string;
}

function makeSigner(keypair: Ed25519Keypair, source: string): SuiSigner {
  const address = keypair.toSuiAddress();
  const publicKeyBase64 = keypair.getPublicKey().toBase64();
  const label = `SuiSigner(${address})`;
  const signer: SuiSigner = {
    address,
    publicKeyBase64,
    source,
    signTransaction: async (bytes) => (await keypair.signTransaction(bytes)).signature,
  };
  // The keypair is only captured by the closure above; these make every way of printing the
  // signer (pino, JSON.stringify, console.log, String) show the address alone.
  Object.defineProperties(signer, {
    toJSON: { value: () => ({ address, source }), enumerable: false },
    toString: { value: () => label, enumerable: false },
    [inspect.custom]: { value: () => label, enumerable: false },
  });
  return Object.freeze(signer);
}

/**
 * A signer from a bech32 `suiprivkey1…` string.
 *
 * @example
 * const signer = signerFromPrivateKey(process.env.SUI_PRIVATE_KEY!, "env:SUI_PRIVATE_KEY");
 */
export function signerFromPrivateKey(text: string, source: string): SuiSigner {
  let decoded: ReturnType<typeof decodeSuiPrivateKey>;
  try {
    decoded = decodeSuiPrivateKey(text.trim());
  } catch {
    // No cause: bech32 errors quote the string they failed on.
    throw new NonRetryableError("Sui private key is not a valid suiprivkey1… string", { details: { source } });
  }
  if (decoded.scheme !== "ED25519") {
    throw new NonRetryableError("Sui private key is not an Ed25519 key", { details: { source, scheme: decoded.scheme } });
  }
  return makeSigner(keypairFromSecret(decoded.secretKey, source), source);
}

function keypairFromSecret(secret: Uint8Array, source: string): Ed25519Keypair {
  try {
    return Ed25519Keypair.fromSecretKey(secret);
  } catch {
    throw new NonRetryableError("Sui private key is not a valid Ed25519 secret", { details: { source } });
  }
}

/**
 * Every Ed25519 signer in a keystore file's text (other schemes are skipped; an entry that
 * is not base64 of `flag || 32 bytes` is an error naming its position).
 *
 * @example
 * const signers = signersFromKeystore(await readFile(path, "utf8"), path);
 */
export function signersFromKeystore(text: string, path: string): SuiSigner[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new NonRetryableError("Sui keystore is not JSON", { details: { keystore: path } });
  }
  if (!Array.isArray(entries)) throw new NonRetryableError("Sui keystore is not a JSON array", { details: { keystore: path } });
  const signers: SuiSigner[] = [];
  entries.forEach((entry, i) => {
    const source = `keystore:${path}#${i}`;
    let bytes: Uint8Array | undefined;
    try {
      bytes = typeof entry === "string" ? fromBase64(entry) : undefined;
    } catch {
      bytes = undefined;
    }
    if (!bytes || bytes.length !== 33) {
      throw new NonRetryableError("Sui keystore entry is not base64 of flag || 32-byte secret", { details: { keystore: path, entry: i } });
    }
    if (bytes[0] !== ED25519_FLAG) return;
    signers.push(makeSigner(keypairFromSecret(bytes.slice(1), source), source));
  });
  return signers;
}

/** The schemes of a keystore's entries, for an error that says why none was usable. */
function keystoreSchemes(text: string): string[] {
  try {
    const entries = JSON.parse(text) as unknown[];
    return entries.map((e) => {
      const flag = typeof e === "string" ? fromBase64(e)[0] : undefined;
      return flag === undefined ? "unknown" : (SCHEME_NAMES[flag] ?? `flag ${flag}`);
    });
  } catch {
    return [];
  }
}

/**
 * Loads the settler's key: `SUI_PRIVATE_KEY` if set, else the keystore (the one entry
 * matching `address`, or its only Ed25519 entry).
 *
 * @example
 * const signer = await loadSuiSigner({ keystorePath: flags.keystore, address: flags.address });
 * common.logger.info({ signer: signer.address }, "signing as");
 */
export async function loadSuiSigner(options: LoadSignerOptions = {}): Promise<SuiSigner> {
  const env = options.env ?? process.env;
  const wanted = options.address ? normalizeSuiAddress(options.address) : undefined;
  const fromEnv = env.SUI_PRIVATE_KEY;
  if (fromEnv && !options.keystorePath) {
    const signer = signerFromPrivateKey(fromEnv, "env:SUI_PRIVATE_KEY");
    if (wanted && signer.address !== wanted) {
      throw new NonRetryableError("SUI_PRIVATE_KEY belongs to another address", { details: { expected: wanted, actual: signer.address } });
    }
    return signer;
  }
  const path = options.keystorePath ?? defaultKeystorePath();
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new NonRetryableError("No Sui key: set SUI_PRIVATE_KEY or point --keystore at a Sui keystore file", {
      details: { keystore: path, reason: (error as NodeJS.ErrnoException).code ?? "unreadable" },
    });
  }
  const signers = signersFromKeystore(text, path);
  if (wanted) {
    const match = signers.find((s) => s.address === wanted);
    if (!match) throw new NonRetryableError("No Ed25519 key for this address in the keystore", { details: { keystore: path, address: wanted } });
    return match;
  }
  if (signers.length === 1) return signers[0]!;
  if (signers.length === 0) {
    throw new NonRetryableError("The keystore holds no Ed25519 key", { details: { keystore: path, schemes: keystoreSchemes(text).join(",") } });
  }
  throw new NonRetryableError("The keystore holds several keys: choose one with --address", {
    details: { keystore: path, addresses: signers.map((s) => s.address).join(",") },
  });
}
