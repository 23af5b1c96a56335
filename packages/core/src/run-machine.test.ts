import assert from "node:assert/strict";
import { test } from "node:test";
import { domainConfigSchema } from "./domain.js";
import { IsaraError, isIsaraError } from "./errors.js";
import { admitRun, advance, failedEvent, type RunEvent } from "./run-machine.js";
import type { RunMode } from "./run-modes.js";
import { type NextStep, nextStep } from "./run-next-step.js";
import { baselineMetrics, createRunState, type RunState } from "./run-state.js";
import { parseRunState } from "./run-state-parse.js";

const config = domainConfigSchema.parse({
  name: "truthful",
  isara: { rounds: 3, promptsPerRound: 10 },
  stop: { metric: "score", patience: 1, minKeptFraction: 0.2 },
});

interface Outcome {
  /** Samples accepted by the filter of each round (of 10 written). */
  readonly accepted?: (round: number) => number;
  /** Value of the stop metric after each round. */
  readonly score?: (round: number) => number;
}

/** The event a well-behaved service sends after running `step`. */
function eventFor(step: NextStep, outcome: Outcome = {}): RunEvent {
  assert.equal(step.type, "phase", `expected a phase to run, got ${JSON.stringify(step)}`);
  if (step.type !== "phase") throw new Error("unreachable");
  const { round } = step;
  switch (step.phase) {
    case "prompts":
      return { type: "phase-completed", round, phase: "prompts", written: step.count };
    case "answers":
      return { type: "phase-completed", round, phase: "answers", written: step.count };
    case "filter": {
      const accepted = outcome.accepted?.(round) ?? 8;
      const rejectedBy = { "rouge-l": step.count - accepted };
      return { type: "phase-completed", round, phase: "filter", written: step.count, accepted, rejectedBy };
    }
    case "train":
      return {
        type: "phase-completed",
        round,
        phase: "train",
        adapter: `adapters/r${round}`,
        finalLoss: 1 / round,
        steps: 5,
      };
    case "evaluate":
      return {
        type: "phase-completed",
        round,
        phase: "evaluate",
        metrics: { score: outcome.score?.(round) ?? round },
      };
  }
}

/** Freezes a state deeply, so any attempt of the reducer to modify its input throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Runs the machine to the end, returning every state it passed through (the first included). */
function runToEnd(mode: RunMode, outcome: Outcome = {}): RunState[] {
  const states = [deepFreeze(createRunState({ runId: "run-1", config, mode }))];
  for (let last = states[0]; last?.status === "running"; last = states.at(-1)) {
    states.push(deepFreeze(advance(last, eventFor(nextStep(last), outcome))));
  }
  return states;
}

const trail = (states: RunState[]) => states.slice(0, -1).map((s) => `${s.round}:${s.phase}`);

test("isara: walks round 0's baseline, then every phase of every round, and ends at max rounds", () => {
  const states = runToEnd("isara");
  const full = ["prompts", "answers", "filter", "train", "evaluate"];
  assert.deepEqual(trail(states), ["0:evaluate", ...[1, 2, 3].flatMap((r) => full.map((p) => `${r}:${p}`))]);
  const end = states.at(-1);
  assert.equal(end?.status, "done");
  assert.equal(end?.stopReason, "max rounds reached: round 3 was the last of 3");
  assert.deepEqual(end && baselineMetrics(end), { score: 0 });
  assert.deepEqual(end?.rounds[2], {
    round: 2,
    learningRate: 1e-5,
    prompts: { written: 10 },
    answers: { written: 10 },
    filter: { written: 10, accepted: 8, rejectedBy: { "rouge-l": 2 } },
    training: { adapter: "adapters/r2", finalLoss: 0.5, steps: 5 },
    metrics: { score: 2 },
  });
});

test("each mode runs exactly the phases of its plan", () => {
  assert.deepEqual(trail(runToEnd("base")), ["0:evaluate"]);
  assert.deepEqual(trail(runToEnd("sft-seeds")), ["0:evaluate", "1:train", "1:evaluate"]);
  assert.deepEqual(trail(runToEnd("icl-knn")), ["0:evaluate", "1:evaluate"]);
  assert.deepEqual(trail(runToEnd("icl-random")), ["0:evaluate", "1:evaluate"]);
  assert.deepEqual(trail(runToEnd("one-shot")).slice(1), [
    "1:prompts",
    "1:answers",
    "1:filter",
    "1:train",
    "1:evaluate",
  ]);
  assert.equal(runToEnd("base").at(-1)?.status, "done");
});

test("a round whose kept fraction is under the floor stops the run right after filter, without training", () => {
  const states = runToEnd("isara", { accepted: (r) => (r === 2 ? 1 : 8) });
  const end = states.at(-1);
  assert.equal(end?.status, "done");
  assert.equal(`${end?.round}:${end?.phase}`, "2:filter");
  assert.equal(end?.rounds[2]?.training, null);
  assert.match(end?.stopReason ?? "", /^kept fraction too low: 1 of 10 .*did not train$/);
});

test("no improvement over the best round so far stops after the evaluation", () => {
  const states = runToEnd("isara", { score: (r) => [0.3, 0.5, 0.4, 0.9][r] ?? 0 });
  const end = states.at(-1);
  assert.equal(`${end?.round}:${end?.phase}`, "2:evaluate");
  assert.match(
    end?.stopReason ?? "",
    /^no improvement: "score" .* best 0.5 in round 1, latest 0.4 in round 2$/,
  );
});

test("a stop metric the evaluator does not report is refused at the baseline, before any generation", () => {
  const state = createRunState({ runId: "run-1", config, mode: "isara" });
  assert.throws(
    () => advance(state, { type: "phase-completed", round: 0, phase: "evaluate", metrics: { rougeL: 0.1 } }),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /stop.metric "score" is not among .*\(rougeL\)/.test(err.message),
  );
});

test("an event for a phase that is not current is refused as stale", () => {
  const state = createRunState({ runId: "run-1", config, mode: "isara" });
  assert.throws(
    () => advance(state, { type: "phase-completed", round: 1, phase: "prompts", written: 10 }),
    (err) =>
      isIsaraError(err, "failed_precondition") &&
      err.message ===
        'run run-1 is at phase "evaluate" of round 0, but the event completes "prompts" of round 1; the event is stale, duplicated or out of order',
  );
  const after = advance(state, eventFor(nextStep(state)));
  assert.throws(() => advance(after, eventFor(nextStep(state))), /stale, duplicated or out of order/);
});

test("events after done or cancelled are refused", () => {
  const done = runToEnd("base").at(-1);
  assert.ok(done);
  for (const event of [
    { type: "phase-completed", round: 0, phase: "evaluate", metrics: { score: 1 } },
    { type: "failed", error: { code: "internal", message: "x" } },
    { type: "cancelled" },
    { type: "resumed" },
  ] satisfies RunEvent[]) {
    assert.throws(
      () => advance(done, event),
      (err) => isIsaraError(err, "failed_precondition") && /is done; .*start a new run/.test(err.message),
    );
  }
  const cancelled = advance(createRunState({ runId: "r", config, mode: "isara" }), { type: "cancelled" });
  assert.equal(cancelled.status, "cancelled");
  assert.deepEqual(nextStep(cancelled), { type: "finished", status: "cancelled", stopReason: null });
  assert.throws(() => advance(cancelled, { type: "resumed" }), /is cancelled/);
});

test("a queued run waits without a step, refuses results, starts at its first step when admitted, and may be cancelled", () => {
  const running = createRunState({ runId: "r", config, mode: "isara" });
  const queued = createRunState({ runId: "r", config, mode: "isara", queued: true });
  assert.equal(queued.status, "queued");
  assert.deepEqual(nextStep(queued), { type: "queued" });
  assert.deepEqual(parseRunState(JSON.stringify(queued)), queued, "a queued state is saved and loaded");
  for (const event of [
    eventFor(nextStep(running)),
    { type: "failed", error: { code: "internal", message: "x" } },
    { type: "resumed" },
  ] satisfies RunEvent[]) {
    assert.throws(
      () => advance(queued, event),
      (err) =>
        isIsaraError(err, "failed_precondition") && /is queued; .*waits for admission/.test(err.message),
    );
  }
  const admitted = admitRun(queued);
  assert.deepEqual(admitted, running, "admission starts the run where a new run starts");
  assert.equal(queued.status, "queued", "the state is not modified");
  assert.throws(
    () => admitRun(admitted),
    (err) =>
      isIsaraError(err, "failed_precondition") && /only a queued run can be admitted/.test(err.message),
  );
  const cancelled = advance(queued, { type: "cancelled" });
  assert.equal(cancelled.status, "cancelled");
  assert.throws(() => admitRun(cancelled), /is cancelled/);
});

test("a failed run keeps its position, refuses phase results, and resumes at the same step", () => {
  const states = runToEnd("isara");
  const atTrain = states.find((s) => s.round === 1 && s.phase === "train");
  assert.ok(atTrain);
  const failed = advance(atTrain, {
    type: "failed",
    error: { code: "unavailable", message: "trainer down" },
  });
  assert.equal(failed.status, "failed");
  assert.deepEqual(nextStep(failed), {
    type: "failed",
    error: { code: "unavailable", message: "trainer down" },
  });
  assert.throws(() => advance(failed, eventFor(nextStep(atTrain))), /is failed; .*resume the run first/);
  assert.throws(
    () => advance(failed, { type: "failed", error: { code: "internal", message: "again" } }),
    /is failed/,
  );
  const resumed = advance(failed, { type: "resumed" });
  assert.equal(resumed.error, null);
  assert.deepEqual(nextStep(resumed), nextStep(atTrain));
  assert.throws(() => advance(resumed, { type: "resumed" }), /only a failed run can be resumed/);
  assert.equal(advance(failed, { type: "cancelled" }).status, "cancelled");
});

test("malformed events are refused with invalid_argument and leave the state untouched", () => {
  const states = runToEnd("isara");
  const atFilter = states.find((s) => s.phase === "filter");
  assert.ok(atFilter);
  const before = JSON.stringify(atFilter);
  const bad = {
    type: "phase-completed",
    round: 1,
    phase: "filter",
    written: 5,
    accepted: 6,
    rejectedBy: {},
  } as const;
  assert.throws(
    () => advance(atFilter, bad),
    (err) => isIsaraError(err, "invalid_argument") && /cannot exceed/.test(err.message),
  );
  const negative = {
    type: "phase-completed",
    round: 1,
    phase: "filter",
    written: -1,
    accepted: 0,
    rejectedBy: {},
  } as const;
  assert.throws(
    () => advance(atFilter, negative),
    (err) => isIsaraError(err, "invalid_argument") && /written/.test(err.message),
  );
  assert.equal(JSON.stringify(atFilter), before);
});

test("resume: from every step of a run, save → load → nextStep gives the same step", () => {
  for (const mode of ["isara", "sft-seeds", "icl-knn", "one-shot"] as const) {
    for (const state of runToEnd(mode)) {
      const loaded = parseRunState(JSON.stringify(state));
      assert.deepEqual(loaded, state);
      assert.deepEqual(nextStep(loaded), nextStep(state), `${mode} ${state.round}:${state.phase}`);
    }
  }
});

test("a thrown error becomes a failed event that keeps the IsaraError code", () => {
  assert.deepEqual(failedEvent(new IsaraError("unavailable", "trainer down")), {
    type: "failed",
    error: { code: "unavailable", message: "trainer down" },
  });
  assert.deepEqual(failedEvent(new TypeError("x is undefined")), {
    type: "failed",
    error: { code: "internal", message: "x is undefined" },
  });
  const failed = advance(createRunState({ runId: "r", config, mode: "base" }), failedEvent("disk full"));
  assert.deepEqual(failed.error, { code: "internal", message: "disk full" });
});
