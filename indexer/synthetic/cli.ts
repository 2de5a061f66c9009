/**
 * `npm run synth -- --dir D --first N --count K [--format chk|binpb.zst|both] [--seed S]
 *  [--transactions-per-checkpoint T] [--events-per-transaction E] [--object-content-bytes B]`
 *
 * Writes synthetic checkpoints (see generate.ts) and prints what it wrote as one JSON line.
 */
import { parseArgs } from "node:util";
import type { CheckpointFileFormat } from "../decode/file.ts";
import { generateCheckpoints } from "./generate.ts";
import { DEFAULT_SHAPE, type SyntheticShape } from "./shape.ts";

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    first: { type: "string", default: "0" },
    count: { type: "string", default: "100" },
    format: { type: "string", default: "chk" },
    seed: { type: "string", default: "1" },
    "transactions-per-checkpoint": { type: "string" },
    "events-per-transaction": { type: "string" },
    "object-content-bytes": { type: "string" },
    "child-objects-per-transaction": { type: "string" },
  },
});

function fail(message: string): never {
  process.stderr.write(`synth: ${message}\n`);
  process.exit(2);
}

if (!values.dir) fail("--dir is required");
const format = values.format as CheckpointFileFormat | "both";
if (!["chk", "binpb.zst", "both"].includes(format)) fail(`--format must be chk, binpb.zst or both, not ${values.format}`);
const number = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number`);
  return n;
};
const shape: Partial<SyntheticShape> = {};
const tpc = number("transactions-per-checkpoint", values["transactions-per-checkpoint"]);
if (tpc !== undefined) shape.transactionsPerCheckpoint = tpc;
const epc = number("events-per-transaction", values["events-per-transaction"]);
if (epc !== undefined) shape.eventsPerTransaction = epc;
const ocb = number("object-content-bytes", values["object-content-bytes"]);
if (ocb !== undefined) shape.objectContentBytes = ocb;
const cpt = number("child-objects-per-transaction", values["child-objects-per-transaction"]);
if (cpt !== undefined) shape.childObjectsPerTransaction = cpt;

const started = performance.now();
const summary = await generateCheckpoints({
  dir: values.dir,
  first: BigInt(values.first),
  count: number("count", values.count) ?? 0,
  format,
  seed: number("seed", values.seed) ?? 1,
  shape: { ...DEFAULT_SHAPE, ...shape },
});
process.stdout.write(
  JSON.stringify({
    dir: values.dir,
    checkpoints: summary.checkpoints,
    transactions: summary.transactions,
    chkBytes: summary.chkBytes,
    bytesPerTransaction: summary.transactions ? Math.round(summary.chkBytes / summary.transactions) : 0,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  }) + "\n",
);
