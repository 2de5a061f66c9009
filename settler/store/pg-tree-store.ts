/**
 * A TreeStore over the versioned tree tables (schema/tables/settlement.ts).
 *
 * TreeStore is synchronous, so a batch runs in three steps:
 *   1. `prepare(keys)` (async) loads, as of the head batch, each key's leaf or low leaf
 *      (the leaf with the largest key below it), and every node on the paths of those
 *      leaves and of the slots the batch may append to;
 *   2. the tree applies the batch through the synchronous methods, which answer from the
 *      batch's writes, then what was loaded, then the cache; anything else throws, so a
 *      preload gap is a loud bug, never a silently wrong root;
 *   3. `persist(tx, batch)` writes the batch's nodes and leaves as version `batch` in the
 *      caller's transaction (with the batch row), then `commit(batch)` makes it the head,
 *      or `discard()` forgets it when the transaction failed.
 *
 * Memory: the per-batch maps hold O(B · depth) entries and the caches are LRU-bounded,
 * so nothing grows with the tracked set. One process writes a tree at a time (the
 * settler holds an advisory lock), which is what keeps the cache coherent.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type { Database, SqlTransaction } from "../../schema/db.ts";
import type { LeafData, TreeStore } from "../tree/store.ts";
import { fieldToHex } from "./field-bytes.ts";
import { LruMap } from "./lru.ts";

export interface PgTreeStoreOptions {
  depth: number;
  /** Nodes kept between batches (default 65,536: about 10 MB). */
  nodeCacheSize?: number;
  /** Leaves kept between batches (default 16,384). */
  leafCacheSize?: number;
}

export interface TreeHead {
  /** The batch whose versions the store reads (0: the genesis tree, -1: no tree yet). */
  batch: bigint;
  nextIndex: bigint;
}

type Reader = Pick<Database, "query">;

const hex = fieldToHex;
const nodeKey = (level: number, index: bigint) => `${level}:${index}`;

export class PgTreeStore implements TreeStore {
  readonly depth: number;
  readonly #database: Reader;
  readonly #nodeCache: LruMap<string, bigint | null>;
  readonly #leafCache: LruMap<bigint, LeafData | null>;
  #head: TreeHead;

  // Per batch: what was loaded, what the keys resolved to, and what was written.
  readonly #loadedNodes = new Map<string, bigint | null>();
  readonly #loadedLeaves = new Map<bigint, LeafData | null>();
  readonly #leafOfKey = new Map<bigint, bigint | null>();
  readonly #lowOfKey = new Map<bigint, bigint>();
  readonly #nodeWrites = new Map<string, { level: number; index: bigint; hash: bigint }>();
  readonly #leafWrites = new Map<bigint, LeafData>();
  readonly #inserted: { key: bigint; index: bigint }[] = [];
  #nextIndex: bigint;

  /** Use openPgTreeStore. */
  constructor(database: Reader, head: TreeHead, options: PgTreeStoreOptions) {
    this.depth = options.depth;
    this.#database = database;
    this.#nodeCache = new LruMap(options.nodeCacheSize ?? 1 << 16);
    this.#leafCache = new LruMap(options.leafCacheSize ?? 1 << 14);
    this.#head = head;
    this.#nextIndex = head.nextIndex;
  }

  /** The batch the store reads as of, and its next free index. */
  get head(): TreeHead {
    return { ...this.#head };
  }

  /** Entries cached between batches (nodes + leaves): bounded by the options. */
  get cachedEntries(): number {
    return this.#nodeCache.size + this.#leafCache.size;
  }

  // ---- TreeStore ------------------------------------------------------------------------

  getNode(level: number, index: bigint): bigint | undefined {
    const key = nodeKey(level, index);
    const written = this.#nodeWrites.get(key);
    if (written) return written.hash;
    if (this.#loadedNodes.has(key)) return this.#loadedNodes.get(key) ?? undefined;
    if (this.#nodeCache.has(key)) return this.#nodeCache.get(key) ?? undefined;
    throw new NonRetryableError("tree store: node read that was not preloaded", { details: { level, index } });
  }

  setNode(level: number, index: bigint, hash: bigint): void {
    this.#nodeWrites.set(nodeKey(level, index), { level, index, hash });
  }

  getLeaf(index: bigint): LeafData | undefined {
    const written = this.#leafWrites.get(index);
    if (written) return { ...written };
    if (this.#loadedLeaves.has(index)) return copy(this.#loadedLeaves.get(index));
    if (this.#leafCache.has(index)) return copy(this.#leafCache.get(index));
    throw new NonRetryableError("tree store: leaf read that was not preloaded", { details: { index } });
  }

  setLeaf(index: bigint, leaf: LeafData): void {
    const existing = this.getLeafIfKnown(index);
    if (existing) {
      if (existing.key !== leaf.key) {
        throw new NonRetryableError("a leaf's key cannot change", { details: { index, oldKey: existing.key, newKey: leaf.key } });
      }
    } else {
      this.#inserted.push({ key: leaf.key, index });
      this.#leafOfKey.set(leaf.key, index);
    }
    this.#leafWrites.set(index, { ...leaf });
  }

  findLeaf(key: bigint): bigint | undefined {
    if (!this.#leafOfKey.has(key)) {
      throw new NonRetryableError("tree store: key lookup that was not preloaded", { details: { key } });
    }
    return this.#leafOfKey.get(key) ?? undefined;
  }

  findLowLeaf(key: bigint): bigint | undefined {
    const stored = this.#lowOfKey.get(key);
    if (stored === undefined) {
      throw new NonRetryableError("tree store: low-leaf lookup that was not preloaded", { details: { key } });
    }
    // The stored low leaf is the largest key below `key` as of the head; keys inserted by
    // this batch may sit between them.
    let best = stored;
    let bestKey = this.getLeaf(stored)?.key ?? 0n;
    for (const inserted of this.#inserted) {
      if (inserted.key < key && inserted.key > bestKey) {
        best = inserted.index;
        bestKey = inserted.key;
      }
    }
    return best;
  }

  getNextIndex(): bigint {
    return this.#nextIndex;
  }

  setNextIndex(index: bigint): void {
    this.#nextIndex = index;
  }

  // ---- batch lifecycle ------------------------------------------------------------------

  /**
   * Each key's value as of the head (0 when not in the tree), without preparing paths:
   * what batch cutting needs to know which changes are operations.
   *
   * @example
   * const values = await store.valuesAtHead([key]); // Map { key => 0n }
   */
  async valuesAtHead(keys: readonly bigint[]): Promise<Map<bigint, bigint>> {
    const unique = [...new Set(keys)];
    const out = new Map<bigint, bigint>(unique.map((k) => [k, 0n]));
    if (unique.length === 0) return out;
    const rows = await this.#database.query<{ key: string; value: string }>(
      `SELECT u.k AS key, encode(l.value, 'hex') AS value
       FROM unnest($1::text[]) AS u(k)
       CROSS JOIN LATERAL (
         SELECT value FROM tree_leaves t WHERE t.key = decode(u.k, 'hex') AND t.batch <= $2 ORDER BY t.batch DESC LIMIT 1
       ) l`,
      [unique.map(hex), this.#head.batch],
    );
    for (const row of rows) out.set(BigInt(`0x${row.key}`), BigInt(`0x${row.value}`));
    return out;
  }

  /**
   * Loads what applying changes to `keys` reads. Call once per batch before touching the
   * tree; calling again for more keys of the same batch is allowed before any write.
   *
   * @example
   * await store.prepare(changes.map((c) => c.key));
   * const batch = buildBatch(tree, changes, options);
   */
  async prepare(keys: readonly bigint[]): Promise<void> {
    if (this.#nodeWrites.size > 0 || this.#leafWrites.size > 0) {
      throw new NonRetryableError("tree store: prepare after writes in the same batch");
    }
    const fresh = [...new Set(keys)].filter((k) => !this.#leafOfKey.has(k));
    const leafIndexes = new Set<bigint>();
    let absent = 0;
    if (fresh.length > 0) {
      const rows = await this.#database.query<{ key: string; exact: bigint | null; low: bigint | null }>(
        `SELECT encode(q.key, 'hex') AS key,
           (SELECT l.index FROM tree_leaves l WHERE l.key = q.key AND l.batch <= $2 LIMIT 1) AS exact,
           (SELECT l.index FROM tree_leaves l WHERE l.key < q.key AND l.batch <= $2 ORDER BY l.key DESC, l.batch DESC LIMIT 1) AS low
         FROM unnest($1::text[]) AS u(k) CROSS JOIN LATERAL (SELECT decode(u.k, 'hex') AS key) q`,
        [fresh.map(hex), this.#head.batch],
      );
      for (const row of rows) {
        const key = BigInt(`0x${row.key}`);
        const exact = row.exact === null ? null : BigInt(row.exact);
        this.#leafOfKey.set(key, exact);
        if (exact !== null) leafIndexes.add(exact);
        else absent++;
        if (row.low === null) {
          throw new NonRetryableError("tree store: no low leaf (the tree has no sentinel at this batch)", {
            details: { key, batch: this.#head.batch },
          });
        }
        const low = BigInt(row.low);
        this.#lowOfKey.set(key, low);
        leafIndexes.add(low);
      }
    }
    await this.#loadLeaves([...leafIndexes]);

    const capacity = 1n << BigInt(this.depth);
    const paths = new Set(leafIndexes);
    for (let i = 0n; i < BigInt(absent) && this.#nextIndex + i < capacity; i++) paths.add(this.#nextIndex + i);
    await this.#loadNodes(this.#pathPositions(paths));
  }

  /**
   * Writes the batch's nodes, leaves as version `batch` inside `tx`.
   *
   * @example
   * await database.transaction(async (tx) => { await store.persist(tx, 7n); await insertBatchRow(tx); });
   * store.commit(7n);
   */
  async persist(tx: SqlTransaction, batch: bigint): Promise<{ nodes: number; leaves: number }> {
    const nodes = [...this.#nodeWrites.values()];
    const leaves = [...this.#leafWrites.entries()];
    const chunk = 20_000;
    for (let i = 0; i < nodes.length; i += chunk) {
      const part = nodes.slice(i, i + chunk);
      await tx.query(
        `INSERT INTO tree_nodes (level, index, batch, hash)
         SELECT u.l::smallint, u.i::bigint, $4::bigint, decode(u.h, 'hex') FROM unnest($1::text[], $2::text[], $3::text[]) AS u(l, i, h)`,
        [part.map((n) => String(n.level)), part.map((n) => n.index.toString()), part.map((n) => hex(n.hash)), batch],
      );
    }
    for (let i = 0; i < leaves.length; i += chunk) {
      const part = leaves.slice(i, i + chunk);
      await tx.query(
        `INSERT INTO tree_leaves (index, batch, key, value, next_key, next_index)
         SELECT u.i::bigint, $6::bigint, decode(u.k, 'hex'), decode(u.v, 'hex'), decode(u.nk, 'hex'), u.ni::bigint
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(i, k, v, nk, ni)`,
        [
          part.map(([index]) => index.toString()),
          part.map(([, l]) => hex(l.key)),
          part.map(([, l]) => hex(l.value)),
          part.map(([, l]) => hex(l.nextKey)),
          part.map(([, l]) => l.nextIndex.toString()),
          batch,
        ],
      );
    }
    return { nodes: nodes.length, leaves: leaves.length };
  }

  /** Makes the persisted batch the head: its writes go to the cache. */
  commit(batch: bigint): void {
    for (const [key, node] of this.#nodeWrites) this.#nodeCache.set(key, node.hash);
    for (const [index, leaf] of this.#leafWrites) this.#leafCache.set(index, { ...leaf });
    this.#head = { batch, nextIndex: this.#nextIndex };
    this.#clearBatch();
  }

  /** Forgets an unpersisted batch: the store reads the head again. */
  discard(): void {
    this.#nextIndex = this.#head.nextIndex;
    this.#clearBatch();
  }

  /** Moves the head (after a rollback): the caches are dropped, since they hold newer versions. */
  reset(head: TreeHead): void {
    this.#nodeCache.clear();
    this.#leafCache.clear();
    this.#head = { ...head };
    this.#nextIndex = head.nextIndex;
    this.#clearBatch();
  }

  /** For the genesis tree: its sentinel path is empty, nothing needs loading. */
  prepareEmpty(): void {
    const positions = this.#pathPositions(new Set([0n]));
    for (const p of positions) this.#loadedNodes.set(nodeKey(p.level, p.index), null);
    this.#loadedLeaves.set(0n, null);
  }

  getLeafIfKnown(index: bigint): LeafData | undefined {
    const written = this.#leafWrites.get(index);
    if (written) return written;
    if (this.#loadedLeaves.has(index)) return this.#loadedLeaves.get(index) ?? undefined;
    if (this.#leafCache.has(index)) return this.#leafCache.get(index) ?? undefined;
    // An append slot at or past the next free index is empty by construction.
    if (index >= this.#head.nextIndex) return undefined;
    throw new NonRetryableError("tree store: leaf read that was not preloaded", { details: { index } });
  }

  #clearBatch(): void {
    this.#loadedNodes.clear();
    this.#loadedLeaves.clear();
    this.#leafOfKey.clear();
    this.#lowOfKey.clear();
    this.#nodeWrites.clear();
    this.#leafWrites.clear();
    this.#inserted.length = 0;
  }

  /** Each leaf's node and sibling at every level, and the root. */
  #pathPositions(leaves: Set<bigint>): { level: number; index: bigint }[] {
    const seen = new Set<string>();
    const out: { level: number; index: bigint }[] = [];
    const add = (level: number, index: bigint) => {
      const key = nodeKey(level, index);
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ level, index });
    };
    for (const leaf of leaves) {
      for (let level = 0; level < this.depth; level++) {
        const position = leaf >> BigInt(level);
        add(level, position);
        add(level, position ^ 1n);
      }
    }
    add(this.depth, 0n);
    return out;
  }

  async #loadLeaves(indexes: bigint[]): Promise<void> {
    const missing: bigint[] = [];
    for (const index of indexes) {
      if (this.#loadedLeaves.has(index)) continue;
      if (this.#leafCache.has(index)) this.#loadedLeaves.set(index, this.#leafCache.get(index) ?? null);
      else missing.push(index);
    }
    if (missing.length === 0) return;
    const rows = await this.#database.query<{ index: bigint; key: string; value: string; next_key: string; next_index: bigint }>(
      `SELECT u.i AS index, encode(l.key, 'hex') AS key, encode(l.value, 'hex') AS value,
              encode(l.next_key, 'hex') AS next_key, l.next_index
       FROM (SELECT i::bigint FROM unnest($1::text[]) AS x(i)) AS u(i)
       CROSS JOIN LATERAL (SELECT * FROM tree_leaves t WHERE t.index = u.i AND t.batch <= $2 ORDER BY t.batch DESC LIMIT 1) l`,
      [missing.map(String), this.#head.batch],
    );
    for (const index of missing) this.#loadedLeaves.set(index, null);
    for (const row of rows) {
      const leaf: LeafData = {
        key: BigInt(`0x${row.key}`),
        value: BigInt(`0x${row.value}`),
        nextKey: BigInt(`0x${row.next_key}`),
        nextIndex: BigInt(row.next_index),
      };
      this.#loadedLeaves.set(BigInt(row.index), leaf);
      this.#leafCache.set(BigInt(row.index), leaf);
    }
  }

  async #loadNodes(positions: { level: number; index: bigint }[]): Promise<void> {
    const missing: { level: number; index: bigint }[] = [];
    for (const p of positions) {
      const key = nodeKey(p.level, p.index);
      if (this.#loadedNodes.has(key)) continue;
      if (this.#nodeCache.has(key)) this.#loadedNodes.set(key, this.#nodeCache.get(key) ?? null);
      else missing.push(p);
    }
    if (missing.length === 0) return;
    const rows = await this.#database.query<{ level: number; index: bigint; hash: string }>(
      `SELECT u.l AS level, u.i AS index, encode(n.hash, 'hex') AS hash
       FROM (SELECT l::smallint, i::bigint FROM unnest($1::text[], $2::text[]) AS x(l, i)) AS u(l, i)
       CROSS JOIN LATERAL (
         SELECT hash FROM tree_nodes t WHERE t.level = u.l AND t.index = u.i AND t.batch <= $3 ORDER BY t.batch DESC LIMIT 1
       ) n`,
      [missing.map((p) => String(p.level)), missing.map((p) => p.index.toString()), this.#head.batch],
    );
    for (const p of missing) this.#loadedNodes.set(nodeKey(p.level, p.index), null);
    for (const row of rows) {
      const key = nodeKey(Number(row.level), BigInt(row.index));
      const hash = BigInt(`0x${row.hash}`);
      this.#loadedNodes.set(key, hash);
    }
    for (const p of missing) {
      const key = nodeKey(p.level, p.index);
      this.#nodeCache.set(key, this.#loadedNodes.get(key) ?? null);
    }
  }
}

/**
 * The tree head as the tables record it: the highest batch that is not failed (its
 * new_next_index), else the genesis tree (batch 0) when it was written, else no tree.
 *
 * @example
 * const head = await readTreeHead(database);
 */
export async function readTreeHead(database: Reader): Promise<TreeHead> {
  const [row] = await database.query<{ batch: bigint | null; next_index: bigint | null; genesis: boolean }>(
    `SELECT b.batch, b.new_next_index AS next_index,
            EXISTS (SELECT 1 FROM tree_leaves WHERE index = 0 AND batch = 0) AS genesis
     FROM (SELECT 1) one
     LEFT JOIN LATERAL (
       SELECT batch, new_next_index FROM settlement_batches WHERE state <> 'failed' ORDER BY batch DESC LIMIT 1
     ) b ON true`,
  );
  if (row?.batch !== null && row?.batch !== undefined) return { batch: BigInt(row.batch), nextIndex: BigInt(row.next_index!) };
  return row?.genesis ? { batch: 0n, nextIndex: 1n } : { batch: -1n, nextIndex: 0n };
}

/**
 * Opens the store at the tables' head.
 *
 * @example
 * const store = await openPgTreeStore(database, { depth: 40 });
 */
export async function openPgTreeStore(database: Reader, options: PgTreeStoreOptions): Promise<PgTreeStore> {
  return new PgTreeStore(database, await readTreeHead(database), options);
}

function copy(leaf: LeafData | null | undefined): LeafData | undefined {
  return leaf ? { ...leaf } : undefined;
}

