import { statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_DIR, buildCircuit, circuitName, inspectCircuit, mainSource } from "./build.ts";
import { readR1csHeader } from "./r1cs.ts";

describe("buildCircuit", () => {
  it("writes the main file with the public inputs in their order", () => {
    expect(circuitName({ depth: 40, batch: 8 })).toBe("batch_update_d40_b8");
    expect(mainSource({ depth: 40, batch: 8 })).toContain(
      "component main {public [oldRoot, newRoot, oldNextIndex, newNextIndex, batchCommitment, fromCursor, toCursor]} = BatchUpdate(40, 8);",
    );
  });

  it("compiles once and then reuses the build while sources and parameters match", async () => {
    // Start from no build, so the compile path runs on every machine.
    await rm(join(BUILD_DIR, circuitName({ depth: 2, batch: 1 })), { recursive: true, force: true });
    const first = await buildCircuit({ depth: 2, batch: 1 });
    expect(first.compiled).toBe(true);
    expect(first.r1cs).toMatch(/circuits\/build\/batch_update_d2_b1\/batch_update_d2_b1\.r1cs$/);
    expect(first.wasm).toMatch(/batch_update_d2_b1_js\/batch_update_d2_b1\.wasm$/);
    const header = await readR1csHeader(first.r1cs);
    expect(header.nPubIn).toBe(7);
    expect(header.nPubOut).toBe(0);
    expect(header.nConstraints).toBeGreaterThan(1000);
    const mtime = statSync(first.r1cs).mtimeMs;
    const again = await buildCircuit({ depth: 2, batch: 1 });
    expect(again.compiled).toBe(false);
    expect(again.r1cs).toBe(first.r1cs);
    expect(statSync(again.r1cs).mtimeMs).toBe(mtime);
  });

  it("rejects bad parameters before compiling", async () => {
    await expect(buildCircuit({ depth: 0, batch: 1 })).rejects.toThrow(/tree depth/);
    await expect(buildCircuit({ depth: 3, batch: 0 })).rejects.toThrow(/batch size B must be an integer/);
  });
});

describe("circom --inspect", () => {
  it("warns only about circomlib internals that the README explains", async () => {
    const warnings = await inspectCircuit({ depth: 2, batch: 2 });
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) {
      // CompConstant (inside Num2Bits_strict's AliasCheck) and LessThan read one bit of a
      // Num2Bits decomposition: the other bits exist only to range-check their input.
      expect(warning).toMatch(
        /^warning\[CA02\]: In template "(CompConstant\(\d+\)|LessThan\(127\))": Array of subcomponent input\/output signals (num2bits|n2b)\.out contains a total of \d+ signals that do not appear in any constraint of the father component$/,
      );
    }
  });
});
