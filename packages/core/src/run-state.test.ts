import assert from "node:assert/strict";
import { test } from "node:test";
import { domainConfigSchema } from "./domain.js";
import { isIsaraError } from "./errors.js";
import { advance } from "./run-machine.js";
import { baselineMetrics, createRunState, RUN_STATE_SCHEMA_VERSION } from "./run-state.js";
import { parseRunState } from "./run-state-parse.js";

const config = domainConfigSchema.parse({ name: "truthful", isara: { rounds: 2 } });
const fresh = () => createRunState({ runId: "run-7", config, mode: "isara" });

test("a new run is running at round 0's evaluation, with its plan frozen in the state", () => {
  const s = fresh();
  assert.equal(s.schemaVersion, RUN_STATE_SCHEMA_VERSION);
  assert.equal(s.domain, "truthful");
  assert.equal(s.status, "running");
  assert.equal(`${s.round}:${s.phase}`, "0:evaluate");
  assert.equal(s.plan.rounds.length, 3);
  assert.deepEqual(s.rounds, [
    {
      round: 0,
      learningRate: null,
      prompts: null,
      answers: null,
      filter: null,
      training: null,
      metrics: null,
    },
  ]);
  assert.equal(baselineMetrics(s), null);
  assert.deepEqual(
    baselineMetrics(
      advance(s, { type: "phase-completed", round: 0, phase: "evaluate", metrics: { rougeL_diff: 0.3 } }),
    ),
    {
      rougeL_diff: 0.3,
    },
  );
});

test("an empty run id is refused", () => {
  assert.throws(
    () => createRunState({ runId: " ", config, mode: "base" }),
    (err) => isIsaraError(err, "invalid_argument"),
  );
});

test("parseRunState accepts the object or its JSON text", () => {
  const s = fresh();
  assert.deepEqual(parseRunState(s), s);
  assert.deepEqual(parseRunState(JSON.stringify(s)), s);
});

test("unknown or missing schema versions are refused with a clear message", () => {
  assert.throws(
    () => parseRunState({ ...fresh(), schemaVersion: 2 }),
    (err) =>
      isIsaraError(err, "failed_precondition") &&
      err.message ===
        "run state has schemaVersion 2, but this version of ISARA reads only schemaVersion 1; resume it with the ISARA version that wrote it, or start a new run",
  );
  const { schemaVersion: _, ...unversioned } = fresh();
  assert.throws(() => parseRunState(unversioned), /schemaVersion \(missing\)/);
});

test("text that is not JSON, or not an object, is refused", () => {
  assert.throws(
    () => parseRunState("{oops"),
    (err) => isIsaraError(err, "invalid_argument") && /not valid JSON/.test(err.message),
  );
  assert.throws(() => parseRunState([]), /must be a JSON object with a schemaVersion/);
});

test("malformed fields are listed with their paths", () => {
  const bad = { ...fresh(), status: "paused", round: -1, extra: true };
  assert.throws(
    () => parseRunState(bad),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /run state is malformed: /.test(err.message) &&
      /status: /.test(err.message) &&
      /round: /.test(err.message) &&
      /extra/.test(err.message),
  );
});

test("a queued state with results is refused: a queued run has not started", () => {
  const queued = createRunState({ runId: "run-7", config, mode: "isara", queued: true });
  const started = advance(
    { ...queued, status: "running" },
    {
      type: "phase-completed",
      round: 0,
      phase: "evaluate",
      metrics: { rougeL_diff: 0.1 },
    },
  );
  assert.throws(
    () => parseRunState({ ...started, status: "queued" }),
    (err) =>
      isIsaraError(err, "invalid_argument") && /status is queued but the run has results/.test(err.message),
  );
  assert.equal(parseRunState(queued).status, "queued");
});

test("states whose cursor, plan and records disagree are refused", () => {
  const s = fresh();
  assert.throws(
    () => parseRunState({ ...s, phase: "train" }),
    /phase "train" is not in round 0's plan \(evaluate\)/,
  );
  assert.throws(
    () => parseRunState({ ...s, round: 1, phase: "prompts" }),
    /rounds has 1 records, expected 2 for round 1/,
  );
  assert.throws(() => parseRunState({ ...s, status: "failed" }), /status is failed but error is null/);
  assert.throws(() => parseRunState({ ...s, status: "done" }), /status is done but stopReason is null/);
  assert.throws(() => parseRunState({ ...s, mode: "base" }), /plan.mode "isara" differs from mode "base"/);
  const skipped = { ...s, round: 1, phase: "answers", rounds: [s.rounds[0], { ...s.rounds[0], round: 1 }] };
  assert.throws(() => parseRunState(skipped), /round 1 is past "prompts" but has no result for it/);
  const plan = { ...s.plan, rounds: [s.plan.rounds[0], { ...s.plan.rounds[1], training: null }] };
  assert.throws(
    () => parseRunState({ ...s, plan }),
    /plan.rounds\[1\] must have training parameters exactly when it has a train phase/,
  );
});
