// No Move compiler or Sui CLI runs in this project's CI, so this suite is what checks the
// Move package here: every .move file must parse with the tree-sitter Move grammar (no
// ERROR or MISSING node), and the cross-module references a compiler would resolve are
// checked against the parsed declarations. `sui move test` (in .ci/run when a `sui` binary
// is on PATH) is the full check.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseMove, type MoveModule, type MoveSyntaxError } from "./move-parser.ts";

const moveDir = path.dirname(fileURLToPath(import.meta.url));

function moveFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "build" ? [] : moveFiles(full);
    return entry.name.endsWith(".move") ? [full] : [];
  });
}

/** `file:line:column: KIND text` for each syntax error, the form the failures print. */
function describeErrors(file: string, errors: MoveSyntaxError[]): string[] {
  return errors.map((e) => `${file}:${e.line}:${e.column}: ${e.kind} ${JSON.stringify(e.text)}`);
}

const files = moveFiles(moveDir);
const parsed = await Promise.all(
  files.map(async (file) => ({
    file: path.relative(moveDir, file),
    source: readFileSync(file, "utf8"),
    result: await parseMove(readFileSync(file, "utf8")),
  })),
);
const modules = new Map<string, MoveModule>(
  parsed.flatMap(({ result }) => result.modules.map((m) => [m.name, m] as const)),
);

describe("Move syntax", () => {
  it("finds the package's sources and tests", () => {
    const names = parsed.map((p) => p.file).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        "sources/indexed_merkle.move",
        "sources/registry.move",
        "tests/indexed_merkle_tests.move",
        "tests/registry_tests.move",
        "tests/vectors.move",
      ]),
    );
  });

  it.each(files.map((f) => path.relative(moveDir, f)))("%s parses without ERROR or MISSING nodes", (file) => {
    const entry = parsed.find((p) => p.file === file)!;
    expect(describeErrors(file, entry.result.errors)).toEqual([]);
    expect(entry.result.modules).toHaveLength(1);
    expect(entry.result.modules[0]!.address).toBe("sui_zk_indexer");
  });

  it("reports broken Move with the line of the error", async () => {
    const cases: { source: string; line: number }[] = [
      // A missing closing parenthesis in a signature.
      { source: "module a::m;\n\npublic fun f(x: u64 {\n    x\n}\n", line: 3 },
      // Two statements without a semicolon between them.
      { source: "module a::m;\n\nfun f() {\n    let x = 1\n    let y = 2;\n}\n", line: 5 },
      // A stray token where an expression belongs.
      { source: "module a::m;\n\nfun f(): u64 {\n    let x = ;\n    0\n}\n", line: 4 },
      // A struct missing its closing brace.
      { source: "module a::m;\n\npublic struct S has drop {\n    a: u64,\n\nfun f() {}\n", line: 3 },
    ];
    for (const { source, line } of cases) {
      const { errors } = await parseMove(source);
      expect(errors.length, source).toBeGreaterThan(0);
      expect(errors.map((e) => e.line), source).toContain(line);
      expect(describeErrors("broken.move", errors)[0]).toMatch(/^broken\.move:\d+:\d+: (ERROR|MISSING) /);
    }
  });

  it("accepts the Move 2024 forms the package uses", async () => {
    const { errors } = await parseMove(`module a::m;
use sui::poseidon::poseidon_bn254;
#[error]
const EBad: vector<u8> = b"bad";
public struct S has key, store { id: UID, v: vector<u256> }
public fun f(s: &mut S, x: u64, ctx: &TxContext): u256 {
    let mut acc = 0u256;
    let slot = &mut s.v[0];
    *slot = (x as u256);
    if ((x & 1) == 0) acc = poseidon_bn254(&vector[acc, 1]) else abort EBad;
    assert!(ctx.epoch() >= 0, EBad);
    acc
}
#[test, expected_failure(abort_code = a::m::EBad)]
fun t() { abort EBad }
`);
    expect(errors).toEqual([]);
  });
});

describe("Move cross-references (what the compiler would resolve)", () => {
  const ours = ["registry", "indexed_merkle", "vectors"];

  it("every path into our modules names a declared public function, constant or struct", () => {
    const problems: string[] = [];
    for (const { file, result } of parsed) {
      for (const module of result.modules) {
        for (const { path: p, line } of module.paths) {
          const parts = p.split("::");
          // `registry::settle`, or fully qualified `sui_zk_indexer::registry::settle`.
          const [target, member] =
            parts[0] === "sui_zk_indexer" ? [parts[1], parts[2]] : [parts[0], parts[1]];
          if (!target || !ours.includes(target) || !member) continue;
          const declared = modules.get(target);
          if (!declared) {
            problems.push(`${file}:${line}: no module ${target}`);
            continue;
          }
          const fn = declared.functions.find((f) => f.name === member);
          const constant = declared.constants.find((c) => c.name === member);
          const struct = declared.structs.find((s) => s.name === member);
          if (fn && fn.visibility !== "public" && declared.name !== module.name) {
            problems.push(`${file}:${line}: ${p} is not public`);
          } else if (!fn && !constant && !struct) {
            problems.push(`${file}:${line}: ${p} is not declared`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("every expected_failure abort code in our modules is an #[error] constant", () => {
    const problems: string[] = [];
    for (const { file, source } of parsed) {
      for (const match of source.matchAll(/abort_code\s*=\s*([\w:]+)/g)) {
        const parts = match[1]!.split("::");
        const name = parts[parts.length - 1]!;
        const moduleName = parts[parts.length - 2];
        if (!moduleName || !ours.includes(moduleName)) continue;
        const constant = modules.get(moduleName)?.constants.find((c) => c.name === name);
        if (!constant?.error) problems.push(`${file}: abort_code ${match[1]} is not an #[error] constant`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every abort in the sources uses a declared #[error] constant, and every one is used", () => {
    for (const name of ["registry", "indexed_merkle"]) {
      const entry = parsed.find((p) => p.file === `sources/${name}.move`)!;
      const module = modules.get(name)!;
      const errors = module.constants.filter((c) => c.error).map((c) => c.name);
      expect(errors.length).toBeGreaterThan(0);
      // Every assert! ends with `, ECode);` and every abort names an ECode (comments aside).
      const code = entry.source.replace(/\/\/.*$/gm, "");
      const asserts = [...code.matchAll(/assert!\(/g)].length;
      const assertCodes = [...code.matchAll(/assert!\([^;]*?,\s*(E[A-Z]\w*)\s*\);/g)].map((m) => m[1]!);
      expect(assertCodes, `${name}: an assert! without an E... code`).toHaveLength(asserts);
      const abortCodes = [...code.matchAll(/\babort\s+(\w+)/g)].map((m) => m[1]!);
      const used = new Set([...assertCodes, ...abortCodes]);
      for (const code of used) expect(errors, `${name}: abort code ${code}`).toContain(code);
      for (const code of errors) expect(used, `${name}: ${code} is never raised`).toContain(code);
      // Every constant named E... is a clever error, so aborts carry their message.
      for (const c of module.constants.filter((c) => /^E[A-Z][a-z]/.test(c.name))) expect(c.error, c.name).toBe(true);
    }
  });

  it("test-only hooks stay out of production code", () => {
    const registry = modules.get("registry")!;
    for (const fn of registry.functions.filter((f) => f.name.endsWith("_for_testing"))) {
      expect(fn.attributes, fn.name).toContain("test_only");
    }
    for (const name of ["registry", "indexed_merkle"]) {
      const source = parsed.find((p) => p.file === `sources/${name}.move`)!.source;
      const calls = [...source.matchAll(/\.(\w+_for_testing)\(/g)].map((m) => m[1]);
      expect(calls, name).toEqual([]);
    }
    for (const test of ["vectors", "registry_tests", "indexed_merkle_tests"]) {
      expect(modules.get(test)?.attributes, test).toContain("test_only");
    }
  });

  it("every method called in our modules is declared by us or is a known framework method", () => {
    // Method calls resolve by receiver type; without a type checker, require each name to be
    // declared in one of our modules or be one of the framework methods the package uses.
    const framework = new Set([
      // std::vector, std::option
      "length", "push_back", "pop_back", "append", "is_some", "is_none", "borrow", "extract", "fill",
      // sui::tx_context, sui::object
      "sender", "epoch", "to_address", "to_inner",
      // sui::test_scenario
      "ctx", "next_tx", "next_epoch", "end", "take_shared", "take_shared_by_id", "take_from_sender",
      "return_to_sender", "shared", "num_user_events",
    ]);
    const declared = new Set([...modules.values()].flatMap((m) => m.functions.map((f) => f.name)));
    const problems: string[] = [];
    for (const { file, source } of parsed) {
      const code = source.replace(/\/\/.*$/gm, "").replace(/b"[^"]*"/g, '""');
      for (const m of code.matchAll(/\.\s*(\w+)\s*(?:<[^>()]*>)?\s*\(/g)) {
        const name = m[1]!;
        if (!declared.has(name) && !framework.has(name)) problems.push(`${file}: .${name}() is not declared`);
      }
    }
    expect(problems).toEqual([]);
  });
});
