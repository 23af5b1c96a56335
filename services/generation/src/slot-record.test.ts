import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { AnswerWork, PromptWork } from "@isara/contracts";
import { isIsaraError, slotSettings } from "@isara/core";
import { FsArtifactStore } from "@isara/store-fs";
import { FIXTURE_CONFIG, fixtureAnswerWork, fixturePromptWork } from "../testing/slot-fixture.js";
import { type AnswerJob, type PromptJob, parseAnswerWork, parsePromptWork } from "./generation-job.js";
import { type PromptResult, readSlotRecord, slotRecordKey, writeSlotRecord } from "./slot-record.js";

/** The job of `work` with the fixture run's settings, as the handler makes it. */
function promptJob(work: PromptWork): PromptJob {
  const { sampling, budgetTokens } = slotSettings(FIXTURE_CONFIG, "prompt");
  return { ...parsePromptWork(work), sampling, promptBudgetTokens: budgetTokens };
}

/** The job of `work` with the fixture run's settings, as the handler makes it. */
function answerJob(work: AnswerWork): AnswerJob {
  const { sampling, budgetTokens } = slotSettings(FIXTURE_CONFIG, "answer");
  return { ...parseAnswerWork(work), sampling, promptBudgetTokens: budgetTokens };
}

let dir: string;
let artifacts: FsArtifactStore;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-slot-record-"));
  artifacts = new FsArtifactStore({ root: dir });
});
after(() => rm(dir, { recursive: true, force: true }));

const result: PromptResult = {
  prompt: "Is a box in the world?",
  promptDemos: [{ id: "d1", setIndex: 0, score: null }],
  droppedDemos: 1,
  truncated: false,
  generatorModel: "tiny",
};

test("records live below the run's folder, one file per stage and slot", () => {
  assert.equal(slotRecordKey("run-1", 2, "prompts", 17), "run-1/round-2/prompts/17.json");
  assert.equal(slotRecordKey("run-1", 2, "answers", 0), "run-1/round-2/answers/0.json");
  assert.throws(
    () => slotRecordKey("../x", 1, "prompts", 0),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
});

test("a written record answers the same work, and only that work", async () => {
  const job = promptJob(fixturePromptWork("run-1", 3));
  assert.equal(await readSlotRecord(artifacts, job), undefined);
  await writeSlotRecord(artifacts, job, result);
  assert.deepEqual(await readSlotRecord(artifacts, job), result);
  const other = promptJob({ ...fixturePromptWork("run-1", 3), demoSeed: 999 });
  await assert.rejects(readSlotRecord(artifacts, other), (err: unknown) => isIsaraError(err, "conflict"));
  const answer = answerJob(fixtureAnswerWork("run-1", 3, "Is a box in the world?", []));
  assert.equal(
    await readSlotRecord(artifacts, answer),
    undefined,
    "the answer of a slot has a record of its own",
  );
});

test("a damaged record counts as none, so the slot is written again", async () => {
  const job = promptJob(fixturePromptWork("run-1", 4));
  await artifacts.write(slotRecordKey("run-1", 1, "prompts", 4), "{ half a rec");
  assert.equal(await readSlotRecord(artifacts, job), undefined);
});
