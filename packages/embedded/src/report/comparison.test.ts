import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildComparison,
  type ComparisonInput,
  comparisonTable,
  DEFAULT_COMPARISON_COLUMNS,
} from "./comparison.js";

const input: ComparisonInput = {
  domain: "truthfulqa",
  model: "tiny",
  seeds: 64,
  evalItems: 200,
  rows: [
    {
      label: "base model",
      mode: "base",
      round: 0,
      metrics: { rougeL_diff: -0.05, rougeL_acc: 0.4 },
      written: 0,
      accepted: 0,
      rejectedBy: {},
    },
    {
      label: "ISARA round 1",
      mode: "isara",
      round: 1,
      metrics: { rougeL_diff: 0.0312, rougeL_acc: 0.55 },
      written: 128,
      accepted: 96,
      rejectedBy: { "min-words": 30, "rouge-l": 2, "exact-duplicate": 0 },
    },
  ],
  columns: DEFAULT_COMPARISON_COLUMNS,
  chartKeys: ["rougeL_diff", "bleu_diff"],
  notes: ["a note"],
};

test("the table shows only metrics some row has, scaled, with data counts and the scaling ratio", () => {
  const { header, rows } = comparisonTable(input);
  assert.deepEqual(header, [
    "model",
    "ROUGE-L diff x100",
    "ROUGE-L acc %",
    "accepted / written",
    "scaling",
    "rejected by",
  ]);
  assert.deepEqual(rows[0], ["base model", "-5.00", "40.0", "–", "–", "–"]);
  assert.deepEqual(rows[1], ["ISARA round 1", "3.12", "55.0", "96 / 128", "1.50", "min-words 30, rouge-l 2"]);
});

test("the chart draws negative and positive bars about a zero line, and the markdown links it", () => {
  const files = buildComparison(input);
  const svg = files["comparison.svg"] ?? "";
  assert.match(svg, /stroke-dasharray/);
  assert.match(svg, /base model · ROUGE-L diff x100: -5/);
  assert.match(svg, /ISARA round 1 · ROUGE-L diff x100: 3\.12/);
  assert.doesNotMatch(svg, /BLEU/, "a metric no row has is not charted");
  assert.match(files["comparison.md"] ?? "", /!\[comparison\]\(comparison\.svg\)\n\n- a note/);
  assert.deepEqual(JSON.parse(files["comparison.json"] ?? "{}").rows.length, 2);
});
