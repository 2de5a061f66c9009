import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "../../common/errors.ts";
import { ptauSecretsFromBeacon } from "./beacon-key.ts";
import { DEV_BEACON_HASH, DEV_BEACON_ITERATIONS_EXP, buildDevPtau } from "./dev-ptau.ts";
import { knownTauPreparePhase2 } from "./known-tau-phase2.ts";
import { readPtauInfo } from "./ptau-file.ts";
import { captureSnarkjsLogger } from "./snarkjs-runtime.ts";

const dir = mkdtempSync(join(tmpdir(), "dev-ptau-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("dev powers of tau", () => {
  // Power 5 keeps snarkjs's own preparePhase2 to seconds while still covering the doubled
  // tau·G1 level, every section and several FFT sizes.
  const power = 5;
  const fast = join(dir, "known-tau.ptau");
  const slow = join(dir, "snarkjs.ptau");

  it("the known-tau phase 2 writes exactly the bytes of snarkjs's preparePhase2", async () => {
    await buildDevPtau(power, fast, "known-tau", undefined, dir);
    await buildDevPtau(power, slow, "snarkjs", undefined, dir);
    const a = readFileSync(fast);
    const b = readFileSync(slow);
    expect(a.length).toBe(b.length);
    expect(createHash("sha256").update(a).digest("hex")).toBe(createHash("sha256").update(b).digest("hex"));
    const info = await readPtauInfo(fast);
    expect(info.power).toBe(power);
    expect(info.preparedForPhase2).toBe(true);
    expect(info.sections.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
  });

  it("snarkjs's powersoftau verify accepts it", async () => {
    const { logger, errors } = captureSnarkjsLogger();
    expect(await snarkjs.powersOfTau.verify(fast, logger), errors.join("; ")).toBe(true);
  });

  it("refuses to prepare a file whose secrets are not the given ones", async () => {
    // The beacon file before preparation: rebuild it with the snarkjs steps only.
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    const fresh = join(dir, "fresh.ptau");
    const beacon = join(dir, "beacon.ptau");
    await snarkjs.powersOfTau.newAccumulator(curve, 3, fresh);
    await snarkjs.powersOfTau.beacon(fresh, beacon, "x", DEV_BEACON_HASH, DEV_BEACON_ITERATIONS_EXP);
    const secrets = ptauSecretsFromBeacon(Buffer.from(DEV_BEACON_HASH, "hex"), DEV_BEACON_ITERATIONS_EXP);
    await expect(
      knownTauPreparePhase2({ input: beacon, output: join(dir, "wrong.ptau"), secrets: { ...secrets, tau: secrets.tau + 1n }, curve }),
    ).rejects.toThrow(/does not match the known secrets: tau·G1/);
    await expect(
      knownTauPreparePhase2({ input: beacon, output: join(dir, "wrong.ptau"), secrets: { ...secrets, beta: 7n }, curve }),
    ).rejects.toThrow(/beta·G1/);
  });

  it("derives the beacon's secrets deterministically and refuses bad iteration counts", () => {
    const a = ptauSecretsFromBeacon(Buffer.from("01", "hex"), 10);
    expect(ptauSecretsFromBeacon(Buffer.from("01", "hex"), 10)).toEqual(a);
    expect(ptauSecretsFromBeacon(Buffer.from("02", "hex"), 10).tau).not.toBe(a.tau);
    expect(() => ptauSecretsFromBeacon(Buffer.from("01", "hex"), 9)).toThrow(NonRetryableError);
  });

  it("readPtauInfo refuses files that are not BN254 ptau files", async () => {
    const notPtau = join(dir, "not.ptau");
    await import("node:fs/promises").then((fs) => fs.writeFile(notPtau, "hello world, not a ptau"));
    await expect(readPtauInfo(notPtau, "--ptau")).rejects.toThrow(/--ptau: not a usable \.ptau file: missing the ptau magic/);
  });
});
