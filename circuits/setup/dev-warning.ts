/**
 * The warning every use of a --dev setup prints. A dev setup's tau comes from a public beacon,
 * so anyone can forge proofs for its key; it must be impossible to miss.
 */

/**
 * Writes a loud banner to stderr (or `stream`) naming what used the dev setup.
 *
 * @example
 * warnInsecureDevSetup("loading circuits/build/x/setup for proving");
 */
export function warnInsecureDevSetup(context: string, stream: NodeJS.WritableStream = process.stderr): void {
  const bar = "!".repeat(78);
  stream.write(
    [
      bar,
      "!! INSECURE DEV SETUP: " + context,
      "!! Its powers of tau come from a public beacon: anyone can compute tau and forge",
      "!! proofs for this verifying key. Use it for tests and demos only, never for",
      "!! settlements anyone relies on. Run a real phase-2 ceremony (circuits setup).",
      bar,
      "",
    ].join("\n"),
  );
}
