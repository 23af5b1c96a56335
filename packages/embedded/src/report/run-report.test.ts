import assert from "node:assert/strict";
import { test } from "node:test";
import { buildReport, type ReportInput } from "./run-report.js";

const input: ReportInput = {
  runId: "demo-1",
  domain: "misconceptions",
  mode: "isara",
  status: "done",
  stopReason: "max rounds reached",
  model: "SmolLM2-135M",
  seeds: 40,
  metricKeys: ["rougeL_diff", "rougeL_acc"],
  rounds: [
    {
      round: 0,
      written: 0,
      accepted: 0,
      rejectedByReason: {},
      metrics: { rougeL_diff: -0.05, rougeL_acc: 0.4 },
      losses: [],
      phaseMs: { evaluate: 2000 },
    },
    {
      round: 1,
      written: 10,
      accepted: 6,
      rejectedByReason: { "rouge-l": 3, "min-words": 1 },
      metrics: { rougeL_diff: 0.02, rougeL_acc: 0.55 },
      losses: [2.5, 2.1, 1.9],
      learningRate: 2e-4,
      phaseMs: { prompts: 1000, train: 4000 },
    },
  ],
};

test("the report tabulates every round with counts, kept fraction, metrics and final loss", () => {
  const files = buildReport(input);
  const md = files["report.md"] ?? "";
  assert.match(md, /\| 1 \| 10 \| 6 \| 4 \| 60% \| 0\.02 \| 0\.55 \| 1\.9 \| 2\.0e-4 \| 5 \|/);
  assert.match(md, /\| 0 \| 0 \| 0 \| 0 \| – \| -0\.05 \| 0\.4 \| – \| – \| 2 \|/);
  assert.match(md, /Status: \*\*done\*\* \(max rounds reached\)/);
});

test("the charts show every rejection reason and the metric series, and are valid standalone SVG", () => {
  const files = buildReport(input);
  const samples = files["samples.svg"] ?? "";
  assert.match(samples, /rejected: min-words/);
  assert.match(samples, /rejected: rouge-l/);
  assert.match(samples, /round 1 · accepted: 6/);
  assert.ok(samples.startsWith("<svg") && samples.endsWith("</svg>"));
  assert.match(files["metric.svg"] ?? "", /rougeL_diff/);
  assert.equal((files["loss.svg"] ?? "").match(/<circle/g)?.length, 3);
});

test("text from the run is escaped in HTML so a hostile domain name cannot inject markup", () => {
  const files = buildReport({ ...input, domain: "<script>x</script>" });
  assert.doesNotMatch(files["report.html"] ?? "", /<script>/);
  assert.match(files["report.html"] ?? "", /&#60;script&#62;/);
});
