/**
 * The proving flags shared by `settle run`, `settle once` and `settle worker`: where the
 * circuit's keys come from (a setup folder, or an INSECURE dev setup), and who proves
 * (worker threads here, or BullMQ workers behind a Redis queue).
 */
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { NonRetryableError } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { warnInsecureDevSetup } from "../../circuits/setup/dev-warning.ts";
import { ensureDevSetup } from "../../settler/prover/dev-setup.ts";
import { createQueueProver, DEFAULT_QUEUE_NAME } from "../../settler/prover/queue-prover.ts";
import { loadSetupArtifacts, type SetupArtifacts } from "../../settler/prover/setup-artifacts.ts";
import { createThreadProver } from "../../settler/prover/thread-prover.ts";
import type { BatchProver } from "../../settler/prover/types.ts";

export interface ProvingFlags {
  setup?: string;
  dev?: boolean;
  threads?: string;
  queue?: string;
  queueName?: string;
  queueConcurrency?: string;
}

/**
 * @example
 * addProvingOptions(new Command("run"));
 */
export function addProvingOptions(command: Command): Command {
  return command
    .option("--setup <dir>", "setup folder of the circuit (manifest.json, zkeys, verification_key.sui.hex)")
    .option("--dev", "use an INSECURE dev setup made on this machine (tests and demos only)")
    .option("--threads <n>", "proofs run at once on worker threads here, one core each (default: all cores)")
    .option("--queue <redis-url>", "prove as BullMQ jobs on this Redis, taken by `settle worker` processes")
    .option("--queue-name <name>", `BullMQ queue (default ${DEFAULT_QUEUE_NAME})`)
    .option("--queue-concurrency <n>", "proving jobs kept in flight on the queue (default 8)");
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^[0-9]{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1)) throw new NonRetryableError(`${name} must be a positive integer`, { details: { value: text } });
  return n;
}

/**
 * The circuit's files for (depth, B): the setup folder's, checked against its manifest and
 * the circuit shape, or a dev setup (with its warning).
 *
 * @example
 * const artifacts = await provingArtifacts({ dev: true }, { depth: 4, batchSize: 2 }, logger);
 */
export async function provingArtifacts(
  flags: ProvingFlags,
  circuit: { depth: number; batchSize: number },
  logger: Logger,
): Promise<SetupArtifacts> {
  if (Boolean(flags.setup) === Boolean(flags.dev)) throw new NonRetryableError("Give exactly one key source: --setup DIR or --dev");
  if (flags.dev) {
    warnInsecureDevSetup(`proving with a dev setup of BatchUpdate(${circuit.depth}, ${circuit.batchSize})`);
    return ensureDevSetup({ ...circuit, logger });
  }
  const artifacts = await loadSetupArtifacts(flags.setup!);
  const expected = `batch_update_d${circuit.depth}_b${circuit.batchSize}`;
  if (artifacts.circuitName !== expected && artifacts.circuitName !== "circuit") {
    throw new NonRetryableError("the setup folder is for another circuit than the settlement's", {
      details: { setup: artifacts.circuitName, settlement: expected },
    });
  }
  return artifacts;
}

/**
 * Worker threads here, or the BullMQ queue when --queue is given.
 *
 * @example
 * const prover = createProverFromFlags(flags, artifacts, { depth: 4, batchSize: 2 });
 */
export function createProverFromFlags(
  flags: ProvingFlags,
  artifacts: SetupArtifacts,
  circuit: { depth: number; batchSize: number },
): BatchProver {
  if (flags.queue) {
    const concurrency = positive("--queue-concurrency", flags.queueConcurrency);
    return createQueueProver({
      redisUrl: flags.queue,
      circuit,
      ...(flags.queueName ? { queueName: flags.queueName } : {}),
      ...(concurrency ? { concurrency } : {}),
    });
  }
  return createThreadProver({ artifacts, threads: positive("--threads", flags.threads) ?? availableParallelism() });
}
