/**
 * Turns schema validation issues into sentences a person can act on: which field, what is wrong with
 * the value they wrote, and how to fix it. Also finds keys a schema does not know, because zod drops
 * them silently and a misspelt config key would otherwise fall back to its default unnoticed.
 */
import { z } from "zod";

/** One issue as zod reports it. */
export type SchemaIssue = z.ZodError["issues"][number];

/** A problem with one field: its dotted path (`null` = the whole value) and the sentence. */
export interface FieldProblem {
  readonly field: string | null;
  readonly problem: string;
}

/** `["correct", 0]` → `correct[0]`; `["isara", "rounds"]` → `isara.rounds`; `[]` → `null`. */
export function fieldPath(path: readonly PropertyKey[]): string | null {
  let out = "";
  for (const key of path) {
    out += typeof key === "number" ? `[${key}]` : `${out === "" ? "" : "."}${String(key)}`;
  }
  return out === "" ? null : out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Short description of a value for "got …" clauses. */
export function describeValue(value: unknown): string {
  if (typeof value === "string")
    return value.length > 40 ? `"${value.slice(0, 37)}…"` : JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "text in quotes",
  int: "a whole number",
  number: "a number",
  boolean: "true or false",
  array: "a list [ … ]",
  object: "an object { … }",
};

function bound(value: number | bigint, inclusive: boolean | undefined, atLeast: boolean): string {
  if (inclusive === false) return `${atLeast ? "greater" : "less"} than ${value}`;
  return `at ${atLeast ? "least" : "most"} ${value}`;
}

function describeIssue(issue: SchemaIssue, value: unknown): string {
  if (value === undefined && issue.path.length > 0) return "is missing";
  switch (issue.code) {
    case "invalid_type":
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    case "too_small":
      if (issue.origin === "string") {
        return issue.minimum === 1
          ? "must not be empty"
          : `must be at least ${issue.minimum} characters long`;
      }
      if (issue.origin === "array") {
        return issue.minimum === 1
          ? "must list at least one item"
          : `must list at least ${issue.minimum} items`;
      }
      return `must be ${bound(issue.minimum, issue.inclusive, true)}, got ${describeValue(value)}`;
    case "too_big":
      if (issue.origin === "string" && typeof value === "string") {
        return `is ${value.length} characters long, over the limit of ${issue.maximum} — shorten it`;
      }
      if (issue.origin === "array") return `must list at most ${issue.maximum} items`;
      return `must be ${bound(issue.maximum, issue.inclusive, false)}, got ${describeValue(value)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(value)}`;
    case "invalid_format":
      return `${issue.format === "regex" ? "has the wrong form" : `is not a valid ${issue.format}`}: ${issue.message} (got ${describeValue(value)})`;
    default:
      return issue.message;
  }
}

/**
 * The sentence for one issue, e.g. `"response" must not be empty — give the answer the model should
 * learn`. `hints` maps a field path (or its first segment) to how to fix it; `input` is the value
 * that was validated, so the sentence can quote what was written.
 */
export function issueProblem(
  issue: SchemaIssue,
  input: unknown,
  hints: Readonly<Record<string, string>> = {},
): FieldProblem {
  const field = fieldPath(issue.path);
  const first = issue.path[0];
  const hint =
    (field === null ? undefined : hints[field]) ?? (typeof first === "string" ? hints[first] : undefined);
  const text = describeIssue(issue, valueAt(input, issue.path));
  const subject = field === null ? text : `"${field}" ${text}`;
  return { field, problem: hint === undefined ? subject : `${subject} — ${hint}` };
}

/** Edit distance between two short strings (keys), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The allowed key closest to `key` when it looks like a typo of it (case or a few letters off). */
export function didYouMean(key: string, allowed: readonly string[]): string | null {
  let best: { key: string; d: number } | null = null;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : distance(key, candidate);
    if (best === null || d < best.d) best = { key: candidate, d };
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return best !== null && best.d <= limit ? best.key : null;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
    inner = inner.unwrap() as z.ZodType;
  }
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : null;
}

/**
 * Keys of `value` that `schema` (an object schema, nested objects included) does not define, each
 * with a "did you mean" suggestion when one is close and the list of allowed keys.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path: readonly string[] = []): FieldProblem[] {
  const shape = objectShape(schema);
  if (shape === null || typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const allowed = Object.keys(shape);
  const problems: FieldProblem[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childSchema = shape[key];
    if (childSchema !== undefined) {
      problems.push(...unknownKeys(childSchema, child, [...path, key]));
      continue;
    }
    const where = path.length === 0 ? "" : ` in "${path.join(".")}"`;
    const guess = didYouMean(key, allowed);
    const keys = allowed.join(", ");
    problems.push({
      field: [...path, key].join("."),
      problem:
        guess === null
          ? `unknown key "${key}"${where}; allowed keys: ${keys}`
          : `unknown key "${key}"${where} — did you mean "${guess}"? Allowed keys: ${keys}`,
    });
  }
  return problems;
}
