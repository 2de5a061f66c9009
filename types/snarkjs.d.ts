/**
 * Typed declarations for the parts of snarkjs (untyped JavaScript) used in this project.
 * Extend this file when another part of snarkjs is needed; keep the types honest to the
 * library's runtime behaviour.
 */
declare module "snarkjs" {
  /** Circuit inputs: signal name -> value(s); numbers as bigint or decimal strings. */
  export type CircuitSignals = Record<string, unknown>;

  export interface Logger {
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug(...args: unknown[]): void;
  }

  export namespace wtns {
    /** Runs the circuit's witness calculator (.wasm) and writes a .wtns file. */
    function calculate(input: CircuitSignals, wasmFile: string, wtnsFile: string): Promise<void>;
    /** Reads a .wtns file: the witness, index = wire id. */
    function exportJson(wtnsFile: string): Promise<bigint[]>;
    /** Checks a .wtns file against an .r1cs file. Pass a logger: it logs failures through it. */
    function check(r1csFile: string, wtnsFile: string, logger: Logger): Promise<boolean>;
  }
}
