/**
 * JSON schemas of the run routes: what a caller may send (the overrides' schemas generated from core's
 * zod schemas, so an override the controller would refuse is refused here first, nothing sent) and
 * what each route answers (`RunView`, sample pages, metrics).
 */
import {
  DEFAULT_RUN_MODE,
  ERROR_CODES,
  PHASES,
  RUN_MODES,
  runOverridesSchema,
  settingJsonSchema,
} from "@isara/core";
import { nextCursorSchema, nullable } from "./common-schemas.js";
import { MAX_CURSOR_CHARS } from "./cursor.js";
import { domainNameSchema } from "./domain-schemas.js";
import { MAX_RUN_ID_CHARS, RUN_ID_PATTERN } from "./tenant-scope.js";

const RUN_STATES = ["queued", "running", "done", "failed", "cancelled"] as const;

/** A run id as the tenant knows it. */
export const runIdSchema = {
  type: "string",
  minLength: 1,
  maxLength: MAX_RUN_ID_CHARS,
  pattern: RUN_ID_PATTERN,
  description: `use 1-${MAX_RUN_ID_CHARS} lowercase letters, digits or '-', starting with a letter or digit`,
} as const;

/** What each override replaces, for the document. */
const OVERRIDE_DESCRIPTIONS: Readonly<Record<keyof typeof runOverridesSchema.shape, string>> = {
  rounds: "isara.rounds",
  promptsPerRound: "isara.promptsPerRound (N)",
  demos: "isara.demos (K)",
  seed: "isara.seed",
  baseModel: "Base model to align.",
};

/**
 * The overrides' JSON schemas, generated from core's `runOverridesSchema` (ajv's draft-07), so the
 * gateway holds no copy of a limit that could drift from what the controller enforces.
 */
function overrideSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(OVERRIDE_DESCRIPTIONS).map(([field, description]) => [
      field,
      {
        ...settingJsonSchema(
          runOverridesSchema.shape[field as keyof typeof OVERRIDE_DESCRIPTIONS],
          "draft-7",
        ),
        description,
      },
    ]),
  );
}

/** `POST /v1/runs`. */
export const createRunBodySchema = {
  type: "object",
  required: ["domain"],
  additionalProperties: false,
  properties: {
    domain: { ...domainNameSchema, description: "Name of one of your domains (POST /v1/domains)." },
    mode: {
      type: "string",
      enum: [...RUN_MODES],
      description: `ISARA (${JSON.stringify(DEFAULT_RUN_MODE)}, the default) or one of the paper's baselines.`,
    },
    runId: {
      ...runIdSchema,
      description:
        "Your id for the run; the same id and request again returns the same run, so retries are safe. Generated when left out.",
    },
    overrides: {
      type: "object",
      additionalProperties: false,
      description: "Values that replace the domain's config for this run.",
      properties: overrideSchemas(),
    },
  },
} as const;

/** `/v1/runs/:id...`. */
export const runParamsSchema = {
  type: "object",
  required: ["id"],
  properties: { id: runIdSchema },
} as const;

/** `GET /v1/runs`. */
export const listRunsQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    domain: { ...domainNameSchema, description: "Only runs of this domain." },
    state: { type: "string", enum: [...RUN_STATES], description: "Only runs in this state." },
    limit: { type: "integer", minimum: 1, maximum: 200, description: "Most runs per page (default 50)." },
    cursor: {
      type: "string",
      minLength: 1,
      maxLength: MAX_CURSOR_CHARS,
      description: "nextCursor of the previous page.",
    },
  },
} as const;

/** `POST /v1/runs/:id/cancel` and `/retry` (the body may be left out). */
export const runReasonBodySchema = {
  type: "object",
  additionalProperties: false,
  properties: { reason: { type: "string", maxLength: 500, description: "Why, for the run's log." } },
} as const;

/** `GET /v1/runs/:id/samples`. */
export const samplesQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    round: { type: "integer", minimum: 0, maximum: 1000, description: "Only this round (0 = the seeds)." },
    accepted: { type: "boolean", description: "Only accepted (true) or only rejected (false) samples." },
    limit: { type: "integer", minimum: 1, maximum: 500, description: "Most samples per page (default 100)." },
    cursor: {
      type: "string",
      minLength: 1,
      maxLength: MAX_CURSOR_CHARS,
      description: "nextCursor of the previous page.",
    },
  },
} as const;

const metricsSchema = nullable({
  type: "object",
  additionalProperties: { type: "number" },
  description: "Evaluation metrics by name; null until the round was evaluated.",
});

/** One round of a run. */
export const roundViewSchema = {
  type: "object",
  required: ["round", "learningRate", "promptsWritten", "answersWritten", "filter", "training", "metrics"],
  properties: {
    round: { type: "integer" },
    learningRate: nullable({ type: "number" }),
    promptsWritten: nullable({ type: "integer" }),
    answersWritten: nullable({ type: "integer" }),
    filter: nullable({
      type: "object",
      required: ["written", "accepted", "rejectedBy"],
      properties: {
        written: { type: "integer" },
        accepted: { type: "integer" },
        rejectedBy: { type: "object", additionalProperties: { type: "integer" } },
      },
    }),
    training: nullable({
      type: "object",
      required: ["finalLoss", "steps"],
      properties: { finalLoss: { type: "number" }, steps: { type: "integer" } },
    }),
    metrics: metricsSchema,
  },
} as const;

/** A run (`RunView`). */
export const runViewSchema = {
  type: "object",
  required: ["id", "domain", "mode", "state", "round", "phase", "plannedRounds", "progress", "rounds"],
  properties: {
    id: { type: "string" },
    domain: { type: "string" },
    mode: { type: ["string", "null"], enum: [...RUN_MODES, null] },
    state: {
      type: "string",
      enum: [...RUN_STATES],
      description:
        "queued (waiting for your tenant to have room), running, done, failed (retry it) or cancelled.",
    },
    round: { type: "integer", description: "Round in progress (or the last one, once final)." },
    phase: { type: ["string", "null"], enum: [...PHASES, null] },
    plannedRounds: { type: "integer" },
    progress: nullable({
      type: "object",
      required: ["done", "total"],
      properties: { done: { type: "integer" }, total: { type: "integer" } },
    }),
    rounds: { type: "array", items: roundViewSchema },
    stopReason: { type: ["string", "null"] },
    queuePosition: {
      type: ["integer", "null"],
      description:
        "While queued, the run's place in your tenant's queue (1 = starts next, when one of your running runs ends); null otherwise.",
    },
    error: nullable({
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string", enum: [...ERROR_CODES] }, message: { type: "string" } },
    }),
  },
} as const;

/** `GET /v1/runs`. */
export const runListSchema = {
  type: "object",
  required: ["runs", "nextCursor"],
  properties: { runs: { type: "array", items: runViewSchema }, nextCursor: nextCursorSchema },
} as const;

const demoSchema = {
  type: "object",
  required: ["id", "setIndex", "score"],
  properties: { id: { type: "string" }, setIndex: { type: "integer" }, score: { type: ["number", "null"] } },
} as const;

/** One sample with its lineage. */
export const sampleViewSchema = {
  type: "object",
  required: ["id", "round", "setIndex", "slot", "accepted", "prompt", "response", "lineage"],
  properties: {
    id: { type: "string" },
    round: { type: "integer" },
    setIndex: { type: "integer" },
    slot: { type: "integer" },
    accepted: { type: "boolean" },
    prompt: { type: "string" },
    response: { type: "string" },
    lineage: {
      type: "object",
      required: [
        "promptDemos",
        "answerDemos",
        "promptTemplateVersion",
        "generatorModel",
        "verdicts",
        "trainedBy",
      ],
      properties: {
        promptDemos: { type: "array", items: demoSchema },
        answerDemos: { type: "array", items: demoSchema },
        promptTemplateVersion: { type: "string" },
        generatorModel: { type: "string" },
        verdicts: {
          type: "array",
          items: {
            type: "object",
            required: ["filter", "accepted", "reason", "score"],
            properties: {
              filter: { type: "string" },
              accepted: { type: "boolean" },
              reason: { type: "string" },
              score: { type: ["number", "null"] },
            },
          },
        },
        trainedBy: { type: ["string", "null"] },
      },
    },
  },
} as const;

/** `GET /v1/runs/:id/samples`. */
export const samplePageSchema = {
  type: "object",
  required: ["samples", "nextCursor"],
  properties: { samples: { type: "array", items: sampleViewSchema }, nextCursor: nextCursorSchema },
} as const;

/** `GET /v1/runs/:id/metrics`. */
export const runMetricsSchema = {
  type: "object",
  required: ["id", "domain", "state", "baseline", "rounds"],
  properties: {
    id: { type: "string" },
    domain: { type: "string" },
    state: { type: "string", enum: [...RUN_STATES] },
    baseline: { ...metricsSchema, description: "Round 0's metrics: the base model before any training." },
    rounds: {
      type: "array",
      items: {
        type: "object",
        required: ["round", "metrics", "keptFraction", "finalLoss"],
        properties: {
          round: { type: "integer" },
          metrics: metricsSchema,
          keptFraction: {
            type: ["number", "null"],
            description: "Accepted / written in the round's filter; null before the filter ran.",
          },
          finalLoss: { type: ["number", "null"], description: "Training loss at the round's last step." },
        },
      },
    },
  },
} as const;
