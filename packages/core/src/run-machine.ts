/**
 * The run as a state machine: a pure reducer from (state, event) to the next state. Services report
 * what happened (a phase completed with its result, a failure, a cancellation); the reducer records it,
 * applies the stop rules and moves the cursor. Because it is pure and the state is plain JSON, the
 * embedded runner and the distributed controller share it, and a crash between steps loses nothing.
 */
import { z } from "zod";
import { IsaraError, isIsaraError } from "./errors.js";
import type { Phase } from "./run-modes.js";
import { emptyRoundRecord, type RoundRecord, type RunError, type RunState } from "./run-state.js";
import { errorCodeSchema, metricsSchema } from "./run-state-parse.js";
import { keptFractionRule, maxRoundsRule, metricHistory, noImprovementRule } from "./stop-rules.js";

const count = z.number().int().min(0);
const at = { type: z.literal("phase-completed"), round: count };

/** Validates events before they touch the state: they may arrive over a bus from another process. */
export const runEventSchema = z.discriminatedUnion("type", [
  z.discriminatedUnion("phase", [
    z.strictObject({ ...at, phase: z.literal("prompts"), written: count }),
    z.strictObject({ ...at, phase: z.literal("answers"), written: count }),
    z.strictObject({
      ...at,
      phase: z.literal("filter"),
      written: count,
      accepted: count,
      rejectedBy: z.record(z.string().min(1), count),
    }),
    z.strictObject({
      ...at,
      phase: z.literal("train"),
      adapter: z.string().min(1),
      finalLoss: z.number(),
      steps: count,
    }),
    z.strictObject({ ...at, phase: z.literal("evaluate"), metrics: metricsSchema }),
  ]),
  z.strictObject({
    type: z.literal("failed"),
    error: z.strictObject({ code: errorCodeSchema, message: z.string() }),
  }),
  z.strictObject({ type: z.literal("cancelled") }),
  z.strictObject({ type: z.literal("resumed") }),
]);

/**
 * What can happen to a run: a phase of the current round completed with its result, the run failed
 * (it keeps its position, so `resumed` retries the same step), or a person cancelled it.
 */
export type RunEvent = z.infer<typeof runEventSchema>;
/** A `phase-completed` event. */
export type PhaseCompleted = Extract<RunEvent, { type: "phase-completed" }>;

/**
 * The `failed` event for an error a step threw: an {@link IsaraError} keeps its code (so a retryable
 * `unavailable` stays distinguishable from an `invalid_argument`), anything else is `internal`.
 */
export function failedEvent(err: unknown): Extract<RunEvent, { type: "failed" }> {
  if (isIsaraError(err)) return { type: "failed", error: { code: err.code, message: err.message } };
  const message = err instanceof Error ? err.message : String(err);
  return { type: "failed", error: { code: "internal", message } };
}

/**
 * Applies `event` to `state` and returns the new state; `state` is not modified. Throws
 * `failed_precondition` for an event that does not fit: a phase that is not the current one (stale or
 * duplicated delivery), any event after `done` or `cancelled`, `failed` when not running, `resumed`
 * when not failed, anything but `cancelled` while queued. Throws `invalid_argument` for a malformed event (e.g. more accepted than written).
 */
export function advance(state: RunState, event: RunEvent): RunState {
  const parsed = runEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new IsaraError("invalid_argument", `run event is malformed: ${problems.join("; ")}`, problems);
  }
  const e = parsed.data;
  switch (e.type) {
    case "cancelled":
      if (state.status !== "running" && state.status !== "failed" && state.status !== "queued")
        throw refused(state, "cancelled");
      return { ...state, status: "cancelled", error: null };
    case "failed":
      if (state.status !== "running") throw refused(state, "failed");
      return { ...state, status: "failed", error: e.error satisfies RunError };
    case "resumed":
      if (state.status !== "failed") throw refused(state, "resumed");
      return { ...state, status: "running", error: null };
    case "phase-completed":
      return completePhase(state, e);
  }
}

/**
 * Starts a queued run (admission: the controller's tenant had room for it) at the step it was created
 * at; `state` is not modified. Admission is not a {@link RunEvent}: nothing happened to the run's work,
 * and `isara.run.events` carries only events. The embedded mode admits a queued state at once.
 * @throws IsaraError `failed_precondition` when the run is not queued.
 */
export function admitRun(state: RunState): RunState {
  if (state.status !== "queued") throw refused(state, "admitted");
  return { ...state, status: "running" };
}

function refused(state: RunState, event: string): IsaraError {
  const hint =
    state.status === "done" || state.status === "cancelled"
      ? "the run is over; start a new run to go on"
      : state.status === "failed"
        ? "resume the run first"
        : state.status === "queued"
          ? "the run waits for admission; it starts when its tenant has room, or cancel it"
          : event === "admitted"
            ? "only a queued run can be admitted"
            : "only a failed run can be resumed";
  return new IsaraError(
    "failed_precondition",
    `run ${state.runId} is ${state.status}; a "${event}" event does not apply (${hint})`,
    { runId: state.runId, status: state.status, event },
  );
}

function completePhase(state: RunState, e: PhaseCompleted): RunState {
  if (state.status !== "running") throw refused(state, `${e.phase}-completed`);
  if (e.round !== state.round || e.phase !== state.phase) {
    throw new IsaraError(
      "failed_precondition",
      `run ${state.runId} is at phase "${state.phase}" of round ${state.round}, but the event completes ` +
        `"${e.phase}" of round ${e.round}; the event is stale, duplicated or out of order`,
      {
        runId: state.runId,
        expected: { round: state.round, phase: state.phase },
        got: { round: e.round, phase: e.phase },
      },
    );
  }
  const record = withResult(recordOf(state), e);
  const rounds = state.rounds.map((r) => (r.round === state.round ? record : r));
  const next: RunState = { ...state, rounds };

  if (e.phase === "filter") {
    const reason = keptFractionRule(e, state.plan.stop);
    if (reason !== null) return { ...next, status: "done", stopReason: reason };
  }
  if (e.phase === "evaluate") {
    const reason = stopAfterEvaluation(next);
    if (reason !== null) return { ...next, status: "done", stopReason: reason };
  }
  return moveOn(next);
}

function recordOf(state: RunState): RoundRecord {
  const record = state.rounds[state.round];
  if (record === undefined)
    throw new IsaraError("internal", `run ${state.runId} has no record for round ${state.round}`);
  return record;
}

function withResult(record: RoundRecord, e: PhaseCompleted): RoundRecord {
  switch (e.phase) {
    case "prompts":
      return { ...record, prompts: { written: e.written } };
    case "answers":
      return { ...record, answers: { written: e.written } };
    case "filter":
      if (e.accepted > e.written) {
        throw new IsaraError(
          "invalid_argument",
          `filter of round ${e.round} reports ${e.accepted} accepted of ${e.written} written; accepted cannot exceed written`,
        );
      }
      return {
        ...record,
        filter: { written: e.written, accepted: e.accepted, rejectedBy: { ...e.rejectedBy } },
      };
    case "train":
      return { ...record, training: { adapter: e.adapter, finalLoss: e.finalLoss, steps: e.steps } };
    case "evaluate":
      return { ...record, metrics: { ...e.metrics } };
  }
}

/** Max rounds first (the plan is complete), then no improvement against the best round so far. */
function stopAfterEvaluation(state: RunState): string | null {
  const lastRound = state.plan.rounds.length - 1;
  const max = maxRoundsRule(state.round, lastRound);
  if (max !== null) return max;
  const { stop } = state.plan;
  if (stop.patience === 0) return null;
  const history = metricHistory(
    state.rounds.map((r) => r.metrics ?? {}),
    stop.metric,
  );
  return noImprovementRule(history, stop);
}

/** The next phase of the round, or the first phase of the next round (with a fresh record). */
function moveOn(state: RunState): RunState {
  const roundPlan = state.plan.rounds[state.round];
  const phases: readonly Phase[] = roundPlan?.phases ?? [];
  const nextPhase = phases[phases.indexOf(state.phase) + 1];
  if (nextPhase !== undefined) return { ...state, phase: nextPhase };
  const nextRound = state.plan.rounds[state.round + 1];
  const firstPhase = nextRound?.phases[0];
  if (nextRound === undefined || firstPhase === undefined) {
    return { ...state, status: "done", stopReason: maxRoundsRule(state.round, state.round) };
  }
  return {
    ...state,
    round: nextRound.round,
    phase: firstPhase,
    rounds: [...state.rounds, emptyRoundRecord(state.plan, nextRound.round)],
  };
}
