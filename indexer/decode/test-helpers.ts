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

/** The whole model as plain data, lazy objects included, for deep equality. */
export function materialize(checkpoint: CheckpointModel): unknown {
  return {
    ...checkpoint,
    transactions: checkpoint.transactions.map((tx) => ({
      ...tx,
      inputObjects: tx.inputObjects,
      outputObjects: tx.outputObjects,
    })),
  };
}
