import { IsaraError, type SampleQuery } from "@isara/core";

/**
 * A SQL string literal for a LanceDB filter: single quotes doubled, nothing else special (LanceDB's
 * parser treats backslashes literally). Run names come from users, so every string that goes into
 * a filter goes through here; a name like `x' OR '1'='1` then matches only a run of that exact name.
 */
export function sqlString(value: string): string {
  if (value.includes("\0")) {
    throw new IsaraError(
      "invalid_argument",
      "a filter value contains a NUL byte; remove it from the run name",
    );
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** A column name quoted for LanceDB filters (backticks keep camelCase and keyword-like names exact). */
export function sqlColumn(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a column name: ${name}`);
  return `\`${name}\``;
}

function nonNegativeInt(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
    throw new IsaraError("invalid_argument", `${field} must be a non-negative integer, got ${value}`, {
      field,
    });
  }
  return value;
}

/**
 * The filter of a {@link SampleQuery}: always the run, plus the set and the round when given.
 * Numbers are checked to be non-negative integers so nothing but a number reaches the filter.
 */
export function sampleFilter(query: SampleQuery): string {
  if (typeof query.run !== "string" || query.run === "") {
    throw new IsaraError(
      "invalid_argument",
      "a sample query needs the run it looks in (run must be a non-empty string)",
    );
  }
  const parts = [`${sqlColumn("run")} = ${sqlString(query.run)}`];
  if (query.setIndex !== undefined)
    parts.push(`${sqlColumn("setIndex")} = ${nonNegativeInt(query.setIndex, "setIndex")}`);
  if (query.round !== undefined)
    parts.push(`${sqlColumn("round")} = ${nonNegativeInt(query.round, "round")}`);
  return parts.join(" AND ");
}
