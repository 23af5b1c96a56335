import assert from "node:assert/strict";
import { test } from "node:test";
import type { ComparisonRow } from "@isara/embedded/report";
import type { RowSource } from "./comparison-rows.js";
import { likelihoodColumns, withLikelihoodMetrics } from "./likelihood-rows.js";

function source(label: string, mc2: readonly number[]): RowSource {
  return {
    label,
    mode: "isara",
    round: 1,
    answers: mc2.map((v, i) => ({
      id: `q${i}`,
      prompt: "p",
      answer: "a",
      scores: { mc2: v, rougeL_diff: 0 },
    })),
    written: 0,
    accepted: 0,
    rejectedBy: {},
  };
}

function row(label: string): ComparisonRow {
  return {
    label,
    mode: "isara",
    round: 1,
    metrics: { rougeL_diff: 0 },
    written: 0,
    accepted: 0,
    rejectedBy: {},
  };
}

test("likelihood metrics come from the stored eval logs, with a paired interval against the base row", () => {
  const sources = [source("base", [0.2, 0.4, 0.6, 0.8]), source("round 1", [0.3, 0.5, 0.7, 0.9])];
  const rows = withLikelihoodMetrics(sources, [row("base"), row("round 1")]);
  assert.ok(Math.abs((rows[0]?.metrics.mc2 ?? 0) - 0.5) < 1e-12);
  assert.equal(rows[0]?.metrics.mc2_vs_base, undefined, "the base row has no difference to itself");
  const r1 = rows[1]?.metrics ?? {};
  assert.ok(Math.abs((r1.mc2_vs_base ?? 0) - 0.1) < 1e-12);
  assert.ok(
    Math.abs((r1.mc2_vs_base_low ?? 0) - 0.1) < 1e-12 && Math.abs((r1.mc2_vs_base_high ?? 0) - 0.1) < 1e-12,
  );
  assert.equal(r1.likelihood_acc, undefined);
  assert.deepEqual(
    likelihoodColumns(rows).map((c) => c.key),
    ["mc2", "mc2_vs_base", "mc2_vs_base_low", "mc2_vs_base_high"],
  );
});

test("runs without likelihood metrics keep their rows and get no columns", () => {
  const plain: RowSource = {
    ...source("base", []),
    answers: [{ id: "q", prompt: "p", answer: "a", scores: {} }],
  };
  const rows = withLikelihoodMetrics([plain], [row("base")]);
  assert.deepEqual(rows, [row("base")]);
  assert.deepEqual(likelihoodColumns(rows), []);
});
