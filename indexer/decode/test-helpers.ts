/** Shared by the decode, source and synthetic tests: the fixture files and model comparison. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureCheckpointsDir } from "../../common/fixtures.ts";
import type { CheckpointModel } from "../model.ts";

export interface FixtureFile {
  name: string;
  path: string;
  bytes: Uint8Array;
}

/** Every real checkpoint fixture, read once per test file. */
export function loadFixtureCheckpoints(): FixtureFile[] {
  const dir = fixtureCheckpointsDir();
  return readdirSync(dir)
    .filter((name) => name.endsWith(".chk"))
    .sort()
    .map((name) => ({ name, path: join(dir, name), bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

/**
 * The whole model as plain data, lazy objects included, for deep equality. Byte arrays
 * become hex strings: comparing them element by element is what makes deep equality slow.
 */
export function materialize(checkpoint: CheckpointModel): unknown {
  return plain({
    ...checkpoint,
    transactions: checkpoint.transactions.map((tx) => ({
      ...tx,
      inputObjects: tx.inputObjects,
      outputObjects: tx.outputObjects,
    })),
  });
}

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
