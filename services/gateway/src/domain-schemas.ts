/**
 * JSON schemas of the domain routes. They check the shape (types, required fields, seed count, field
 * lengths) before anything else runs; the domain's meaning (config keys and ranges, duplicate seeds,
 * eval prompts that leak from the seeds) is then checked by core's `parseDomain`, the same validation
 * the CLI applies to domain files.
 */
import { MAX_DOMAIN_NAME_CHARS, MAX_FIELD_CHARS, MAX_SEEDS, MIN_SEEDS } from "@isara/core";
import { textSchema } from "./common-schemas.js";

/**
 * The form of core's domain slug (`DOMAIN_SLUG_PATTERN`) as a JSON-schema pattern, without its length
 * limit: {@link domainNameSchema} checks that as `maxLength` (core's), so a name that is only too
 * long is told so, not that its form is wrong.
 */
export const DOMAIN_NAME_PATTERN = "^[a-z0-9][a-z0-9-]*$";

/** A domain name in a path or field. */
export const domainNameSchema = {
  type: "string",
  minLength: 1,
  maxLength: MAX_DOMAIN_NAME_CHARS,
  pattern: DOMAIN_NAME_PATTERN,
  description: `use 1-${MAX_DOMAIN_NAME_CHARS} lowercase letters, digits or '-', starting with a letter or digit`,
} as const;

/** One seed pair. */
export const seedSchema = {
  type: "object",
  required: ["prompt", "response"],
  additionalProperties: false,
  properties: {
    prompt: textSchema(MAX_FIELD_CHARS, "The question or instruction a user would send."),
    response: textSchema(MAX_FIELD_CHARS, "The answer the model should learn."),
  },
} as const;

/** One eval question with references. */
export const evalItemSchema = {
  type: "object",
  required: ["id", "prompt", "correct"],
  additionalProperties: false,
  properties: {
    id: textSchema(200, "Short unique id of the item."),
    prompt: textSchema(MAX_FIELD_CHARS, "The question the model is scored on."),
    correct: {
      type: "array",
      minItems: 1,
      items: textSchema(MAX_FIELD_CHARS),
      description: "Answers that show the target behaviour.",
    },
    incorrect: {
      type: "array",
      items: textSchema(MAX_FIELD_CHARS),
      description: "Answers that show the behaviour to move away from.",
    },
  },
} as const;

/** `POST /v1/domains`: a whole domain, as the three domain files hold it. */
export const createDomainBodySchema = {
  type: "object",
  required: ["config", "seeds", "eval"],
  additionalProperties: false,
  properties: {
    config: {
      type: "object",
      description:
        'The domain config (domain.json): at least {"name": "my-domain"}; every other setting has the paper default.',
    },
    seeds: {
      type: "array",
      minItems: MIN_SEEDS,
      maxItems: MAX_SEEDS,
      items: seedSchema,
      description: `a domain takes ${MIN_SEEDS}-${MAX_SEEDS} seed pairs {"prompt", "response"} that show the behaviour`,
    },
    eval: {
      type: "array",
      minItems: 1,
      items: evalItemSchema,
      description: 'every round is scored on these; give at least one {"id", "prompt", "correct": [...]}',
    },
  },
} as const;

/** `/v1/domains/:name`. */
export const domainParamsSchema = {
  type: "object",
  required: ["name"],
  properties: { name: domainNameSchema },
} as const;

/** A domain as listed. */
export const domainSummarySchema = {
  type: "object",
  required: ["name", "description", "seeds", "evalItems"],
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    seeds: { type: "integer", description: "Number of seed pairs." },
    evalItems: { type: "integer", description: "Number of eval items." },
  },
} as const;

/** A whole stored domain, defaults filled in. */
export const domainDetailSchema = {
  type: "object",
  required: ["name", "description", "config", "seeds", "eval"],
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    config: {
      type: "object",
      additionalProperties: true,
      description: "The full config with every default filled in.",
    },
    seeds: { type: "array", items: seedSchema },
    eval: { type: "array", items: evalItemSchema },
  },
} as const;
