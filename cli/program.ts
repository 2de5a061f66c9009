import { Command } from "commander";
import { createCircuitsCommand } from "./commands/circuits.ts";
import { createDemoCommand } from "./commands/demo.ts";
import { createIndexCommand } from "./commands/index.ts";
import { createServeCommand } from "./commands/serve.ts";
import { createSettleCommand } from "./commands/settle.ts";
import { createStartCommand } from "./commands/start.ts";
import { createVerifyCommand } from "./commands/verify.ts";
import { createVerifyProofCommand } from "./commands/verify-proof.ts";

/**
 * The `sui-zk-indexer` command line. Each command lives in cli/commands/<name>.ts and
 * exports a `create<Name>Command()` factory; this file only assembles them.
 */
export function createProgram(): Command {
  const program = new Command("sui-zk-indexer")
    .description("Index Sui checkpoints into Postgres and settle the indexed state with Groth16 proofs")
    .showHelpAfterError();
  // Commands, one line each:
  program.addCommand(createStartCommand());
  program.addCommand(createIndexCommand());
  program.addCommand(createVerifyCommand());
  program.addCommand(createVerifyProofCommand());
  program.addCommand(createCircuitsCommand());
  program.addCommand(createServeCommand());
  program.addCommand(createSettleCommand());
  program.addCommand(createDemoCommand());
  return program;
}
