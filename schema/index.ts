/** Every table of the project, for drizzle (queries, relational API) and drizzle-kit. */
export * from "./tables/indexer.ts";
export * from "./tables/settlement.ts";
export * from "./tables/chain.ts";
