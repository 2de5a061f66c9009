// Copy to sui-zk-indexer.config.ts (next to package.json) and edit: `npm start` loads it when
// present. Flags and the environment override what it says; every field is optional.
import { defineConfig } from "./cli/define-config.ts";

export default defineConfig({
  network: "mainnet",
  grpc: {
    // url: "https://fullnode.mainnet.sui.io:443",
    // headers: { "x-api-key": process.env.SUI_GRPC_API_KEY ?? "" },
    subscribe: true,
  },
  // remoteStore: "https://checkpoints.mainnet.sui.io",
  firstCheckpoint: "tip",
  // pipelines: ["checkpoints", "transactions", "events"],
  onLocked: "wait",
  concurrency: 8,
  minConcurrency: 2,
  port: 3000,
  readyMaxLag: 20,
});
