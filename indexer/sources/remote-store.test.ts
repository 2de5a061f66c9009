import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NonRetryableError, RetryableError, isRetryable } from "../../common/errors.ts";
import { fixtureCheckpointsDir } from "../../common/fixtures.ts";
import { encodeBinpbZst } from "../decode/binpb-writer.ts";
import { decodeCheckpointFile } from "../decode/file.ts";
import { loadFixtureCheckpoints, materialize } from "../decode/test-helpers.ts";
import { RemoteStoreSource } from "./remote-store.ts";

/** What the server does with the next request for a path, before serving normally. */
type Behavior = "500" | "429" | "403" | "drop" | "dropBody" | "hang" | "corrupt";

const fixtures = loadFixtureCheckpoints();
const chkSeq = BigInt(fixtures[0]!.name.replace(".chk", ""));
const binpbSeq = BigInt(fixtures[1]!.name.replace(".chk", ""));
const binpbFile = encodeBinpbZst(decodeCheckpointFile(fixtures[1]!.bytes, fixtures[1]!.name));

let server: Server;
let baseUrl: string;
const behaviors = new Map<string, Behavior[]>();
const requests: string[] = [];

function serve(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? "/";
  requests.push(path);
  const behavior = behaviors.get(path)?.shift();
  const name = path.slice(path.lastIndexOf("/") + 1);
  let body: Uint8Array | null = null;
  if (name === `${binpbSeq}.binpb.zst`) body = binpbFile;
  else if (name.endsWith(".chk") && existsSync(join(fixtureCheckpointsDir(), name))) body = readFileSync(join(fixtureCheckpointsDir(), name));
  switch (behavior) {
    case "500":
    case "403":
      res.writeHead(Number(behavior)).end("nope");
      return;
    case "429":
      res.writeHead(429, { "retry-after": "2" }).end();
      return;
    case "drop":
      req.socket.destroy();
      return;
    case "dropBody":
      res.writeHead(200, { "content-length": String(body!.length) });
      res.write(body!.subarray(0, 100));
      setTimeout(() => req.socket.destroy(), 20);
      return;
    case "hang":
      return; // never answers
    case "corrupt": {
      const bad = Uint8Array.from(body!);
      bad[bad.length - 1] = 0xff;
      res.writeHead(200).end(Buffer.concat([bad, Buffer.from([0])]));
      return;
    }
  }
  if (!body) res.writeHead(404).end();
  else res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
}

beforeAll(async () => {
  server = createServer(serve);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/store/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

beforeEach(() => {
  behaviors.clear();
  requests.length = 0;
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("remote checkpoint store over HTTP", () => {
  it("fetches and decodes a .chk checkpoint", async () => {
    const source = new RemoteStoreSource(baseUrl, { format: "chk" });
    const result = await source.fetch(chkSeq);
    expect(result.kind).toBe("found");
    if (result.kind !== "found") return;
    expect(result.location).toBe(`${baseUrl.replace(/\/$/, "")}/${chkSeq}.chk`);
    expect(result.bytes).toBe(fixtures[0]!.bytes.length);
    expect(materialize(result.checkpoint)).toEqual(materialize(decodeCheckpointFile(fixtures[0]!.bytes, fixtures[0]!.name)));
  });

  it("fetches a .binpb.zst checkpoint and, in auto mode, keeps to the format that answers", async () => {
    const source = new RemoteStoreSource(baseUrl);
    const binpb = await source.fetch(binpbSeq);
    expect(binpb.kind === "found" && binpb.checkpoint.sequenceNumber).toBe(binpbSeq);
    expect(requests).toEqual([`/store/${binpbSeq}.binpb.zst`]);

    requests.length = 0;
    const chk = await source.fetch(chkSeq);
    expect(chk.kind === "found" && chk.checkpoint.sequenceNumber).toBe(chkSeq);
    expect(requests).toEqual([`/store/${chkSeq}.binpb.zst`, `/store/${chkSeq}.chk`]);

    requests.length = 0;
    await source.fetch(chkSeq);
    expect(requests).toEqual([`/store/${chkSeq}.chk`]);
  });

  it("answers notFound for a checkpoint that is not there (yet)", async () => {
    const source = new RemoteStoreSource(baseUrl);
    expect((await source.fetch(5n)).kind).toBe("notFound");
    expect(requests).toEqual(["/store/5.binpb.zst", "/store/5.chk"]);
  });

  it("makes 500 retryable, and the retry succeeds", async () => {
    const source = new RemoteStoreSource(baseUrl, { format: "chk" });
    behaviors.set(`/store/${chkSeq}.chk`, ["500"]);
    const error = await failure(source.fetch(chkSeq));
    expect(error).toBeInstanceOf(RetryableError);
    expect(isRetryable(error)).toBe(true);
    expect((error as RetryableError).details).toMatchObject({ status: 500, checkpoint: chkSeq });
    expect((await source.fetch(chkSeq)).kind).toBe("found");
  });

  it("makes 429 retryable and passes Retry-After on", async () => {
    const source = new RemoteStoreSource(baseUrl, { format: "chk" });
    behaviors.set(`/store/${chkSeq}.chk`, ["429"]);
    const error = await failure(source.fetch(chkSeq));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).details).toMatchObject({ status: 429, retryAfter: "2" });
  });

  it("makes a dropped connection retryable, before or during the body", async () => {
    const source = new RemoteStoreSource(baseUrl, { format: "chk" });
    behaviors.set(`/store/${chkSeq}.chk`, ["drop", "dropBody"]);
    expect(await failure(source.fetch(chkSeq))).toBeInstanceOf(RetryableError);
    expect(await failure(source.fetch(chkSeq))).toBeInstanceOf(RetryableError);
    expect((await source.fetch(chkSeq)).kind).toBe("found");
  });

  it("makes a timeout retryable", async () => {
    const source = new RemoteStoreSource(baseUrl, { format: "chk", timeoutMs: 200 });
    behaviors.set(`/store/${chkSeq}.chk`, ["hang"]);
    const error = await failure(source.fetch(chkSeq));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(/timed out/);
  });

  it("does not retry other statuses or undecodable files", async () => {
    const source = new RemoteStoreSource(baseUrl, { format: "chk" });
    behaviors.set(`/store/${chkSeq}.chk`, ["403", "corrupt"]);
    const forbidden = await failure(source.fetch(chkSeq));
    expect(forbidden).toBeInstanceOf(NonRetryableError);
    expect((forbidden as NonRetryableError).details).toMatchObject({ status: 403 });
    const corrupt = await failure(source.fetch(chkSeq));
    expect(corrupt).toBeInstanceOf(NonRetryableError);
    expect((corrupt as NonRetryableError).details).toMatchObject({ file: `${baseUrl.replace(/\/$/, "")}/${chkSeq}.chk`, checkpoint: chkSeq });
  });

  it("passes the caller's cancellation through instead of calling it a store failure", async () => {
    const source = new RemoteStoreSource(baseUrl, { format: "chk" });
    behaviors.set(`/store/${chkSeq}.chk`, ["hang"]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(source.fetch(chkSeq, controller.signal));
    expect(error).not.toBeInstanceOf(RetryableError);
    expect(error.name).toBe("AbortError");
  });
});
