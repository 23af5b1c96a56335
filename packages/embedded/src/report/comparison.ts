/**
 * The cross-run comparison that `isara compare` writes: ISARA by round against the paper's baselines,
 * all scored on one eval set, as one table and one chart. Pure: rows in, files out.
 */
import { groupedBarChart } from "./svg-chart.js";

/** One evaluated model: a baseline, or ISARA after round t. */
export interface ComparisonRow {
  /** What people read, e.g. "ISARA round 2" or "ICL (kNN seeds)". */
  readonly label: string;
  readonly mode: string;
  readonly round: number;
  /** Scores of the model on the shared eval set (metric key → value). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Prompts written for the data this model trained on, all rounds up to this one (0 = none). */
  readonly written: number;
  /** Samples accepted into that data, all rounds up to this one. */
  readonly accepted: number;
  /** Rejections by the first filter that rejected, all rounds up to this one. */
  readonly rejectedBy: Readonly<Record<string, number>>;
  /** The headline metric's paired difference to the base model on the same items, with its 95% interval. */
  readonly vsBase?: { readonly mean: number; readonly low: number; readonly high: number };
}

/** A metric column: its key, its header and how to show it. */
export interface MetricColumn {
  readonly key: string;
  readonly header: string;
  /** Multiplier for display, e.g. 100 for "diff x100" and percentages. */
  readonly scale: number;
  readonly digits: number;
}

/** Everything the comparison needs. */
export interface ComparisonInput {
  readonly domain: string;
  readonly model: string;
  readonly seeds: number;
  readonly evalItems: number;
  readonly rows: readonly ComparisonRow[];
  /** Columns to show, headline first; a column no row has is left out. */
  readonly columns: readonly MetricColumn[];
  /** Keys of the columns charted (diffs, on one axis). */
  readonly chartKeys: readonly string[];
  /** Header of the vs-base column, e.g. "ROUGE-L diff vs base x100 (95% CI)"; its values are scaled by 100. */
  readonly vsBaseHeader?: string;
  /** Lines said under the table (e.g. a determinism check, what was not measured). */
  readonly notes: readonly string[];
}

/** The columns of TruthfulQA-style reference scores, judge and classifier metrics, headline first. */
export const DEFAULT_COMPARISON_COLUMNS: readonly MetricColumn[] = [
  { key: "rougeL_diff", header: "ROUGE-L diff x100", scale: 100, digits: 2 },
  { key: "rougeL_acc", header: "ROUGE-L acc %", scale: 100, digits: 1 },
  { key: "bleu_diff", header: "BLEU diff x100", scale: 100, digits: 2 },
  { key: "bleu_acc", header: "BLEU acc %", scale: 100, digits: 1 },
  { key: "answer_words", header: "words", scale: 1, digits: 1 },
  { key: "judge_score", header: "judge 1-10", scale: 1, digits: 2 },
  { key: "judge_harmful_rate", header: "judge harmful %", scale: 100, digits: 1 },
  { key: "judge_win_rate_vs_base", header: "win vs base %", scale: 100, digits: 1 },
  { key: "harmful_rate", header: "classifier harmful %", scale: 100, digits: 1 },
];

function cell(row: ComparisonRow, c: MetricColumn): string {
  const v = row.metrics[c.key];
  return v === undefined || !Number.isFinite(v) ? "–" : (v * c.scale).toFixed(c.digits);
}

function rejectedText(rejectedBy: Readonly<Record<string, number>>): string {
  const parts = Object.entries(rejectedBy)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return parts.length ? parts.join(", ") : "–";
}

/** Header and cells of the comparison table, as plain strings (the CLI prints the same table). */
export function comparisonTable(input: ComparisonInput): { header: string[]; rows: string[][] } {
  const columns = input.columns.filter((c) => input.rows.some((r) => r.metrics[c.key] !== undefined));
  const vs = input.vsBaseHeader && input.rows.some((r) => r.vsBase) ? [input.vsBaseHeader] : [];
  const header = [
    "model",
    ...columns.map((c) => c.header),
    ...vs,
    "accepted / written",
    "scaling",
    "rejected by",
  ];
  const rows = input.rows.map((r) => [
    r.label,
    ...columns.map((c) => cell(r, c)),
    ...vs.map(() =>
      r.vsBase
        ? `${(100 * r.vsBase.mean).toFixed(2)} [${(100 * r.vsBase.low).toFixed(2)}, ${(100 * r.vsBase.high).toFixed(2)}]`
        : "–",
    ),
    r.written ? `${r.accepted} / ${r.written}` : "–",
    r.written ? `${(r.accepted / input.seeds).toFixed(2)}` : "–",
    rejectedText(r.rejectedBy),
  ]);
  return { header, rows };
}

/**
 * Builds `comparison.md` (table, chart link, notes), `comparison.svg` (the charted diffs per model)
 * and `comparison.json` (the input, for tools). "scaling" is the data scaling ratio: accepted
 * generated samples over seeds.
 */
export function buildComparison(input: ComparisonInput): Record<string, string> {
  const { header, rows } = comparisonTable(input);
  const chartColumns = input.columns.filter(
    (c) => input.chartKeys.includes(c.key) && input.rows.some((r) => r.metrics[c.key] !== undefined),
  );
  const svg = groupedBarChart(
    `${input.domain}: ${chartColumns.map((c) => c.header).join(", ")} by model`,
    input.rows.map((r) => r.label),
    chartColumns.map((c) => ({
      name: c.header,
      values: input.rows.map((r) => (r.metrics[c.key] ?? Number.NaN) * c.scale),
    })),
  );
  const md = [
    `# Comparison on domain \`${input.domain}\``,
    "",
    `Model \`${input.model}\`, ${input.seeds} seeds, ${input.evalItems} eval items, every row scored on the same items.`,
    "",
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
    "![comparison](comparison.svg)",
    "",
    ...input.notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
  return {
    "comparison.md": md,
    "comparison.svg": svg,
    "comparison.json": `${JSON.stringify(input, null, 2)}\n`,
  };
}
