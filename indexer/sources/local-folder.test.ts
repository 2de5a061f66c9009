import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { encodeBinpbZst } from "../decode/binpb-writer.ts";
import { decodeCheckpointFile } from "../decode/file.ts";
import { loadFixtureCheckpoints, materialize } from "../decode/test-helpers.ts";
import { LocalFolderSource } from "./local-folder.ts";

const fixtures = loadFixtureCheckpoints().slice(0, 3);
const dir = mkdtempSync(join(tmpdir(), "sui-folder-source-"));
const [chk, binpb, misnamed] = fixtures.map((f) => ({ ...f, seq: BigInt(f.name.replace(".chk", "")) }));
writeFileSync(join(dir, chk!.name), chk!.bytes);
writeFileSync(join(dir, `${binpb!.seq}.binpb.zst`), encodeBinpbZst(decodeCheckpointFile(binpb!.bytes, binpb!.name)));
// A checkpoint stored under the wrong number.
writeFileSync(join(dir, `${misnamed!.seq + 1n}.chk`), misnamed!.bytes);
mkdirSync(join(dir, "7.chk"));
writeFileSync(join(dir, "notes.txt"), "not a checkpoint");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("local folder source", () => {
  const source = new LocalFolderSource(dir);

  it("reads either format, chosen per file", async () => {
    const a = await source.fetch(chk!.seq);
    const b = await source.fetch(binpb!.seq);
    expect(a.kind === "found" && a.location).toBe(join(dir, chk!.name));
    expect(b.kind === "found" && b.location).toBe(join(dir, `${binpb!.seq}.binpb.zst`));
    if (a.kind !== "found" || b.kind !== "found") return;
    expect(a.bytes).toBe(chk!.bytes.length);
    expect(materialize(a.checkpoint)).toEqual(materialize(decodeCheckpointFile(chk!.bytes, chk!.name)));
    expect(materialize(b.checkpoint)).toEqual(materialize(decodeCheckpointFile(binpb!.bytes, binpb!.name)));
  });

  it("answers notFound for a missing checkpoint", async () => {
    expect(await source.fetch(42n)).toEqual({ kind: "notFound", location: join(dir, "42.chk") });
  });

  it("rejects a file whose checkpoint disagrees with its name", async () => {
    await expect(source.fetch(misnamed!.seq + 1n)).rejects.toThrow(NonRetryableError);
    await expect(source.fetch(misnamed!.seq + 1n)).rejects.toMatchObject({
      details: { file: join(dir, `${misnamed!.seq + 1n}.chk`), checkpoint: misnamed!.seq, expected: misnamed!.seq + 1n },
    });
  });

  it("does not retry a path it can never read", async () => {
    await expect(source.fetch(7n)).rejects.toMatchObject({ retryable: false, details: { code: "EISDIR" } });
  });

  it("knows the highest checkpoint present", async () => {
    expect(await source.latest()).toBe(misnamed!.seq + 1n);
  });
});
