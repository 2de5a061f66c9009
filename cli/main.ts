// Entry point of the `sui-zk-indexer` command line (package bin, `npm start`).
import { createProgram } from "./program.ts";

await createProgram().parseAsync(process.argv);
