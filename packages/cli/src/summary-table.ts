import type { MetricsFile } from "@isara/contracts";
import { qualityTableRows } from "@isara/core";
import { formatDuration } from "./progress-view.js";

/** Lays out rows as an aligned plain-text table (first column left, the rest right). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const fixed = (v: number | null | undefined, d: number) =>
  v === null || v === undefined ? "–" : v.toFixed(d);

/** The end-of-run summary: one row per round with counts, kept fraction, rejections, loss, metrics, time. */
export function summaryTable(metrics: MetricsFile): string {
  const rows = metrics.rounds.map((r) => {
    const rejected = r.rejectedBy
      ? Object.entries(r.rejectedBy)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k}:${n}`)
          .join(" ") || "none"
      : "–";
    const ms = Object.values(r.phaseMs).reduce((a, b) => a + b, 0);
    return [
      String(r.round),
      r.written === null ? "–" : String(r.written),
      r.accepted === null ? "–" : String(r.accepted),
      r.written ? `${Math.round((100 * (r.accepted ?? 0)) / r.written)}%` : "–",
      rejected,
      fixed(r.finalLoss, 3),
      fixed(r.metrics?.rougeL_diff === undefined ? null : r.metrics.rougeL_diff * 100, 2),
      fixed(r.metrics?.rougeL_acc === undefined ? null : r.metrics.rougeL_acc * 100, 1),
      fixed(r.metrics?.answer_words, 1),
      formatDuration(ms),
    ];
  });
  return textTable(
    [
      "round",
      "written",
      "accepted",
      "kept",
      "rejected by",
      "loss",
      "ROUGE-L diff x100",
      "acc %",
      "words",
      "time",
    ],
    rows,
  );
}

/**
 * The sample-quality table of a run (docs/sample-quality.md): the seeds, then each filtered round's
 * candidates and accepted set; `null` when no round was filtered.
 */
export function qualityTable(metrics: MetricsFile): string | null {
  const { header, rows } = qualityTableRows(metrics.rounds);
  return rows.length === 0 ? null : textTable(header, rows);
}
