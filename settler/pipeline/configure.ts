/**
 * Configures the settlement once: the settings row and the genesis tree (batch 0: the
 * sentinel leaf alone, whose root Move hard-codes per depth), in one transaction. Run
 * again with the same settings it is a no-op; with different ones it refuses, since the
 * registry and every proof depend on them.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database } from "../../schema/db.ts";
import { PgTreeStore } from "../store/pg-tree-store.ts";
import { IndexedMerkleTree } from "../tree/indexed-merkle-tree.ts";
import { loadPoseidon } from "../tree/poseidon.ts";
import { emptyRoot } from "../tree/tree-hash.ts";
import { assertSettingsInput, insertSettings, readSettings, settingsDifferences, type SettlementSettings, type SettlementSettingsInput } from "./settings.ts";

/**
 * @example
 * const settings = await configureSettlement(database, {
 *   tracking: { kind: "all" }, depth: 40, batchSize: 8, maxSpan: 100n, startCursor: encodeCursor(1000n, 0n),
 * });
 */
export async function configureSettlement(database: Database, input: SettlementSettingsInput): Promise<SettlementSettings> {
  assertSettingsInput(input);
  const existing = await readSettings(database);
  if (existing) {
    const differences = settingsDifferences(existing, input);
    if (differences.length > 0) {
      throw new NonRetryableError("the settlement is already configured with other settings", {
        details: { differences: differences.join("; ") },
      });
    }
    return existing;
  }
  const poseidon = await loadPoseidon();
  const store = new PgTreeStore(database, { batch: -1n, nextIndex: 0n }, { depth: input.depth });
  store.prepareEmpty();
  const tree = new IndexedMerkleTree(input.depth, store, poseidon);
  if (tree.root !== emptyRoot(poseidon, input.depth)) {
    throw new NonRetryableError("genesis tree root differs from the empty root", { details: { depth: input.depth } });
  }
  await database.transaction(async (tx) => {
    await insertSettings(tx, input);
    await store.persist(tx, 0n);
  });
  const settings = await readSettings(database);
  if (!settings) throw new NonRetryableError("settlement configuration vanished after it was written");
  return settings;
}
