/**
 * Reads circom's .sym file: one line per signal, `labelId,wireId,componentId,name`, where
 * wireId is the signal's position in the witness (-1 when the optimizer removed it).
 */
import { readFile } from "node:fs/promises";
import { NonRetryableError } from "../common/errors.ts";

export interface CircuitSymbol {
  labelId: number;
  /** Index in the witness, or -1 for a signal the optimizer eliminated. */
  wireId: number;
  componentId: number;
  /** Full name, e.g. `main.oldRoot` or `main.slot[0].newRoot`. */
  name: string;
}

/**
 * @example
 * const symbols = await readSymbols(built.sym);
 * const wire = symbols.get("main.newRoot")?.wireId;
 */
export async function readSymbols(path: string): Promise<Map<string, CircuitSymbol>> {
  const symbols = new Map<string, CircuitSymbol>();
  for (const line of (await readFile(path, "utf8")).split("\n")) {
    if (line === "") continue;
    const match = /^(-?\d+),(-?\d+),(-?\d+),(.+)$/.exec(line);
    if (!match) throw new NonRetryableError("malformed .sym line", { details: { path, line } });
    const [, labelId, wireId, componentId, name] = match as unknown as [string, string, string, string, string];
    symbols.set(name, { labelId: Number(labelId), wireId: Number(wireId), componentId: Number(componentId), name });
  }
  return symbols;
}
