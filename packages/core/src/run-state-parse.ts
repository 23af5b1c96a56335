/**
 * Loading a saved run state: schema validation of every field plus the invariants between the
 * cursor, the plan and the round records. A state that fails here is refused rather than repaired,
 * because resuming from a wrong position would redo work or skip it.
 */
import { z } from "zod";
import { stopSettingsSchema } from "./domain.js";
import { ERROR_CODES, IsaraError } from "./errors.js";
import { PHASES, type Phase, phaseSchema, type RoundPlan, runModeSchema } from "./run-modes.js";
import { hasPhaseResult, type RoundRecord, RUN_STATE_SCHEMA_VERSION, type RunState } from "./run-state.js";

/** Validates an error code carried in state and events. */
export const errorCodeSchema = z.enum(ERROR_CODES);

const count = z.number().int().min(0);
/** Metrics of an evaluation: finite numbers by name. */
export const metricsSchema = z.record(z.string().min(1), z.number());

const evalContextSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("zero-shot") }),
  z.strictObject({
    kind: z.literal("icl"),
    selection: z.enum(["knn", "random"]),
    demos: z.number().int().min(1),
  }),
]);

const roundPlanSchema = z.strictObject({
  round: count,
  phases: z.array(phaseSchema).min(1),
  prompts: count,
  training: z
    .strictObject({
      learningRate: z.number().gt(0),
      epochs: z.number().int().min(1),
      data: z.enum(["seeds", "seeds+round"]),
    })
    .nullable(),
  evaluation: evalContextSchema,
});

const roundRecordSchema = z.strictObject({
  round: count,
  learningRate: z.number().gt(0).nullable(),
  prompts: z.strictObject({ written: count }).nullable(),
  answers: z.strictObject({ written: count }).nullable(),
  filter: z
    .strictObject({ written: count, accepted: count, rejectedBy: z.record(z.string(), count) })
    .nullable(),
  training: z.strictObject({ adapter: z.string().min(1), finalLoss: z.number(), steps: count }).nullable(),
  metrics: metricsSchema.nullable(),
});

const runStateSchema = z.strictObject({
  schemaVersion: z.literal(RUN_STATE_SCHEMA_VERSION),
  runId: z.string().min(1),
  domain: z.string().min(1),
  mode: runModeSchema,
  plan: z.strictObject({
    mode: runModeSchema,
    rounds: z.array(roundPlanSchema).min(1),
    stop: stopSettingsSchema,
  }),
  status: z.enum(["queued", "running", "done", "failed", "cancelled"]),
  round: count,
  phase: phaseSchema,
  rounds: z.array(roundRecordSchema).min(1),
  stopReason: z.string().min(1).nullable(),
  error: z.strictObject({ code: errorCodeSchema, message: z.string() }).nullable(),
});

/**
 * Validates a loaded run state (an object, or its JSON text). Throws `failed_precondition` for a
 * schema version this code does not know, and `invalid_argument` listing every problem for a state
 * that is malformed or inconsistent, because resuming from a wrong state would redo or skip work.
 */
export function parseRunState(json: unknown): RunState {
  let value = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new IsaraError("invalid_argument", `run state is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new IsaraError("invalid_argument", "run state must be a JSON object with a schemaVersion");
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== RUN_STATE_SCHEMA_VERSION) {
    throw new IsaraError(
      "failed_precondition",
      `run state has schemaVersion ${JSON.stringify(version) ?? "(missing)"}, but this version of ISARA reads only ` +
        `schemaVersion ${RUN_STATE_SCHEMA_VERSION}; resume it with the ISARA version that wrote it, or start a new run`,
      { schemaVersion: version, supported: [RUN_STATE_SCHEMA_VERSION] },
    );
  }
  const parsed = runStateSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new IsaraError("invalid_argument", `run state is malformed: ${problems.join("; ")}`, problems);
  }
  const problems = consistencyProblems(parsed.data);
  if (problems.length > 0) {
    throw new IsaraError("invalid_argument", `run state is inconsistent: ${problems.join("; ")}`, problems);
  }
  return parsed.data;
}

/** A round plan runs its phases in order, ends with `evaluate`, and trains exactly when it has training parameters. */
function roundPlanProblems(plan: RoundPlan, index: number): string[] {
  const where = `plan.rounds[${index}]`;
  const problems: string[] = [];
  if (plan.round !== index) problems.push(`${where}.round is ${plan.round}, expected ${index}`);
  const order = plan.phases.map((p) => PHASES.indexOf(p));
  if (order.some((o, i) => i > 0 && o <= (order[i - 1] ?? -1)) || plan.phases.at(-1) !== "evaluate") {
    problems.push(
      `${where}.phases (${plan.phases.join(", ")}) must follow ${PHASES.join(", ")} and end with evaluate`,
    );
  }
  const has = (p: Phase) => plan.phases.includes(p);
  if ((has("answers") && !has("prompts")) || (has("filter") && !has("answers"))) {
    problems.push(
      `${where}.phases (${plan.phases.join(", ")}) answer or filter prompts that no phase writes`,
    );
  }
  if (has("train") !== (plan.training !== null)) {
    problems.push(`${where} must have training parameters exactly when it has a train phase`);
  }
  return problems;
}

function hasAnyResult(record: RoundRecord | undefined): boolean {
  return record !== undefined && PHASES.some((phase) => hasPhaseResult(record, phase));
}

/** Checks that cannot be expressed per field: the cursor, the plan and the records agree. */
function consistencyProblems(state: RunState): string[] {
  const problems: string[] = [];
  if (state.plan.mode !== state.mode)
    problems.push(`plan.mode "${state.plan.mode}" differs from mode "${state.mode}"`);
  state.plan.rounds.forEach((r, i) => {
    problems.push(...roundPlanProblems(r, i));
  });
  state.rounds.forEach((r, i) => {
    if (r.round !== i) problems.push(`rounds[${i}].round is ${r.round}, expected ${i}`);
  });
  const roundPlan = state.plan.rounds[state.round];
  if (roundPlan === undefined) problems.push(`round ${state.round} is not in the plan`);
  else if (!roundPlan.phases.includes(state.phase)) {
    problems.push(
      `phase "${state.phase}" is not in round ${state.round}'s plan (${roundPlan.phases.join(", ")})`,
    );
  }
  if (state.rounds.length !== state.round + 1) {
    problems.push(
      `rounds has ${state.rounds.length} records, expected ${state.round + 1} for round ${state.round}`,
    );
  }
  const record = state.rounds[state.round];
  if (roundPlan !== undefined && record !== undefined) {
    const done = roundPlan.phases.slice(0, roundPlan.phases.indexOf(state.phase));
    for (const phase of done) {
      if (!hasPhaseResult(record, phase))
        problems.push(`round ${state.round} is past "${phase}" but has no result for it`);
    }
  }
  if (state.status === "failed" && state.error === null) problems.push("status is failed but error is null");
  if (state.status !== "failed" && state.error !== null)
    problems.push(`status is ${state.status} but error is set`);
  if (state.status === "done" && state.stopReason === null)
    problems.push("status is done but stopReason is null");
  if (state.status === "queued" && (state.rounds.length !== 1 || hasAnyResult(state.rounds[0]))) {
    problems.push("status is queued but the run has results; a queued run has not started");
  }
  return problems;
}
