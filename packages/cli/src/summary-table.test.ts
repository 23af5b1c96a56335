import assert from "node:assert/strict";
import { test } from "node:test";
import type { MetricsFile } from "@isara/contracts";
import type { QualityFigures } from "@isara/core";
import { qualityTable, summaryTable, textTable } from "./summary-table.js";

test("columns line up: text left, numbers right", () => {
  assert.equal(textTable(["a", "bb"], [["xyz", "1"]]), "a    bb\n---  --\nxyz   1");
});

test("the end-of-run table shows per round what was kept, why the rest went, and the metric", () => {
  const table = summaryTable({
    runId: "r",
    domain: "d",
    mode: "isara",
    status: "done",
    stopReason: null,
    rounds: [
      {
        round: 0,
        metrics: { rougeL_diff: -0.012, rougeL_acc: 0.25, answer_words: 31 },
        written: null,
        accepted: null,
        rejectedBy: null,
        learningRate: null,
        finalLoss: null,
        phaseMs: { evaluate: 4000 },
        losses: [],
        quality: null,
      },
      {
        round: 1,
        metrics: { rougeL_diff: 0.034, rougeL_acc: 0.5, answer_words: 14 },
        written: 64,
        accepted: 48,
        rejectedBy: { "rouge-l": 10, "min-words": 6, "exact-duplicate": 0 },
        learningRate: 2e-4,
        finalLoss: 1.234,
        phaseMs: { prompts: 60_000, train: 65_000 },
        losses: [2, 1.234],
        quality: null,
      },
    ],
  });
  const [header, , r0, r1] = table.split("\n");
  assert.match(
    header ?? "",
    /round\s+written\s+accepted\s+kept\s+rejected by\s+loss\s+ROUGE-L diff x100\s+acc %\s+words\s+time/,
  );
  assert.match(r0 ?? "", /^0\s+–\s+–\s+–\s+–\s+–\s+-1\.20\s+25\.0\s+31\.0\s+4s$/);
  assert.match(
    r1 ?? "",
    /^1\s+64\s+48\s+75%\s+rouge-l:10 min-words:6\s+1\.234\s+3\.40\s+50\.0\s+14\.0\s+2m05s$/,
  );
});

const figures = (over: Partial<QualityFigures>): QualityFigures => ({
  samples: 10,
  roleLeak: 0,
  capsGibberish: 0,
  unfinished: 0,
  distinct1: 0.5,
  distinct2: 0.8,
  nonWordRate: 0,
  answerWords: 12,
  lengthRatio: 1,
  relevance: 0.5,
  nearDuplicateInSet: 0,
  nearDuplicateEarlier: 0,
  ...over,
});

test("the quality table shows the seeds once, then each filtered round's candidates and accepted set", () => {
  const round = (r: number, quality: MetricsFile["rounds"][number]["quality"]) => ({
    round: r,
    metrics: null,
    written: null,
    accepted: null,
    rejectedBy: null,
    learningRate: null,
    finalLoss: null,
    phaseMs: {},
    losses: [],
    quality,
  });
  const metrics: MetricsFile = {
    runId: "r",
    domain: "d",
    mode: "isara",
    status: "done",
    stopReason: null,
    rounds: [
      round(0, null),
      round(1, {
        seeds: figures({ samples: 64 }),
        candidates: figures({ samples: 24, roleLeak: 0.25, unfinished: 0.833 }),
        accepted: figures({ samples: 12, lengthRatio: null }),
      }),
    ],
  };
  const lines = (qualityTable(metrics) ?? "").split("\n");
  assert.match(
    lines[0] ?? "",
    /^round\s+set\s+samples\s+role leak\s+caps\s+unfinished\s+non-words\s+distinct-2/,
  );
  assert.match(lines[2] ?? "", /^–\s+seeds\s+64\s+0\.0%/);
  assert.match(lines[3] ?? "", /^1\s+candidates\s+24\s+25\.0%\s+0\.0%\s+83\.3%/);
  assert.match(lines[4] ?? "", /^1\s+accepted\s+12\s.*–$/, "a figure without its reference prints as –");
  assert.equal(qualityTable({ ...metrics, rounds: [round(0, null)] }), null, "nothing filtered, no table");
});
