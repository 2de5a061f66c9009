/**
 * Configuration of `start` (the service): flags, then environment, then an optional
 * `sui-zk-indexer.config.ts`, then defaults. Nothing configured follows Sui mainnet over
 * gRPC from its current tip.
 *
 * A config file default-exports `defineConfig({ … })`:
 *
 * ```ts
 * import { defineConfig } from "./cli/define-config.ts";
 * export default defineConfig({ network: "testnet", pipelines: ["checkpoints", "events"], port: 8080 });
 * ```
 *
 * Environment: SUI_ZK_INDEXER_NETWORK, SUI_ZK_INDEXER_GRPC_URL, SUI_ZK_INDEXER_GRPC_HEADERS
 * (`Name: value` lines, `;`-separated), SUI_ZK_INDEXER_GRPC_USERNAME / _PASSWORD,
 * SUI_ZK_INDEXER_REMOTE_STORE, SUI_ZK_INDEXER_FIRST_CHECKPOINT, SUI_ZK_INDEXER_LAST_CHECKPOINT,
 * SUI_ZK_INDEXER_PACKAGES, SUI_ZK_INDEXER_PIPELINES, SUI_ZK_INDEXER_ON_LOCKED,
 * SUI_ZK_INDEXER_CONCURRENCY, SUI_ZK_INDEXER_MIN_CONCURRENCY, SUI_ZK_INDEXER_READY_MAX_LAG,
 * SUI_ZK_INDEXER_CONFIG, PORT, HOST, plus the database's DATABASE_URL, DATABASE_SCHEMA,
 * SUI_ZK_INDEXER_DATA_DIR and the API's API_CURSOR_SECRET.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { z } from "zod";
import { NonRetryableError } from "../common/errors.ts";
import { checkpointFilesIn, listPlan, parseCheckpointList, type CheckpointPlan } from "../indexer/ingest/checkpoint-plan.ts";
import type { OnLocked } from "../indexer/pipeline-locks.ts";
import { normalizeId, pipelineNames, type PipelineName } from "../indexer/pipelines/index.ts";
import { parseHeaders, SUI_GRPC_ENDPOINTS } from "../indexer/sources/grpc-client.ts";
import { cursorSecretFrom, parsePort } from "./commands/serve.ts";
import { parseConcurrency, parsePositive, parseU64, type SourceFlags } from "./options/source.ts";

/** What a network defaults to: its public full node and its checkpoint store (for pruned history). */
export const NETWORKS = {
  mainnet: { grpc: SUI_GRPC_ENDPOINTS.mainnet, checkpointStore: "https://checkpoints.mainnet.sui.io" },
  testnet: { grpc: SUI_GRPC_ENDPOINTS.testnet, checkpointStore: "https://checkpoints.testnet.sui.io" },
} as const;

export { defineConfig, type SuiZkIndexerConfig } from "./define-config.ts";

export const DEFAULT_CONFIG_FILE = "sui-zk-indexer.config.ts";
export const DEFAULT_READY_MAX_LAG = 20;

const u64 = z.union([z.number().int().nonnegative(), z.bigint().nonnegative()]).transform((v) => BigInt(v));
const configSchema = z
  .object({
    network: z.string().min(1),
    grpc: z
      .object({
        url: z.string().url(),
        headers: z.record(z.string(), z.string()),
        username: z.string(),
        password: z.string(),
        subscribe: z.boolean(),
      })
      .partial()
      .strict(),
    remoteStore: z.string().url(),
    fromDir: z.string().min(1),
    firstCheckpoint: z.union([u64, z.literal("tip")]),
    lastCheckpoint: u64,
    packages: z.array(z.string()),
    pipelines: z.array(z.enum(pipelineNames as [PipelineName, ...PipelineName[]])).min(1),
    onLocked: z.enum(["wait", "exit"]),
    concurrency: z.number().int().min(1).max(1024),
    minConcurrency: z.number().int().min(1).max(1024),
    batchCheckpoints: z.number().int().min(1),
    batchRows: z.number().int().min(1),
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1),
    readyMaxLag: z.number().int().min(0),
    databaseUrl: z.string().min(1),
    databaseSchema: z.string().min(1),
    dataDir: z.string().min(1),
  })
  .partial()
  .strict();

export type ParsedConfigFile = z.output<typeof configSchema>;

/**
 * Loads a config file (TypeScript, through tsx): `path`, else `./sui-zk-indexer.config.ts`
 * when it exists; null when there is none.
 *
 * @example
 * const file = await loadConfigFile(process.env.SUI_ZK_INDEXER_CONFIG);
 */
export async function loadConfigFile(path?: string, cwd = process.cwd()): Promise<ParsedConfigFile | null> {
  const file = resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (path) throw new NonRetryableError("Config file not found", { details: { file } });
    return null;
  }
  let loaded: unknown;
  try {
    const module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
    loaded = module.default;
    // Outside an ESM package the file loads as CommonJS, and its default export one level down.
    if (loaded && typeof loaded === "object" && "default" in loaded) loaded = (loaded as { default: unknown }).default;
  } catch (error) {
    throw new NonRetryableError("Cannot load config file", { cause: error, details: { file, reason: (error as Error).message } });
  }
  const parsed = configSchema.safeParse(loaded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new NonRetryableError("Invalid config file", { details: { file, field: issue.path.join(".") || "(default export)", reason: issue.message } });
  }
  return parsed.data;
}

/** The flags of `start`: the shared source flags plus the network and service ones. */
export interface StartFlags extends SourceFlags {
  network?: string;
  grpc?: string;
  grpcHeader?: string[];
  /** `--no-subscribe` sets false. */
  subscribe?: boolean;
  pipelines?: string;
  onLocked?: string;
  minConcurrency?: string;
  port?: string;
  host?: string;
  readyMaxLag?: string;
  config?: string;
}

export type SourceConfig =
  | { kind: "folder"; dir: string }
  | { kind: "remote"; url: string }
  | {
      kind: "grpc";
      url: string;
      network: string;
      headers: Record<string, string>;
      basicAuth: { username: string; password: string } | null;
      subscribe: boolean;
      /** Where checkpoints below the node's lowest available one come from; null: nowhere. */
      archive: string | null;
    };

/** Everything `start` needs, resolved and validated. */
export interface StartConfig {
  source: SourceConfig;
  plan: CheckpointPlan | undefined;
  firstCheckpoint: bigint | "tip" | undefined;
  lastCheckpoint: bigint | undefined;
  packages: string[];
  pipelines: PipelineName[];
  onLocked: OnLocked;
  concurrency: number;
  minConcurrency: number;
  batchMaxCheckpoints: number | undefined;
  batchMaxRows: number | undefined;
  port: number;
  host: string;
  readyMaxLag: number;
  database: { url: string | undefined; schema: string | undefined; dataDir: string | undefined };
  cursorSecret: Uint8Array | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The first value given: flag, then environment, then file. Empty strings count as not given. */
function first<T>(...values: Array<T | undefined | "">): T | undefined {
  for (const value of values) if (value !== undefined && value !== "") return value as T;
  return undefined;
}

const text = (value: number | bigint | undefined): string | undefined => (value === undefined ? undefined : String(value));

function parsePipelines(value: string | readonly string[] | undefined, from: string): PipelineName[] {
  if (value === undefined) return [...pipelineNames];
  const names = (typeof value === "string" ? value.split(",") : [...value]).map((p) => p.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(pipelineNames as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new NonRetryableError("Unknown pipeline", { details: { from, pipelines: unknown.join(",") || "(none)", known: pipelineNames.join(",") } });
  }
  return [...new Set(names)] as PipelineName[];
}

/**
 * Resolves the flags, the environment and the config file into one validated config.
 *
 * @example
 * const config = await resolveStartConfig({ fromDir: "./checkpoints", port: "0" }, process.env, null);
 */
export async function resolveStartConfig(flags: StartFlags, env: Env, file: ParsedConfigFile | null): Promise<StartConfig> {
  const f = file ?? {};
  const fromDir = first(flags.fromDir, f.fromDir);
  const grpcUrl = first(flags.grpc, env.SUI_ZK_INDEXER_GRPC_URL, f.grpc?.url);
  const network = first(flags.network, env.SUI_ZK_INDEXER_NETWORK, f.network);
  const remoteStore = first(flags.remoteStore, env.SUI_ZK_INDEXER_REMOTE_STORE, f.remoteStore);
  if (fromDir && (grpcUrl || flags.network || remoteStore)) {
    throw new NonRetryableError("Give one source: --from-dir, or a network (--network / --grpc, with --remote-store for pruned history)");
  }

  let source: SourceConfig;
  if (fromDir) {
    source = { kind: "folder", dir: resolve(fromDir) };
  } else if (remoteStore && !grpcUrl && !network) {
    source = { kind: "remote", url: remoteStore };
  } else {
    // A custom node without a network name gets no default archive: it may be any chain.
    const networkName = network ?? (grpcUrl ? "custom" : "mainnet");
    const known = (NETWORKS as Record<string, (typeof NETWORKS)[keyof typeof NETWORKS] | undefined>)[networkName];
    if (!grpcUrl && !known) {
      throw new NonRetryableError("Unknown network: give its full node with --grpc URL", { details: { network: networkName, known: Object.keys(NETWORKS).join(",") } });
    }
    const headerLines = flags.grpcHeader?.length ? flags.grpcHeader : env.SUI_ZK_INDEXER_GRPC_HEADERS?.split(/[;\n]/).filter((l) => l.trim());
    const headers = { ...f.grpc?.headers, ...(headerLines ? parseHeaders(headerLines) : {}) };
    const username = first(env.SUI_ZK_INDEXER_GRPC_USERNAME, f.grpc?.username);
    const password = first(env.SUI_ZK_INDEXER_GRPC_PASSWORD, f.grpc?.password);
    source = {
      kind: "grpc",
      url: grpcUrl ?? known!.grpc,
      network: networkName,
      headers,
      basicAuth: username !== undefined ? { username, password: password ?? "" } : null,
      subscribe: flags.subscribe === false ? false : (f.grpc?.subscribe ?? true),
      archive: remoteStore ?? known?.checkpointStore ?? null,
    };
  }

  if (flags.sparse && source.kind !== "folder") throw new NonRetryableError("--sparse lists a folder: it needs --from-dir");
  if (flags.sparse && flags.checkpoints) throw new NonRetryableError("Give --sparse or --checkpoints, not both");
  let plan: CheckpointPlan | undefined;
  if (flags.checkpoints) plan = listPlan(parseCheckpointList(flags.checkpoints));
  else if (flags.sparse && source.kind === "folder") plan = listPlan(await checkpointFilesIn(source.dir));

  const firstText = first(flags.firstCheckpoint, env.SUI_ZK_INDEXER_FIRST_CHECKPOINT, f.firstCheckpoint === "tip" ? "tip" : text(f.firstCheckpoint));
  const firstCheckpoint =
    firstText === "tip" ? "tip" : firstText === undefined ? (source.kind === "grpc" && !plan ? "tip" : undefined) : parseU64("--first-checkpoint", firstText);
  if (firstCheckpoint === "tip" && source.kind !== "grpc") throw new NonRetryableError("--first-checkpoint tip needs a full node source");

  const packages = first(flags.packages, env.SUI_ZK_INDEXER_PACKAGES, f.packages?.join(","));
  const concurrency = parseConcurrency(first(flags.concurrency, env.SUI_ZK_INDEXER_CONCURRENCY, text(f.concurrency)));
  const minConcurrency = Math.min(concurrency, parseConcurrency(first(flags.minConcurrency, env.SUI_ZK_INDEXER_MIN_CONCURRENCY, text(f.minConcurrency)) ?? "2", "--min-concurrency"));
  const onLocked = first(flags.onLocked, env.SUI_ZK_INDEXER_ON_LOCKED, f.onLocked) ?? "wait";
  if (onLocked !== "wait" && onLocked !== "exit") throw new NonRetryableError("--on-locked is wait or exit", { details: { value: onLocked } });
  const readyMaxLag = first(flags.readyMaxLag, env.SUI_ZK_INDEXER_READY_MAX_LAG, text(f.readyMaxLag));

  return {
    source,
    plan,
    firstCheckpoint,
    lastCheckpoint: parseU64("--last-checkpoint", first(flags.lastCheckpoint, env.SUI_ZK_INDEXER_LAST_CHECKPOINT, text(f.lastCheckpoint))),
    packages: (packages ?? "").split(",").map((p) => p.trim()).filter(Boolean).map(normalizeId),
    pipelines: parsePipelines(first(flags.pipelines, env.SUI_ZK_INDEXER_PIPELINES) ?? f.pipelines, flags.pipelines ? "--pipelines" : "SUI_ZK_INDEXER_PIPELINES"),
    onLocked,
    concurrency,
    minConcurrency,
    batchMaxCheckpoints: parsePositive("--batch-checkpoints", first(flags.batchCheckpoints, text(f.batchCheckpoints))),
    batchMaxRows: parsePositive("--batch-rows", first(flags.batchRows, text(f.batchRows))),
    port: parsePort(flags.port, first(env.PORT, text(f.port))),
    host: first(flags.host, env.HOST, f.host) ?? "0.0.0.0",
    readyMaxLag: readyMaxLag === undefined ? DEFAULT_READY_MAX_LAG : parseLag(readyMaxLag),
    database: { url: first(env.DATABASE_URL, f.databaseUrl), schema: first(env.DATABASE_SCHEMA, f.databaseSchema), dataDir: first(env.SUI_ZK_INDEXER_DATA_DIR, f.dataDir) },
    cursorSecret: cursorSecretFrom(env.API_CURSOR_SECRET),
  };
}

function parseLag(value: string): number {
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0)) throw new NonRetryableError("Invalid --ready-max-lag", { details: { value } });
  return n;
}

/**
 * The config as it may be logged: credentials and header values hidden.
 *
 * @example
 * logger.info({ config: redactedConfig(config) }, "starting");
 */
export function redactedConfig(config: StartConfig): Record<string, unknown> {
  const source =
    config.source.kind === "grpc"
      ? {
          ...config.source,
          url: config.source.url.replace(/\/\/[^@/]*@/, "//***@"),
          headers: Object.keys(config.source.headers),
          basicAuth: config.source.basicAuth ? "***" : null,
        }
      : config.source;
  return {
    source,
    firstCheckpoint: config.firstCheckpoint === undefined ? null : String(config.firstCheckpoint),
    lastCheckpoint: config.lastCheckpoint === undefined ? null : String(config.lastCheckpoint),
    packages: config.packages,
    pipelines: config.pipelines,
    onLocked: config.onLocked,
    concurrency: config.concurrency,
    minConcurrency: config.minConcurrency,
    port: config.port,
    host: config.host,
    readyMaxLag: config.readyMaxLag,
  };
}
