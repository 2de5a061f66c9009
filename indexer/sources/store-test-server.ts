/**
 * A checkpoint store over HTTP on 127.0.0.1 for tests: serves the files of a folder as
 * `GET /<name>` (404 for the rest) and records every path asked for.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";

export interface TestStoreServer {
  readonly url: string;
  /** File names asked for, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * @example
 * const store = await startTestStoreServer(dir);
 * const source = remoteStoreSource(store.url);
 */
export async function startTestStoreServer(dir: string): Promise<TestStoreServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const name = basename(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    requests.push(name);
    readFile(join(dir, name)).then(
      (body) => res.writeHead(200, { "content-type": "application/octet-stream" }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
