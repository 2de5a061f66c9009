/**
 * A lock file, so two processes (test workers, CLI runs) do not both spend minutes building
 * the same cached artifact. A lock older than `staleMs` is taken to belong to a dead process.
 */
import { open, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Runs `fn` while holding `lockPath` (created exclusively, removed afterwards).
 *
 * @example
 * await withFileLock(`${cached}.lock`, async () => { if (!existsSync(cached)) await build(cached); });
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, staleMs = 30 * 60_000): Promise<T> {
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const held = await stat(lockPath).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > staleMs) await rm(lockPath, { force: true });
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
