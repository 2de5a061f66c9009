/**
 * Compiles circuits/test/tiny.circom (for the setup and Sui-format tests) into
 * circuits/build/test/tiny/, once: a later call reuses the build while the source is unchanged.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { projectRoot } from "../../common/fixtures.ts";
import { runCircom } from "../circom.ts";
import { withFileLock } from "../setup/file-lock.ts";

export interface TinyCircuit {
  r1cs: string;
  wasm: string;
}

/**
 * The compiled tiny circuit: public signals [z, x, y] with z = a² + y·b and x = a·b.
 *
 * @example
 * const { r1cs, wasm } = await buildTinyCircuit();
 */
export async function buildTinyCircuit(): Promise<TinyCircuit> {
  const source = join("circuits", "test", "tiny.circom");
  const outDir = join("circuits", "build", "test", "tiny");
  const absOut = join(projectRoot, outDir);
  const result = { r1cs: join(absOut, "tiny.r1cs"), wasm: join(absOut, "tiny_js", "tiny.wasm") };
  const hash = createHash("sha256").update(await readFile(join(projectRoot, source))).digest("hex");
  const stamp = join(absOut, "source.sha256");
  const fresh = async () => existsSync(result.wasm) && existsSync(stamp) && (await readFile(stamp, "utf8")) === hash;
  if (await fresh()) return result;
  await mkdir(absOut, { recursive: true });
  return withFileLock(join(absOut, "..", "tiny.lock"), async () => {
    if (await fresh()) return result;
    await runCircom([source, "--r1cs", "--wasm", "-l", "node_modules", "-o", outDir]);
    await writeFile(stamp, hash);
    return result;
  });
}
