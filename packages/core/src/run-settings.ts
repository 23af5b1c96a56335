/**
 * The settings one run may set in place of its domain's, and the limits of the run's own settings.
 * Core's zod schemas are the one hand-written definition of every such limit: the gateway's request
 * schema and the AlignmentRun CRD are generated from them ({@link settingJsonSchema}) and the
 * controller checks specs with them, so a value one entry point accepts is never refused by another.
 */
import { z } from "zod";
import { isaraSettingsSchema } from "./domain.js";
import type { RunMode } from "./run-modes.js";

/** The mode of a run whose request names none (the gateway's `mode`, the CRD's `spec.mode` default). */
export const DEFAULT_RUN_MODE: RunMode = "isara";

/**
 * Longest base model name a run may give, in characters: room for a Hugging Face id, a served model
 * name or a path on a model volume, small enough for a log line and a Kubernetes object.
 */
export const MAX_BASE_MODEL_CHARS = 512;

/**
 * What a base model name must contain: one character that is not a space. Exported so a validator
 * that reports the pattern (the gateway's) can word the rule instead of printing the regex.
 */
export const BASE_MODEL_PATTERN = /\S/;

/** A base model name: 1-{@link MAX_BASE_MODEL_CHARS} characters, not all of them spaces. */
export const baseModelSchema = z
  .string()
  .min(1)
  .max(MAX_BASE_MODEL_CHARS)
  .regex(BASE_MODEL_PATTERN, "name a model, not only spaces");

/**
 * What one run may set in place of its domain's config (CreateRun's overrides, the gateway's
 * `overrides`): the ISARA loop's size and seed, with the domain config's limits, and the base model.
 */
export const runOverridesSchema = z.object({
  rounds: isaraSettingsSchema.shape.rounds.unwrap().optional(),
  promptsPerRound: isaraSettingsSchema.shape.promptsPerRound.unwrap().optional(),
  demos: isaraSettingsSchema.shape.demos.unwrap().optional(),
  seed: isaraSettingsSchema.shape.seed.unwrap().optional(),
  baseModel: baseModelSchema.optional(),
});
/** A run's overrides, as parsed (see {@link runOverridesSchema}). */
export type RunOverrides = z.infer<typeof runOverridesSchema>;

/** JSON-schema dialects the settings are published in: ajv's default, and Kubernetes' OpenAPI v3.0. */
export type SettingSchemaTarget = "draft-7" | "openapi-3.0";

/**
 * One setting's zod schema as a plain JSON schema of `target`, for validators that cannot run zod
 * (the gateway's ajv, the Kubernetes API server): its type and limits only. Optional and default
 * wrappers are taken off (whether a field is required, and what it defaults to, is the consumer's
 * business), and so is `$schema`, which ajv refuses below a schema's root.
 * @throws Error when the schema has a check JSON Schema cannot express (a refine or transform):
 *   such a limit would silently go missing from the generated schema.
 */
export function settingJsonSchema(schema: z.ZodType, target: SettingSchemaTarget): Record<string, unknown> {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) {
    inner = inner.unwrap() as z.ZodType;
  }
  const def = inner._zod.def;
  if (
    def.type === "pipe" ||
    def.type === "transform" ||
    def.checks?.some((c) => c._zod.def.check === "custom")
  ) {
    throw new Error(
      `a setting's schema (${def.type}) has a refine or transform, which JSON Schema cannot express`,
    );
  }
  const { $schema: _, ...json } = z.toJSONSchema(inner, { target, io: "input", unrepresentable: "throw" });
  return json;
}
