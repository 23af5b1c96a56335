import { qualityTableRows, type RoundQuality } from "@isara/core";
import { escapeXml, lineChart, type Series, stackedBarChart } from "./svg-chart.js";

/** One round as the report shows it. Round 0 is the base model (evaluation only). */
export interface ReportRound {
  readonly round: number;
  /** Prompts written this round (0 for round 0). */
  readonly written: number;
  readonly accepted: number;
  /** Rejected samples by the first filter that rejected them, e.g. `{ "rouge-l": 3 }`. */
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Evaluation metrics of the model after this round. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Training loss curve this round: one point per step, or core's `lossSummary` of a longer training. */
  readonly losses: readonly number[];
  readonly learningRate?: number;
  /** Wall time per phase in milliseconds. */
  readonly phaseMs: Readonly<Record<string, number>>;
  /** Sample-quality figures of the round's seeds, candidates and accepted set; absent before its filter pass. */
  readonly quality?: RoundQuality;
}

/** Everything the report needs, decoupled from the run state's storage format. */
export interface ReportInput {
  readonly runId: string;
  readonly domain: string;
  readonly mode: string;
  readonly status: string;
  readonly stopReason?: string;
  readonly model: string;
  readonly seeds: number;
  readonly rounds: readonly ReportRound[];
  /** Metric keys to chart and tabulate, most important first. */
  readonly metricKeys: readonly string[];
}

/** The report's files, keyed by path relative to the report folder. */
export type ReportFiles = Record<string, string>;

function num(v: number | undefined, digits = 4): string {
  return v === undefined || !Number.isFinite(v) ? "–" : Number(v.toFixed(digits)).toString();
}

function charts(input: ReportInput): Record<string, string> {
  const gen = input.rounds.filter((r) => r.round > 0);
  const labels = gen.map((r) => `round ${r.round}`);
  const reasons = [...new Set(gen.flatMap((r) => Object.keys(r.rejectedByReason)))].sort();
  const samples: Series[] = [
    { name: "accepted", values: gen.map((r) => r.accepted) },
    ...reasons.map((reason) => ({
      name: `rejected: ${reason}`,
      values: gen.map((r) => r.rejectedByReason[reason] ?? 0),
    })),
  ];
  const metric = input.metricKeys.map((k) => ({
    name: k,
    values: input.rounds.map((r) => r.metrics[k] ?? Number.NaN),
  }));
  const losses = gen.flatMap((r) => r.losses);
  return {
    "samples.svg": stackedBarChart("Samples per round: accepted and rejected by reason", labels, samples),
    "metric.svg": lineChart(
      "Evaluation metric per round (round 0 = base model)",
      input.rounds.map((r) => String(r.round)),
      metric,
    ),
    "loss.svg": lineChart(
      "Training loss (all rounds; a long round's curve summarised)",
      losses.map((_, i) => String(i + 1)),
      [{ name: "loss", values: losses }],
    ),
  };
}

function tableRows(input: ReportInput): string[][] {
  return input.rounds.map((r) => {
    const rejected = Object.values(r.rejectedByReason).reduce((a, b) => a + b, 0);
    const kept = r.written > 0 ? `${((100 * r.accepted) / r.written).toFixed(0)}%` : "–";
    const seconds = Object.values(r.phaseMs).reduce((a, b) => a + b, 0) / 1000;
    return [
      String(r.round),
      String(r.written),
      String(r.accepted),
      String(rejected),
      kept,
      ...input.metricKeys.map((k) => num(r.metrics[k])),
      num(r.losses.at(-1)),
      r.learningRate === undefined ? "–" : r.learningRate.toExponential(1),
      seconds.toFixed(0),
    ];
  });
}

function header(input: ReportInput): string[] {
  return [
    "round",
    "written",
    "accepted",
    "rejected",
    "kept",
    ...input.metricKeys,
    "final loss",
    "lr",
    "seconds",
  ];
}

/**
 * Builds the run report: `report.md` (Markdown with the SVG charts beside it), `report.html` (one file,
 * charts inline, for a browser) and the three SVG charts. Pure, so it is tested without a run.
 */
export function buildReport(input: ReportInput): ReportFiles {
  const svgs = charts(input);
  const head = header(input);
  const rows = tableRows(input);
  const quality = qualityTableRows(input.rounds.map((r) => ({ round: r.round, quality: r.quality ?? null })));
  const md = [
    `# ISARA run \`${input.runId}\``,
    "",
    `Domain **${input.domain}**, mode **${input.mode}**, model \`${input.model}\`, ${input.seeds} seeds. ` +
      `Status: **${input.status}**${input.stopReason ? ` (${input.stopReason})` : ""}.`,
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
    ...(quality.rows.length === 0
      ? []
      : [
          "Sample quality (how to read it: docs/sample-quality.md):",
          "",
          `| ${quality.header.join(" | ")} |`,
          `|${quality.header.map(() => "---").join("|")}|`,
          ...quality.rows.map((r) => `| ${r.join(" | ")} |`),
          "",
        ]),
    "![samples](samples.svg)",
    "",
    "![metric](metric.svg)",
    "",
    "![loss](loss.svg)",
    "",
  ].join("\n");
  const cell = (tag: string, v: string) => `<${tag}>${escapeXml(v)}</${tag}>`;
  const html = [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>ISARA run ${escapeXml(input.runId)}</title>`,
    "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse}" +
      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}</style></head><body>",
    `<h1>ISARA run <code>${escapeXml(input.runId)}</code></h1>`,
    `<p>Domain <b>${escapeXml(input.domain)}</b>, mode <b>${escapeXml(input.mode)}</b>, model <code>${escapeXml(input.model)}</code>, ` +
      `${input.seeds} seeds. Status: <b>${escapeXml(input.status)}</b>${input.stopReason ? ` (${escapeXml(input.stopReason)})` : ""}.</p>`,
    `<table><tr>${head.map((h) => cell("th", h)).join("")}</tr>`,
    ...rows.map((r) => `<tr>${r.map((v) => cell("td", v)).join("")}</tr>`),
    "</table>",
    ...(quality.rows.length === 0
      ? []
      : [
          "<h2>Sample quality</h2>",
          `<table><tr>${quality.header.map((h) => cell("th", h)).join("")}</tr>`,
          ...quality.rows.map((r) => `<tr>${r.map((v) => cell("td", v)).join("")}</tr>`),
          "</table>",
        ]),
    ...Object.values(svgs).map((svg) => `<p>${svg}</p>`),
    "</body></html>",
  ].join("\n");
  return { "report.md": md, "report.html": html, ...svgs };
}
