import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ErrorCode, Phase, RunLifecycle, RunMode, type RunStatus } from "@isara/contracts";
import {
  latestMetric,
  mergeDomainConfig,
  phaseName,
  refusedStatus,
  sampleCounts,
  setCondition,
  statusFromRun,
} from "./alignment-run.js";

function run(over: Partial<RunStatus> = {}): RunStatus {
  return {
    runId: "misconceptions-isara",
    domain: "misconceptions",
    mode: RunMode.ISARA,
    lifecycle: RunLifecycle.RUNNING,
    round: 1,
    phase: Phase.TRAIN,
    plannedRounds: 2,
    progress: undefined,
    rounds: [
      { round: 0, filter: undefined, training: undefined, metrics: { values: { rougeL_diff: -0.02 } } },
      {
        round: 1,
        filter: { written: 10, accepted: 7, rejectedBy: { rouge: 3 } },
        training: undefined,
        metrics: undefined,
      },
    ],
    stopReason: undefined,
    error: undefined,
    ...over,
  };
}

describe("mergeDomainConfig", () => {
  test("the spec's settings replace the domain's, key by key; the rest of domain.json stays", () => {
    const config = JSON.stringify({
      name: "d",
      description: "x",
      isara: { rounds: 3, demos: 8 },
      training: { epochs: 2, learningRate: 0.001 },
    });
    const merged = JSON.parse(
      mergeDomainConfig(config, {
        domain: { name: "d" },
        isara: { rounds: 1 },
        trainer: { epochs: 1 },
        stop: { patience: 0 },
      }),
    );
    assert.deepEqual(merged, {
      name: "d",
      description: "x",
      isara: { rounds: 1, demos: 8 },
      training: { epochs: 1, learningRate: 0.001 },
      stop: { patience: 0 },
    });
  });

  test("a spec without settings leaves domain.json as it was (re-indented)", () => {
    const config = '{"name":"d","isara":{"rounds":2}}';
    assert.deepEqual(JSON.parse(mergeDomainConfig(config, { domain: { name: "d" } })), JSON.parse(config));
  });

  test("domain.json that is not JSON is a SyntaxError for the caller to name", () => {
    assert.throws(() => mergeDomainConfig("{", { domain: { name: "d" } }), SyntaxError);
  });
});

describe("status of an AlignmentRun", () => {
  test("phases read as a person says them", () => {
    assert.equal(phaseName(run({ phase: Phase.PROMPTS })), "Generating");
    assert.equal(phaseName(run({ phase: Phase.ANSWERS })), "Generating");
    assert.equal(phaseName(run({ phase: Phase.FILTER })), "Filtering");
    assert.equal(phaseName(run({ phase: Phase.TRAIN })), "Training");
    assert.equal(phaseName(run({ phase: Phase.EVALUATE })), "Evaluating");
    assert.equal(phaseName(run({ lifecycle: RunLifecycle.DONE })), "Succeeded");
    assert.equal(phaseName(run({ lifecycle: RunLifecycle.FAILED })), "Failed");
    assert.equal(phaseName(run({ lifecycle: RunLifecycle.CANCELLED })), "Cancelled");
  });

  test("counts add up over rounds; a round not yet filtered counts nothing", () => {
    assert.deepEqual(sampleCounts(run()), { accepted: 7, rejected: 3 });
  });

  test("the latest metric is the newest round that reported the stop metric", () => {
    assert.deepEqual(latestMetric(run(), "rougeL_diff"), { name: "rougeL_diff", value: -0.02, round: 0 });
    assert.equal(latestMetric(run(), "bleu_diff"), undefined);
  });

  test("a running run: phase, round, counts, metric, Created true, Succeeded and Failed false", () => {
    const status = statusFromRun(run(), {
      generation: 1,
      metric: "rougeL_diff",
      previous: undefined,
      now: "2026-01-01T00:00:00Z",
    });
    assert.equal(status.phase, "Training");
    assert.equal(status.round, 1);
    assert.equal(status.plannedRounds, 2);
    assert.equal(status.accepted, 7);
    assert.equal(status.rejected, 3);
    assert.equal(status.observedGeneration, 1);
    assert.deepEqual(
      status.conditions?.map((c) => [c.type, c.status]),
      [
        ["Created", "True"],
        ["Succeeded", "False"],
        ["Failed", "False"],
      ],
    );
  });

  test("a failed run says why in its message and its Failed condition; transition times move only on change", () => {
    const first = statusFromRun(run(), {
      generation: 1,
      metric: "rougeL_diff",
      previous: undefined,
      now: "2026-01-01T00:00:00Z",
    });
    const failed = statusFromRun(
      run({
        lifecycle: RunLifecycle.FAILED,
        error: { code: ErrorCode.UNAVAILABLE, message: "the trainer Job failed: OOMKilled" },
      }),
      { generation: 1, metric: "rougeL_diff", previous: first, now: "2026-01-01T01:00:00Z" },
    );
    assert.equal(failed.phase, "Failed");
    assert.match(failed.message ?? "", /OOMKilled/);
    const byType = new Map(failed.conditions?.map((c) => [c.type, c]));
    assert.equal(byType.get("Failed")?.status, "True");
    assert.equal(byType.get("Failed")?.lastTransitionTime, "2026-01-01T01:00:00Z");
    assert.equal(byType.get("Created")?.lastTransitionTime, "2026-01-01T00:00:00Z");
  });

  test("a refused spec: phase Failed, Created false with the reason and the fix", () => {
    const status = refusedStatus("DomainNotFound", "ConfigMap default/x does not exist; create it", {
      generation: 1,
      previous: undefined,
      now: "2026-01-01T00:00:00Z",
    });
    assert.equal(status.phase, "Failed");
    assert.deepEqual(status.conditions?.[0]?.reason, "DomainNotFound");
    assert.equal(status.conditions?.[0]?.status, "False");
  });

  test("a queued run is phase Queued with its place in its tenant's queue; it loses both once it starts", () => {
    const queued = run({
      lifecycle: RunLifecycle.QUEUED,
      round: 0,
      phase: Phase.EVALUATE,
      rounds: [{ round: 0, filter: undefined, training: undefined, metrics: undefined }],
      queuePosition: 2,
    });
    assert.equal(phaseName(queued), "Queued");
    const status = statusFromRun(queued, {
      generation: 1,
      metric: "rougeL_diff",
      previous: undefined,
      now: "2026-01-01T00:00:00Z",
    });
    assert.equal(status.phase, "Queued");
    assert.equal(status.queuePosition, 2);
    assert.match(status.message ?? "", /waiting in its tenant's queue \(position 2\)/);
    const created = status.conditions?.find((c) => c.type === "Created");
    assert.equal(created?.status, "True", "the run exists; it waits");
    assert.equal(status.conditions?.find((c) => c.type === "Failed")?.status, "False");

    const started = statusFromRun(
      { ...queued, lifecycle: RunLifecycle.RUNNING, queuePosition: undefined },
      { generation: 1, metric: "rougeL_diff", previous: status, now: "2026-01-01T00:05:00Z" },
    );
    assert.equal(started.phase, "Evaluating");
    assert.equal(started.queuePosition, undefined);
    assert.equal(started.message, undefined);
    // Even should a status of a running run carry a place, only a Queued phase shows it.
    assert.equal(
      statusFromRun(run({ queuePosition: 1 }), {
        generation: 1,
        metric: "rougeL_diff",
        previous: undefined,
        now: "2026-01-01T00:00:00Z",
      }).queuePosition,
      undefined,
    );
  });

  test("a full queue leaves the resource Pending (it is tried again), not Failed", () => {
    const status = refusedStatus("QueueFull", "the queue is full", {
      generation: 1,
      previous: undefined,
      now: "2026-01-01T00:00:00Z",
      phase: "Pending",
    });
    assert.equal(status.phase, "Pending");
    assert.equal(status.conditions?.[0]?.reason, "QueueFull");
  });

  test("setCondition replaces by type and keeps the others", () => {
    const a = { type: "A", status: "True" as const, lastTransitionTime: "t0", reason: "r", message: "m" };
    const b = { type: "B", status: "False" as const, lastTransitionTime: "t0", reason: "r", message: "m" };
    const next = setCondition([a, b], { ...b, status: "True", lastTransitionTime: "t1" });
    assert.deepEqual(next, [a, { ...b, status: "True", lastTransitionTime: "t1" }]);
  });
});
