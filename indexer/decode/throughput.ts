/**
 * Decode throughput on one core: `npx tsx indexer/decode/throughput.ts [--synthetic N]`.
 *
 * Measures CPU time (not wall time, which other processes on a shared machine distort) for
 * the real fixtures (decoded repeatedly, so caches are warm) and for N synthetic
 * checkpoints (each decoded once, as an indexer sees them), in both formats, with and
 * without reading every input and output object. Prints one JSON line per case.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fixtureCheckpointsDir } from "../../common/fixtures.ts";
import { generateCheckpoints } from "../synthetic/generate.ts";
import { decodeCheckpointFile } from "./file.ts";

interface File {
  name: string;
  bytes: Uint8Array;
}

function measure(label: string, files: File[], rounds: number, withObjects: boolean): void {
  let transactions = 0;
  let bytes = 0;
  const start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const file of files) {
      const checkpoint = decodeCheckpointFile(file.bytes, file.name);
      transactions += checkpoint.transactions.length;
      bytes += file.bytes.length;
      if (withObjects) for (const tx of checkpoint.transactions) void (tx.inputObjects.length + tx.outputObjects.length);
    }
  }
  const used = process.cpuUsage(start);
  const seconds = (used.user + used.system) / 1e6;
  process.stdout.write(
    JSON.stringify({
      case: label,
      objects: withObjects,
      transactions,
      txPerCpuSecond: Math.round(transactions / seconds),
      mbPerCpuSecond: Number((bytes / seconds / 1e6).toFixed(1)),
    }) + "\n",
  );
}

const { values } = parseArgs({ options: { synthetic: { type: "string", default: "300" } } });

const fixtureDir = fixtureCheckpointsDir();
const fixtures: File[] = readdirSync(fixtureDir)
  .filter((n) => n.endsWith(".chk"))
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(fixtureDir, name))) }));
measure("warm-up", fixtures, 10, true);
measure("fixtures .chk (x20)", fixtures, 20, false);
measure("fixtures .chk (x20)", fixtures, 20, true);

const dir = mkdtempSync(join(tmpdir(), "decode-throughput-"));
try {
  const count = Number(values.synthetic);
  await generateCheckpoints({ dir, first: 1_000_000n, count, format: "both", seed: 99 });
  const load = (ext: string): File[] =>
    Array.from({ length: count }, (_, i) => `${1_000_000 + i}.${ext}`).map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
  const chk = load("chk");
  const binpb = load("binpb.zst");
  measure("synthetic .chk (once each)", chk, 1, false);
  measure("synthetic .chk (once each)", chk, 1, true);
  measure("synthetic .binpb.zst (once each)", binpb, 1, false);
  measure("synthetic .binpb.zst (once each)", binpb, 1, true);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
