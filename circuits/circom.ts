/**
 * Runs the circom 2 compiler from the circom2 npm package (WebAssembly, no native
 * binary). It only sees files under its working directory, so it always runs from the
 * project root, where node_modules (circomlib) and circuits/ both are.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { NonRetryableError } from "../common/errors.ts";
import { projectRoot } from "../common/fixtures.ts";

const require = createRequire(import.meta.url);

export interface CircomOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs `circom2 <args>` with the project root as working directory; paths in `args` are
 * relative to it. Rejects with the compiler's output when it exits non-zero.
 *
 * @example
 * await runCircom(["circuits/build/x/main.circom", "--r1cs", "-l", "node_modules", "-o", "circuits/build/x"]);
 */
export function runCircom(args: readonly string[]): Promise<CircomOutput> {
  const cli = require.resolve("circom2/cli.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => reject(new NonRetryableError("could not start circom2", { cause: error })));
    child.on("close", (code) => {
      if (code === 0) {
        resolve({ stdout: stripAnsi(stdout), stderr: stripAnsi(stderr) });
      } else {
        const output = stripAnsi(`${stdout}\n${stderr}`).trim().split("\n").slice(-40).join("\n");
        reject(new NonRetryableError(`circom2 failed (exit code ${code}):\n${output}`, { details: { args: args.join(" ") } }));
      }
    });
  });
}

/** circom colours its output; logs and parsers want plain text. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
