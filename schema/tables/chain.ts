/**
 * Which network the database holds: one row, written by the first indexer run whose source
 * knows its chain (a full node says it in GetServiceInfo), and checked by every later run,
 * so that a database indexed from one network is never extended from another.
 */
import { sql } from "drizzle-orm";
import { boolean, check, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const chainIdentity = pgTable(
  "chain_identity",
  {
    /** Always true: the table holds at most one row. */
    singleton: boolean("singleton").primaryKey().default(true),
    /** Base58 digest of the genesis checkpoint. */
    chainId: text("chain_id").notNull(),
    /** Human-readable name the node gave ("mainnet", "testnet"), when it did. */
    chain: text("chain"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [check("chain_identity_singleton", sql`${t.singleton}`)],
);
