// Writes move/tests/vectors.move from the circuit's settlement JSON (circuits/vectors/*.json,
// or --settlement FILE) and the tree vectors computed here.
//   npx tsx move/scripts/gen-vectors.ts [--settlement FILE] [--check]
// --check writes nothing and exits 1 when the committed file differs from a fresh render.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderVectors } from "./vectors.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VECTORS_MOVE = path.join(repoRoot, "move", "tests", "vectors.move");

async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const at = argv.indexOf("--settlement");
  const settlement = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !settlement) throw new Error("--settlement needs a file");
  const text = await renderVectors(repoRoot, settlement ? path.resolve(settlement) : undefined);
  if (check) {
    const current = readFileSync(VECTORS_MOVE, "utf8");
    if (current !== text) {
      console.error(`${path.relative(repoRoot, VECTORS_MOVE)} is stale: run npx tsx move/scripts/gen-vectors.ts`);
      return 1;
    }
    console.log(`${path.relative(repoRoot, VECTORS_MOVE)} is up to date`);
    return 0;
  }
  writeFileSync(VECTORS_MOVE, text);
  console.log(`wrote ${path.relative(repoRoot, VECTORS_MOVE)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
