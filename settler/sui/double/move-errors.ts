/**
 * The registry module's clever errors, read from move/sources/registry.move itself: each
 * `#[error] const EName: vector<u8> = b"…"` with its message, and each `assert!(…, EName)`
 * with the function and line it sits in. The test double aborts with exactly these names,
 * messages and lines, so a rename or a new check in the Move source shows up in the double
 * (and in its tests) instead of drifting apart silently.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../../common/fixtures.ts";

/** Where the Move source of the registry lives. */
export const REGISTRY_MOVE_PATH = join(projectRoot, "move", "sources", "registry.move");

export interface MoveErrorConstant {
  name: string;
  message: string;
  /** Declaration order among the module's error constants (0-based). */
  index: number;
}

export interface MoveAbortSite {
  errorName: string;
  functionName: string;
  /** 1-based source line of the assert. */
  line: number;
}

export interface RegistryMoveErrors {
  constants: ReadonlyMap<string, MoveErrorConstant>;
  sites: readonly MoveAbortSite[];
  /** Where `errorName` is raised in `functionName` (or, failing that, anywhere: helpers such as assert_admin). */
  site(functionName: string, errorName: string): MoveAbortSite;
}

/**
 * Parses the error constants and abort sites of a Move module's source text.
 *
 * @example
 * const errors = parseMoveErrors(readFileSync(REGISTRY_MOVE_PATH, "utf8"));
 * errors.site("settle", "EInvalidProof").line; // the assert's line
 */
export function parseMoveErrors(source: string): RegistryMoveErrors {
  const lines = source.split("\n");
  const constants = new Map<string, MoveErrorConstant>();
  const sites: MoveAbortSite[] = [];
  let currentFunction = "";
  let pendingErrorAttribute = false;
  lines.forEach((text, i) => {
    const trimmed = text.trim();
    if (trimmed === "#[error]") {
      pendingErrorAttribute = true;
      return;
    }
    const constant = /^const (E\w+): vector<u8> = b"((?:[^"\\]|\\.)*)";/.exec(trimmed);
    if (constant && pendingErrorAttribute) {
      constants.set(constant[1]!, { name: constant[1]!, message: constant[2]!, index: constants.size });
    }
    pendingErrorAttribute = false;
    const fn = /^(?:public(?:\(package\))? )?(?:entry )?fun (\w+)/.exec(trimmed);
    if (fn) currentFunction = fn[1]!;
    for (const match of trimmed.matchAll(/assert!\(.*,\s*(E\w+)\)/g)) {
      sites.push({ errorName: match[1]!, functionName: currentFunction, line: i + 1 });
    }
  });
  return {
    constants,
    sites,
    site(functionName, errorName) {
      const found = sites.find((s) => s.functionName === functionName && s.errorName === errorName) ?? sites.find((s) => s.errorName === errorName);
      if (!found) throw new Error(`registry.move raises no ${errorName}`);
      return found;
    },
  };
}

let cached: RegistryMoveErrors | undefined;

/** The registry module's errors, parsed once. */
export function registryMoveErrors(): RegistryMoveErrors {
  cached ??= parseMoveErrors(readFileSync(REGISTRY_MOVE_PATH, "utf8"));
  return cached;
}
