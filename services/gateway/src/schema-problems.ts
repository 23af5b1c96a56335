/**
 * JSON-schema violations (as Ajv reports them with `verbose: true`) as problems a person can fix: the
 * field in the user's own notation (`seeds[3].prompt`), where it was (body, query, path), and a
 * sentence saying what is wrong with what they sent and what is allowed, in the same words core uses
 * for domain files.
 */
import { BASE_MODEL_PATTERN, describeValue, didYouMean } from "@isara/core";
import { DOMAIN_NAME_PATTERN } from "./domain-schemas.js";
import { MAX_RUN_ID_CHARS, RUN_ID_PATTERN } from "./tenant-scope.js";

/** How to write a value that must match one of the API's patterns. */
const PATTERN_HINTS: ReadonlyMap<string, string> = new Map([
  [DOMAIN_NAME_PATTERN, "use lowercase letters, digits or '-', starting with a letter or digit"],
  [
    RUN_ID_PATTERN,
    `use 1-${MAX_RUN_ID_CHARS} lowercase letters, digits or '-', starting with a letter or digit`,
  ],
  [BASE_MODEL_PATTERN.source, "name a model, not only spaces"],
]);

/** One problem of a request, as the error body's `details` lists them. */
export interface RequestProblem {
  /** `body`, `query`, `path` or `header`. */
  readonly in: string;
  /** The field in dotted/bracket notation, e.g. `seeds[3].prompt`; `null` for the whole part. */
  readonly field: string | null;
  /** What is wrong and how to fix it, starting with the field's name. */
  readonly problem: string;
}

/** The fields of an Ajv error this module reads (Ajv's `ErrorObject` with `verbose: true`). */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly data?: unknown;
  readonly parentSchema?: { readonly description?: string; readonly properties?: Record<string, unknown> };
}

const PART: Readonly<Record<string, string>> = {
  body: "body",
  querystring: "query",
  params: "path",
  headers: "header",
};

const EXPECTED: Readonly<Record<string, string>> = {
  string: "text in quotes",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  array: "a list [ … ]",
  object: "an object { … }",
  null: "null",
};

/** `/seeds/3/prompt` (+ `extra`) → `seeds[3].prompt`. */
export function fieldOf(instancePath: string, extra?: unknown): string | null {
  const parts = instancePath
    .split("/")
    .filter((p) => p !== "")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (typeof extra === "string") parts.push(extra);
  const field = parts.reduce(
    (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    "",
  );
  return field === "" ? null : field;
}

function expected(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => EXPECTED[String(t)] ?? String(t)).join(" or ");
}

function sentence(error: SchemaError): string {
  const { params, data } = error;
  const limit = params.limit;
  switch (error.keyword) {
    case "type":
      return `must be ${expected(params.type)}, got ${describeValue(data)}`;
    case "minLength":
      return limit === 1 ? "must not be empty" : `must be at least ${limit} characters long`;
    case "maxLength":
      return `is ${typeof data === "string" ? [...data].length : "too many"} characters long, over the limit of ${limit} — shorten it`;
    case "minItems":
      return `lists ${items(data)}, but needs at least ${limit}${hint(error)}`;
    case "maxItems":
      return `lists ${items(data)}, but takes at most ${limit}${hint(error)}`;
    case "minimum":
      return `must be at least ${limit}, got ${describeValue(data)}`;
    case "maximum":
      return `must be at most ${limit}, got ${describeValue(data)}`;
    case "exclusiveMinimum":
      return `must be greater than ${limit}, got ${describeValue(data)}`;
    case "enum":
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(data)}`;
    case "pattern":
      return `has the wrong form (got ${describeValue(data)}) — ${PATTERN_HINTS.get(String(params.pattern)) ?? `match ${String(params.pattern)}`}`;
    default:
      return error.message ?? "is invalid";
  }
}

function items(data: unknown): string {
  const count = Array.isArray(data) ? data.length : 0;
  return `${count} item${count === 1 ? "" : "s"}`;
}

function hint(error: SchemaError): string {
  const description = error.parentSchema?.description;
  return description === undefined ? "" : ` — ${description}`;
}

/** One Ajv error of request part `context` (`body`, `querystring`, `params`, `headers`) as a problem. */
export function requestProblem(error: SchemaError, context: string): RequestProblem {
  const where = PART[context] ?? context;
  if (error.keyword === "required") {
    const field = fieldOf(error.instancePath, error.params.missingProperty);
    return { in: where, field, problem: `"${field}" is missing` };
  }
  if (error.keyword === "additionalProperties") {
    const key = String(error.params.additionalProperty);
    const field = fieldOf(error.instancePath, key);
    const allowed = Object.keys(error.parentSchema?.properties ?? {});
    const guess = didYouMean(key, allowed);
    const suggestion = guess === null ? "" : ` — did you mean "${guess}"?`;
    return {
      in: where,
      field,
      problem: `"${field}" is not a known field${suggestion} Allowed here: ${allowed.join(", ")}`,
    };
  }
  const field = fieldOf(error.instancePath);
  const text = sentence(error);
  return { in: where, field, problem: field === null ? `the ${where} ${text}` : `"${field}" ${text}` };
}

/** The one-line summary of a list of problems, for the error body's `message`. */
export function problemsMessage(problems: readonly RequestProblem[]): string {
  const parts = problems.map((p) => (p.in === "body" ? p.problem : `${p.in} parameter ${p.problem}`));
  const noun = problems.length === 1 ? "problem" : "problems";
  return `invalid request (${problems.length} ${noun}): ${parts.join("; ")}`;
}
