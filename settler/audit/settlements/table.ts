/**
 * The report as the terminal shows it: one line per batch (number, cursor range, where it
 * was settled, result), then the verdict naming the first failure.
 */
import { describeSettlementFailure, formatCursor, type SettlementReport } from "./result.ts";

/**
 * @example
 * process.stdout.write(formatSettlementTable(report));
 * // batch  cursor range            settled in  result
 * // 1      1000:0 .. 1000:3        1006        ok
 */
export function formatSettlementTable(report: SettlementReport): string {
  const header = ["batch", "cursor range", "settled in", "ops", "result"];
  const lines = report.batches.map((b) => [
    String(b.batch),
    `${formatCursor(b.fromCursor)} .. ${formatCursor(b.toCursor)}`,
    String(b.settledIn),
    b.operations === null ? "-" : String(b.operations),
    b.status === "ok" ? "ok" : b.status === "failed" ? `FAILED ${b.failures[0]?.check}: ${b.failures[0]?.field}` : `unverified (${b.note ?? ""})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  const out: string[] = [];
  if (report.registry) {
    const r = report.registry;
    out.push(`registry ${r.registryId} (package ${r.packageId}), created in checkpoint ${r.createdIn}: depth ${r.depth}, start ${formatCursor(r.startCursor)}, max span ${r.maxSpan}`);
    out.push(`tracking ${r.trackingConfig}`);
  }
  const { first, last, count } = report.checkpoints;
  out.push(`checkpoints checked: ${count}${first !== null ? ` (${first} to ${last})` : ""}`);
  out.push(row(header));
  for (const l of lines) out.push(row(l));
  const failed = report.batches.filter((b) => b.status === "failed").length;
  const unverified = report.batches.filter((b) => b.status === "unverified").length;
  out.push(`${report.batches.length} batch(es): ${report.batches.length - failed - unverified} ok, ${failed} failed, ${unverified} unverified`);
  const firstFailure = report.failures[0];
  out.push(report.ok ? "OK: every settlement verified" : `FAILED: ${firstFailure ? describeSettlementFailure(firstFailure) : "some batches could not be verified"}`);
  return `${out.join("\n")}\n`;
}
