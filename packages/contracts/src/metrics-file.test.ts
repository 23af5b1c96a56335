import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ArtifactStore,
  advance,
  createRunState,
  domainConfigSchema,
  nextStep,
  qualityFigures,
  type RunEvent,
  type RunState,
} from "@isara/core";
import { metricsFile, metricsFileText, type RoundLog } from "./metrics-file.js";
import { loadRoundLogs } from "./round-logs.js";
import { loadRoundQualities, roundQualityText } from "./round-quality.js";
import { runArtifacts, runFolder } from "./run-folder.js";

/** An in-memory artifact store (test double for a run folder). */
function memoryStore(files: Record<string, string> = {}): ArtifactStore {
  const data = new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]));
  return {
    write: async (key, value) =>
      void data.set(key, typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value)),
    read: async (key) => data.get(key),
    exists: async (key) => data.has(key),
    locate: (key) => `/memory/${key}`,
  };
}

/** A one-round ISARA run driven to its end: round 0 evaluated, round 1 written, filtered, trained, evaluated. */
function finishedRun(): RunState {
  const config = domainConfigSchema.parse({ name: "myths", isara: { rounds: 1, promptsPerRound: 4 } });
  let state = createRunState({ runId: "run-1", config, mode: "isara" });
  for (;;) {
    const step = nextStep(state);
    if (step.type !== "phase") return state;
    const { round } = step;
    const events: Record<typeof step.phase, RunEvent> = {
      prompts: { type: "phase-completed", round, phase: "prompts", written: 4 },
      answers: { type: "phase-completed", round, phase: "answers", written: 4 },
      filter: {
        type: "phase-completed",
        round,
        phase: "filter",
        written: 4,
        accepted: 3,
        rejectedBy: { "min-words": 1 },
      },
      train: {
        type: "phase-completed",
        round,
        phase: "train",
        adapter: "round-1/train",
        finalLoss: 0.5,
        steps: 2,
      },
      evaluate: { type: "phase-completed", round, phase: "evaluate", metrics: { rougeL_diff: round / 10 } },
    };
    state = advance(state, events[step.phase]);
  }
}

const figures = (samples: number) =>
  qualityFigures(
    Array.from({ length: samples }, (_, i) => ({ prompt: `Question ${i}?`, response: `Answer ${i}.` })),
  );

test("metricsFile takes results from the state, timings and losses from the round logs, and each round's quality", () => {
  const state = finishedRun();
  const logs: RoundLog[] = [
    { phaseMs: { evaluate: 5 }, losses: [] },
    { phaseMs: { train: 9 }, losses: [1, 0.5] },
  ];
  const quality = { seeds: figures(8), candidates: figures(4), accepted: figures(3) };
  const file = metricsFile(state, logs, "model-x", [null, quality]);
  assert.equal(file.runId, "run-1");
  assert.equal(file.domain, "myths");
  assert.equal(file.mode, "isara");
  assert.equal(file.model, "model-x");
  assert.equal(file.status, state.status);
  assert.equal(file.stopReason, state.stopReason);
  assert.equal(file.rounds.length, 2);
  assert.deepEqual(file.rounds[0], {
    round: 0,
    metrics: { rougeL_diff: 0 },
    written: null,
    accepted: null,
    rejectedBy: null,
    learningRate: state.rounds[0]?.learningRate ?? null,
    finalLoss: null,
    phaseMs: { evaluate: 5 },
    losses: [],
    quality: null,
  });
  assert.deepEqual(file.rounds[1], {
    round: 1,
    metrics: { rougeL_diff: 0.1 },
    written: 4,
    accepted: 3,
    rejectedBy: { "min-words": 1 },
    learningRate: state.rounds[1]?.learningRate ?? null,
    finalLoss: 0.5,
    phaseMs: { train: 9 },
    losses: [1, 0.5],
    quality,
  });
  assert.deepEqual(metricsFile(state, [], "m").rounds[1]?.phaseMs, {}, "a round without a log has none");
});

test("metricsFileText is indented JSON with a trailing newline", () => {
  const file = metricsFile(finishedRun(), [], "m");
  assert.equal(metricsFileText(file), `${JSON.stringify(file, null, 2)}\n`);
});

test("loadRoundLogs reads back the logs metrics.json holds", async () => {
  const logs: RoundLog[] = [
    { phaseMs: { evaluate: 5 }, losses: [] },
    { phaseMs: { train: 9 }, losses: [1, 0.5] },
  ];
  const store = memoryStore();
  await store.write(runFolder.metrics, metricsFileText(metricsFile(finishedRun(), logs, "m")));
  assert.deepEqual(await loadRoundLogs(store), logs);
});

test("loadRoundLogs is empty for a new run and for a metrics.json that does not parse", async () => {
  assert.deepEqual(await loadRoundLogs(memoryStore()), []);
  assert.deepEqual(await loadRoundLogs(memoryStore({ [runFolder.metrics]: "{not json" })), []);
  assert.deepEqual(await loadRoundLogs(memoryStore({ [runFolder.metrics]: "{}" })), []);
});

test("metrics.json of a distributed run sits in the run's folder", () => {
  assert.equal(runArtifacts("run-1").metrics, `run-1/${runFolder.metrics}`);
});

test("loadRoundQualities reads each round's quality.json back, null where there is none or it does not parse", async () => {
  const quality = { seeds: figures(8), candidates: figures(4), accepted: figures(3) };
  const store = memoryStore({
    [runFolder.quality(1)]: roundQualityText(quality),
    [runFolder.quality(2)]: "{ not json",
  });
  assert.deepEqual(await loadRoundQualities(store, 3), [null, quality, null]);
  assert.ok(roundQualityText(quality).endsWith("}\n"));
});
