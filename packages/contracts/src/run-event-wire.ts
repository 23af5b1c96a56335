/**
 * Core's `RunEvent` (the input of the run state machine) on the `isara.run.events` topic and back.
 * Lossless for every variant; the reading side validates with core's own `runEventSchema`, so an
 * event from another process is held to exactly the rules `advance` applies to local ones.
 */
import { type RunEvent as CoreRunEvent, IsaraError, runEventSchema } from "@isara/core";
import { errorInfoFromWire, errorInfoToWire } from "./error-code.js";
import type { RunContext } from "./gen/isara/v1/run_context.js";
import type { PhaseCompleted, RunEvent } from "./gen/isara/v1/topics.js";
import { roundWorkKey } from "./idempotency-keys.js";

/** A run event read from the wire: core's event with the context and key it travelled with. */
export interface RunEventEnvelope {
  /** Run, domain, round and correlation id the event travelled with. */
  readonly context: RunContext;
  /** The event's idempotency key (`<run>/<round>/<phase>` for a completed phase). */
  readonly idempotencyKey: string;
  /** The event, validated by core's `runEventSchema`, ready for `advance`. */
  readonly event: CoreRunEvent;
}

type CorePhaseCompleted = Extract<CoreRunEvent, { type: "phase-completed" }>;

function phaseResult(e: CorePhaseCompleted): PhaseCompleted["result"] {
  switch (e.phase) {
    case "prompts":
      return { $case: "prompts", value: { written: e.written } };
    case "answers":
      return { $case: "answers", value: { written: e.written } };
    case "filter":
      return {
        $case: "filter",
        value: { written: e.written, accepted: e.accepted, rejectedBy: { ...e.rejectedBy } },
      };
    case "train":
      return { $case: "train", value: { adapter: e.adapter, finalLoss: e.finalLoss, steps: e.steps } };
    case "evaluate":
      return { $case: "evaluate", value: { values: { ...e.metrics } } };
  }
}

/**
 * Core's event as a wire `RunEvent`. A phase-completed event gets its deterministic key
 * (`roundWorkKey`) unless one is given; the other events must be given one (the id of the request
 * that failed, cancelled or resumed the run), because nothing in them tells two of them apart.
 * @throws IsaraError `invalid_argument` when a failed, cancelled or resumed event has no key.
 */
export function runEventToWire(event: CoreRunEvent, context: RunContext, idempotencyKey?: string): RunEvent {
  if (event.type === "phase-completed") {
    return {
      context,
      idempotencyKey: idempotencyKey ?? roundWorkKey(context.run, event.round, event.phase),
      event: { $case: "phaseCompleted", value: { round: event.round, result: phaseResult(event) } },
    };
  }
  if (idempotencyKey === undefined || idempotencyKey === "") {
    throw new IsaraError(
      "invalid_argument",
      `a "${event.type}" run event needs an idempotency key; pass the id of the request that caused it`,
    );
  }
  switch (event.type) {
    case "failed":
      return {
        context,
        idempotencyKey,
        event: { $case: "failed", value: { error: errorInfoToWire(event.error) } },
      };
    case "cancelled":
      return { context, idempotencyKey, event: { $case: "cancelled", value: {} } };
    case "resumed":
      return { context, idempotencyKey, event: { $case: "resumed", value: {} } };
  }
}

function coreEvent(wire: RunEvent): unknown {
  const e = wire.event;
  switch (e?.$case) {
    case undefined:
      return undefined;
    case "failed":
      return { type: "failed", error: e.value.error && errorInfoFromWire(e.value.error) };
    case "cancelled":
      return { type: "cancelled" };
    case "resumed":
      return { type: "resumed" };
    case "phaseCompleted": {
      const at = { type: "phase-completed", round: e.value.round };
      const r = e.value.result;
      switch (r?.$case) {
        case undefined:
          return { ...at, phase: undefined };
        case "prompts":
        case "answers":
          return { ...at, phase: r.$case, written: r.value.written };
        case "filter":
          return { ...at, phase: "filter", ...r.value, rejectedBy: { ...r.value.rejectedBy } };
        case "train":
          return { ...at, phase: "train", ...r.value };
        case "evaluate":
          return { ...at, phase: "evaluate", metrics: { ...r.value.values } };
      }
    }
  }
}

/**
 * A wire `RunEvent` as core's event with its context and key.
 * @throws IsaraError `invalid_argument` when the event has no context, no key, no variant (e.g. a
 *   newer producer's variant this build does not know) or fails core's `runEventSchema`; such a
 *   message is poison and belongs on the dead-letter topic, not in the run state.
 */
export function runEventFromWire(wire: RunEvent): RunEventEnvelope {
  if (wire.context === undefined || wire.context.run === "") {
    throw new IsaraError("invalid_argument", "run event has no run context; set context.run to the run id");
  }
  if (wire.idempotencyKey === "") {
    throw new IsaraError("invalid_argument", `run event of run ${wire.context.run} has no idempotency key`);
  }
  const parsed = runEventSchema.safeParse(coreEvent(wire));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new IsaraError(
      "invalid_argument",
      `run event ${wire.idempotencyKey} of run ${wire.context.run} is malformed: ${problems.join("; ")}`,
      problems,
    );
  }
  return { context: wire.context, idempotencyKey: wire.idempotencyKey, event: parsed.data };
}
