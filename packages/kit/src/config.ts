import { IsaraError } from "@isara/core";
import type { z } from "zod";

/** The environment as Node gives it: names to string values, some unset. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One thing wrong with the environment, as listed in the error's `details`. */
export interface ConfigProblem {
  /** The environment variable at fault, e.g. `PORT`. */
  readonly variable: string;
  /** What is wrong and what was expected, e.g. `is not set (expected a URL)`. */
  readonly problem: string;
}

/**
 * Parses a service's environment once against its zod schema and returns the typed config.
 *
 * Promises: on any bad value it throws one `IsaraError("invalid_argument")` whose message lists EVERY
 * problem, one per line, as `VAR_NAME: what is wrong (expected …)`, and whose `details` is a
 * `ConfigProblem[]`; so an operator fixes the whole deployment in one go instead of one variable per
 * crash loop. Empty values (`PORT=`) count as unset, so defaults apply, because templating tools often
 * render missing values as empty strings. The result is frozen: config is read, never changed.
 * Messages echo a bad value only for enums and the short typed helpers (port, int, duration, boolean,
 * log level), never for URLs or plain strings, so passwords in URLs or tokens do not reach logs.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): Readonly<z.output<S>> {
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== "") input[name] = value;
  }
  const result = schema.safeParse(input, { error: describeIssue });
  if (result.success) {
    const data: z.output<S> = result.data;
    return typeof data === "object" && data !== null ? Object.freeze(data) : data;
  }
  const problems = result.error.issues.map(
    (issue): ConfigProblem => ({
      variable: issue.path.length > 0 ? issue.path.map(String).join(".") : "(environment)",
      problem: issue.message,
    }),
  );
  const lines = problems.map((p) => `  ${p.variable}: ${p.problem}`);
  throw new IsaraError(
    "invalid_argument",
    `invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); ` +
      `fix these environment variables:\n${lines.join("\n")}`,
    problems,
  );
}

/**
 * Turns zod's generic messages for plain schemas into `what is wrong (expected …)`. Schema-level
 * messages (such as those of the `env*` helpers) take precedence over this map, as zod promises.
 */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `is not set (expected ${issue.expected})`;
  }
  if (issue.code === "invalid_value") {
    const allowed = issue.values.map((v) => String(v)).join(", ");
    return `is ${JSON.stringify(String(issue.input)).slice(0, 60)} (expected one of: ${allowed})`;
  }
  return undefined;
}
