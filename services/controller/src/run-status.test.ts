import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode, Phase, RunLifecycle, RunMode } from "@isara/contracts";
import { advance, createRunState, domainConfigSchema } from "@isara/core";
import { tinyConfig } from "../testing/test-fixtures.js";
import { newProgress, recordRow } from "./phase-progress.js";
import { runStatusToWire } from "./run-status.js";

const config = domainConfigSchema.parse(tinyConfig("alpha"));

test("a running run shows its round, phase, plan and the progress of the phase in progress", () => {
  let state = createRunState({ runId: "run-a", config, mode: "isara" });
  state = advance(state, {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0.1 },
  });
  const progress = newProgress({ type: "phase", round: 1, phase: "prompts", count: 4 });
  recordRow(progress, {
    phase: "prompts",
    row: { slot: 0, prompt: "p", promptDemos: [], droppedDemos: 0, truncated: false, generatorModel: "m" },
  });
  const status = runStatusToWire(state, progress, 2);
  assert.equal(status.lifecycle, RunLifecycle.RUNNING);
  assert.equal(status.mode, RunMode.ISARA);
  assert.equal(status.round, 1);
  assert.equal(status.phase, Phase.PROMPTS);
  assert.equal(status.plannedRounds, 1);
  assert.deepEqual(status.progress, { done: 1, total: 4 });
  assert.deepEqual(status.rounds[0], {
    round: 0,
    learningRate: undefined,
    promptsWritten: undefined,
    answersWritten: undefined,
    filter: undefined,
    training: undefined,
    metrics: { values: { rougeL_diff: 0.1 } },
  });
  assert.equal(status.rounds[1]?.learningRate, config.training.learningRate);
});

test("a failed run carries its error; a done run its stop reason and no progress", () => {
  const state = createRunState({ runId: "run-a", config, mode: "base" });
  const failed = advance(state, { type: "failed", error: { code: "unavailable", message: "LLM down" } });
  const status = runStatusToWire(failed, undefined, 2);
  assert.equal(status.lifecycle, RunLifecycle.FAILED);
  assert.deepEqual(status.error, { code: ErrorCode.UNAVAILABLE, message: "LLM down" });
  const done = advance(state, {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0 },
  });
  const final = runStatusToWire(done, undefined, 2);
  assert.equal(final.lifecycle, RunLifecycle.DONE);
  assert.equal(final.progress, undefined);
  assert.equal(typeof final.stopReason, "string");
  assert.equal(final.error, undefined);
});

test("evaluation progress counts the eval questions once the result is in", () => {
  const state = createRunState({ runId: "run-a", config, mode: "isara" });
  const progress = newProgress({
    type: "phase",
    round: 0,
    phase: "evaluate",
    adapter: null,
    context: { kind: "zero-shot" },
  });
  assert.deepEqual(runStatusToWire(state, progress, 2).progress, { done: 0, total: 2 });
  recordRow(progress, { phase: "evaluate", row: { slot: 0, metrics: {}, items: 2, resultsKey: "k" } });
  assert.deepEqual(runStatusToWire(state, progress, 2).progress, { done: 2, total: 2 });
});

test("a queued run is QUEUED with its place in the queue; other runs have no place", () => {
  const queued = createRunState({ runId: "run-q", config, mode: "isara", queued: true });
  const wire = runStatusToWire(queued, undefined, 2, 3);
  assert.equal(wire.lifecycle, RunLifecycle.QUEUED);
  assert.equal(wire.queuePosition, 3);
  assert.deepEqual(wire.progress, { done: 0, total: 0 });
  const running = createRunState({ runId: "run-r", config, mode: "isara" });
  assert.equal(runStatusToWire(running, undefined, 2, 3).queuePosition, undefined);
});
