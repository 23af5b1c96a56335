import assert from "node:assert/strict";
import { test } from "node:test";
import { IsaraError } from "@isara/core";
import { checkRunId, completionKey, PARTIAL, runArtifacts, runFolder } from "./run-folder.js";

/**
 * Every path of the layout, as existing run folders hold them: an embedded run folder (keys relative
 * to it) and a distributed run's folder (the same under `<run>/`). A key that moves breaks every run
 * folder already written.
 */
const LAYOUT: readonly [string, (k: typeof runFolder) => string][] = [
  ["state.json", (k) => k.state],
  ["domain/domain.json", (k) => k.domainConfig],
  ["domain/seeds.jsonl", (k) => k.domainSeeds],
  ["domain/eval.jsonl", (k) => k.domainEval],
  ["vectors", (k) => k.vectors],
  ["round-1/prompts.jsonl", (k) => k.prompts(1)],
  ["round-2/prompts/7.json", (k) => k.slotRecord(2, "prompts", 7)],
  ["round-2/answers/0.json", (k) => k.slotRecord(2, "answers", 0)],
  ["round-1/candidates.jsonl", (k) => k.candidates(1)],
  ["round-3/accepted.jsonl", (k) => k.accepted(3)],
  ["round-3/rejected.jsonl", (k) => k.rejected(3)],
  ["round-2/train", (k) => k.trainDir(2)],
  ["round-2/train/dataset.jsonl", (k) => k.trainDataset(2)],
  ["round-2/train/result.json", (k) => k.trainResult(2)],
  ["round-0/eval.jsonl", (k) => k.evalResults(0)],
  ["metrics.json", (k) => k.metrics],
  ["report/report.md", (k) => k.report("report.md")],
];

test("runFolder keeps every artifact where embedded run folders hold it", () => {
  assert.equal(runFolder.root, "");
  for (const [path, key] of LAYOUT) assert.equal(key(runFolder), path);
  assert.equal(`${runFolder.prompts(1)}${PARTIAL}`, "round-1/prompts.jsonl.partial");
});

test("runArtifacts is the same layout under <run>/", () => {
  const keys = runArtifacts("run-a");
  assert.equal(keys.root, "run-a/");
  for (const [path, key] of LAYOUT) assert.equal(key(keys), `run-a/${path}`);
});

test("completionKey names the record written after the results", () => {
  assert.equal(completionKey(runArtifacts("r1").evalResults(2)), "r1/round-2/eval.jsonl.done.json");
});

test("checkRunId accepts folder-safe ids and refuses ids that name another folder or none", () => {
  for (const ok of ["r", "run-1", "A_b.c-9", "x".repeat(128)]) assert.equal(checkRunId(ok), ok);
  for (const bad of ["", ".hidden", "a/b", "../up", "a b", "x".repeat(129)]) {
    assert.throws(
      () => runArtifacts(bad),
      (err: unknown) => err instanceof IsaraError && err.code === "invalid_argument",
      bad,
    );
  }
});
