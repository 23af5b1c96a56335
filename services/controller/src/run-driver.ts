/**
 * Drives one run: the reconcile loop over core's state machine. For the run's current step it loads
 * the phase's progress, and when every slot has a result it builds core's `phase-completed` event,
 * writes the phase's outputs, publishes the `RunEvent`, saves the advanced state and goes on to the
 * next step, whose work it publishes. Everything here runs inside the run's queue task (see
 * reconciler.ts), so one run's state is never changed by two tasks at once.
 *
 * Crash safety comes from the order of effects, each idempotent: outputs, then the event (keyed
 * `<run>/<round>/<phase>`), then the state, then the next phase's work. A crash before the state is
 * saved repeats the same completion with the same event key; a crash after it is healed by the
 * restart, which publishes every active run's outstanding work again (workers are idempotent).
 */
import { roundWorkKey } from "@isara/contracts";
import {
  type ArtifactStore,
  admitRun,
  advance,
  type Clock,
  failedEvent,
  isIsaraError,
  nextStep,
  type RunEvent,
  type RunState,
  type RunStore,
} from "@isara/core";
import type { Logger } from "@isara/kit";
import type { AdapterReference } from "./model-ref.js";
import {
  classifyRow,
  completedEvent,
  missingSlots,
  newProgress,
  type PhaseProgress,
  type PhaseStep,
  recordRow,
} from "./phase-progress.js";
import type { IncomingFailure, IncomingRow } from "./result-intake.js";
import { type RunEntry, slotLog } from "./run-entry.js";
import { writePhaseOutputs, writeRunMetrics } from "./run-outputs.js";
import type { ControllerMetrics } from "./service-metrics.js";
import { type WorkInputs, workFor } from "./work-plan.js";
import { type Publish, runEventRecord, workRecord } from "./work-records.js";
import {
  isWindowed,
  markAnswered,
  markReleased,
  newWindow,
  slotsToRelease,
  stalledSlots,
  type WorkWindow,
} from "./work-window.js";

/** What the driver works with. */
export interface RunDriverDeps {
  readonly artifacts: ArtifactStore;
  readonly runStore: RunStore<RunState>;
  readonly publish: Publish;
  readonly clock: Clock;
  readonly adapterReference: AdapterReference;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
  /** Slots of one run in flight per per-slot stage at most (work-window.ts). */
  readonly workWindow: number;
  /** Told after every change of a run (a recorded slot, an advanced or failed state). */
  readonly onChange: (entry: RunEntry) => void;
}

/** How a result ended for the run it names. */
export type RowOutcome = "recorded" | "duplicate" | "stale" | "inactive";

/** The reconcile operations on one run (call them only from the run's queue task). */
export interface RunDriver {
  /**
   * Completes every phase whose results are all in and advances; publishes the current phase's
   * missing work when `republish` is set (a new run, or a run resumed after a restart), when a phase
   * just started, or when an earlier publish of it failed (`entry.workPending`).
   */
  drive(entry: RunEntry, republish: boolean): Promise<void>;
  /** Records a slot's result (durably, before returning) and drives the run on. */
  applyRow(entry: RunEntry, incoming: IncomingRow): Promise<RowOutcome>;
  /** Fails a running run with the reason; `inactive`/`stale` when it no longer applies. */
  applyFailure(entry: RunEntry, failure: IncomingFailure): Promise<"failed" | "stale" | "inactive">;
  /** Applies a `cancelled` event (the caller checked it applies) keyed by `requestId`. */
  cancel(entry: RunEntry, requestId: string): Promise<void>;
  /**
   * Starts a queued run (core's `admitRun`): saves it running, then publishes its first step's work
   * as for a new run. Admission is not published as a `RunEvent` (the topic has no variant for it).
   */
  admit(entry: RunEntry): Promise<void>;
  /**
   * Resumes a failed run (core's `resumed`, keyed `retry/<requestId>`) and publishes its current
   * step's missing work again, every missing slot counted as not in flight (the work released
   * before the failure may be dead-lettered or lost).
   */
  resume(entry: RunEntry, requestId: string): Promise<void>;
  /**
   * Publishes again the current phase's slots in flight for `timeoutMs` or longer without a result
   * (work lost on the way, or a worker that never answered); returns how many went out.
   */
  republishStalled(entry: RunEntry, timeoutMs: number): Promise<number>;
}

/** Makes the driver over its ports. */
export function createRunDriver(deps: RunDriverDeps): RunDriver {
  const { artifacts, runStore, publish, clock, metrics } = deps;

  async function progressOf(entry: RunEntry, step: PhaseStep): Promise<PhaseProgress> {
    const cached = entry.progress;
    if (cached !== undefined && cached.round === step.round && cached.phase === step.phase) return cached;
    const progress = newProgress(step);
    for (const row of await slotLog(artifacts, entry.state.runId, step.round, step.phase).read()) {
      try {
        // The log of `step.phase` holds that phase's rows (they were checked before they were appended).
        recordRow(progress, { phase: step.phase, row } as Parameters<typeof recordRow>[1]);
      } catch (err) {
        deps.logger.warn({ err, run: entry.state.runId, round: step.round }, "slot log row ignored");
      }
    }
    entry.progress = progress;
    if (progress.phase === "train") {
      const row = progress.rows.get(0);
      if (row !== undefined) entry.trainRows.set(step.round, row);
    }
    return progress;
  }

  async function inputsFor(entry: RunEntry, step: PhaseStep): Promise<WorkInputs> {
    const base: WorkInputs = {
      state: entry.state,
      config: entry.domain.config,
      seeds: entry.domain.seeds.length,
      baseModel: entry.record.baseModel,
      correlationId: entry.record.correlationId,
      adapterReference: deps.adapterReference,
      trainRows: entry.trainRows,
    };
    if (step.phase !== "answers") return base;
    // The round's prompts are final once its answers phase runs: read once per round, not at every
    // release (re-reading a 20,000-prompt log for each returned credit made the phase quadratic).
    if (entry.prompts?.round !== step.round) {
      const rows = await slotLog(artifacts, entry.state.runId, step.round, "prompts").read();
      entry.prompts = { round: step.round, bySlot: new Map(rows.map((p) => [p.slot, p])) };
    }
    return { ...base, prompts: entry.prompts.bySlot };
  }

  function contextOf(entry: RunEntry, round: number, correlationId = entry.record.correlationId) {
    return { run: entry.state.runId, domain: entry.state.domain, round, correlationId };
  }

  /** Publishes `event`, then saves and adopts the state it leads to. */
  async function commit(
    entry: RunEntry,
    event: RunEvent,
    next: RunState,
    key?: string,
    correlationId?: string,
  ) {
    const round = event.type === "phase-completed" ? event.round : entry.state.round;
    await publish([runEventRecord(event, contextOf(entry, round, correlationId), key)]);
    await runStore.save(entry.state.runId, next);
    entry.state = next;
  }

  /** Fails the run: publishes the `failed` event (keyed `key`), saves the state, tells watchers. */
  async function fail(
    entry: RunEntry,
    event: Extract<RunEvent, { type: "failed" }>,
    key: string,
  ): Promise<void> {
    const { state } = entry;
    await commit(entry, event, advance(state, event), key);
    await writeRunMetrics(artifacts, entry.state, {
      baseModel: entry.record.baseModel,
      trainRows: entry.trainRows,
    });
    deps.logger.error(
      {
        run: state.runId,
        round: state.round,
        phase: state.phase,
        code: event.error.code,
        reason: event.error.message,
      },
      "run failed",
    );
    deps.onChange(entry);
  }

  /** The window of `step`, new when the run moved on to another phase since the last release. */
  function windowOf(entry: RunEntry, step: PhaseStep): WorkWindow {
    const held = entry.window;
    if (held !== undefined && held.round === step.round && held.phase === step.phase) return held;
    entry.window = newWindow(step.round, step.phase);
    return entry.window;
  }

  /** Publishes `slots` of `step` (the phase's single message when it is not windowed). */
  async function publishSlots(entry: RunEntry, step: PhaseStep, slots: readonly number[]) {
    entry.workPending = true;
    const work = workFor(step, slots, await inputsFor(entry, step));
    await publish(work.map(workRecord));
    entry.workPending = false;
    metrics?.workPublished.inc({ phase: step.phase }, work.length);
    return work.length;
  }

  /**
   * Sends the phase's work that is due: for a windowed phase the missing slots the window has room
   * for (a credit returns with each result); for a one-message phase its message, when `publishWork`
   * says the phase just started or the run resumed, or an earlier publish failed.
   */
  async function release(entry: RunEntry, step: PhaseStep, progress: PhaseProgress, publishWork: boolean) {
    const missing = missingSlots(progress);
    const fresh = missing.length === progress.expected.length;
    let slots: readonly number[];
    let started: boolean;
    if (isWindowed(step.phase)) {
      const window = windowOf(entry, step);
      started = fresh && window.inFlight.size === 0;
      slots = slotsToRelease(window, missing, deps.workWindow);
      if (slots.length === 0) return;
      const messages = await publishSlots(entry, step, slots);
      markReleased(window, slots, clock.now());
      if (!started && !publishWork) return;
      deps.logger.info(
        { run: entry.state.runId, round: step.round, phase: step.phase, messages, window: deps.workWindow },
        started ? "phase started" : "outstanding work published again",
      );
    } else {
      if (!publishWork && !entry.workPending) return;
      started = fresh;
      const messages = await publishSlots(entry, step, missing);
      deps.logger.info(
        { run: entry.state.runId, round: step.round, phase: step.phase, messages },
        started ? "phase started" : "outstanding work published again",
      );
    }
    if (started) entry.phaseStartedAt = clock.now();
  }

  async function drive(entry: RunEntry, republish: boolean): Promise<void> {
    let publishWork = republish;
    for (;;) {
      const step = nextStep(entry.state);
      if (step.type !== "phase") return;
      const progress = await progressOf(entry, step);
      const event = completedEvent(progress);
      if (event === null) {
        await release(entry, step, progress, publishWork);
        return;
      }
      let next: RunState;
      try {
        next = advance(entry.state, event);
      } catch (err) {
        // The state machine refuses the phase's results (e.g. metrics without the stop metric): the
        // run fails with the reason instead of waiting forever on a completion that cannot apply.
        if (!isIsaraError(err) || err.retryable) throw err;
        await fail(
          entry,
          failedEvent(err),
          `${roundWorkKey(entry.state.runId, step.round, step.phase)}/refused`,
        );
        return;
      }
      await writePhaseOutputs(artifacts, entry.state.runId, progress);
      await commit(entry, event, next);
      const started = entry.phaseStartedAt;
      entry.phaseStartedAt = undefined;
      await writeRunMetrics(artifacts, entry.state, {
        baseModel: entry.record.baseModel,
        trainRows: entry.trainRows,
        ...(started === undefined
          ? {}
          : { phaseMs: { round: step.round, phase: step.phase, ms: clock.now() - started } }),
      });
      metrics?.phasesCompleted.inc({ phase: step.phase });
      deps.logger.info(
        { run: entry.state.runId, round: step.round, phase: step.phase, status: entry.state.status },
        entry.state.status === "done" ? `run done: ${entry.state.stopReason ?? ""}` : "phase completed",
      );
      deps.onChange(entry);
      publishWork = true;
    }
  }

  return {
    drive,
    async applyRow(entry, incoming) {
      const { state } = entry;
      if (state.status !== "running") return "inactive";
      if (incoming.context.round !== state.round || incoming.phase !== state.phase) {
        // A result of a phase already completed. When it is the redelivery of the result that completed
        // it, and the broker went away between the phase's event and the next phase's work, that
        // work is still pending: it goes out now (else no result would ever come to drive the run).
        if (entry.workPending) await drive(entry, false);
        return "stale";
      }
      const step = nextStep(state);
      if (step.type !== "phase") return "inactive";
      const progress = await progressOf(entry, step);
      if (classifyRow(progress, incoming) === "duplicate") {
        // The same result again: nothing to record, but a completion that failed half-way is retried.
        await drive(entry, false);
        return "duplicate";
      }
      await slotLog(artifacts, state.runId, state.round, incoming.phase).append(incoming.row);
      recordRow(progress, incoming);
      if (entry.window !== undefined) markAnswered(entry.window, incoming.row.slot);
      if (incoming.phase === "train") entry.trainRows.set(state.round, incoming.row);
      deps.onChange(entry);
      await drive(entry, false);
      return "recorded";
    },
    async applyFailure(entry, failure) {
      const { state } = entry;
      if (state.status !== "running") return "inactive";
      if (failure.round !== undefined && failure.round !== state.round) return "stale";
      const event: RunEvent = { type: "failed", error: failure.error };
      await commit(entry, event, advance(state, event), failure.key);
      await writeRunMetrics(artifacts, entry.state, {
        baseModel: entry.record.baseModel,
        trainRows: entry.trainRows,
      });
      deps.logger.error(
        { run: state.runId, round: state.round, phase: state.phase, reason: failure.error.message },
        "run failed",
      );
      deps.onChange(entry);
      return "failed";
    },
    async resume(entry, requestId) {
      const event: RunEvent = { type: "resumed" };
      await commit(entry, event, advance(entry.state, event), `retry/${requestId}`, requestId);
      entry.window = undefined;
      entry.workPending = true;
      deps.onChange(entry);
      await drive(entry, true);
    },
    async republishStalled(entry, timeoutMs) {
      const step = nextStep(entry.state);
      const window = entry.window;
      if (entry.state.status !== "running" || step.type !== "phase" || window === undefined) return 0;
      if (window.round !== step.round || window.phase !== step.phase) return 0;
      const slots = stalledSlots(window, clock.now(), timeoutMs);
      if (slots.length === 0) return 0;
      const messages = await publishSlots(entry, step, slots);
      markReleased(window, slots, clock.now());
      metrics?.stalledWork.inc({ phase: step.phase }, messages);
      deps.logger.warn(
        { run: entry.state.runId, round: step.round, phase: step.phase, messages, timeoutMs },
        "stalled work published again",
      );
      return messages;
    },
    async admit(entry) {
      const next = admitRun(entry.state);
      await runStore.save(entry.state.runId, next);
      entry.state = next;
      entry.window = undefined;
      deps.onChange(entry);
      await drive(entry, true);
    },
    async cancel(entry, requestId) {
      const event: RunEvent = { type: "cancelled" };
      await commit(entry, event, advance(entry.state, event), `cancel/${requestId}`, requestId);
      await writeRunMetrics(artifacts, entry.state, {
        baseModel: entry.record.baseModel,
        trainRows: entry.trainRows,
      });
      deps.onChange(entry);
    },
  };
}
