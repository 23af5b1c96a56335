import assert from "node:assert/strict";
import { test } from "node:test";
import { summaryTable, textTable } from "./summary-table.js";

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
