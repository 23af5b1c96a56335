import { IsaraError, type SampleQuery } from "@isara/core";

/** A Qdrant `match` condition on one payload field, as the REST API takes it. */
export interface FieldMatch {
  readonly key: "run" | "setIndex" | "round";
  readonly match: { readonly value: string | number };
}

/** A Qdrant filter whose conditions must all hold. */
export interface SampleFilter {
  readonly must: readonly FieldMatch[];
}

/** Largest position Qdrant's integer index and ISARA's stores agree on (int32, like LanceDB's columns). */
const MAX_POSITION = 2 ** 31 - 1;

function position(value: number, field: "setIndex" | "round"): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_POSITION) {
    throw new IsaraError("invalid_argument", `${field} must be a non-negative integer, got ${value}`, {
      field,
    });
  }
  return value;
}

/**
 * The Qdrant filter of a {@link SampleQuery}: always the run (the tenant field, so every query stays
 * inside one run), plus the set and the round when given. Values are sent as JSON `match.value`
 * conditions, never spliced into text, so a run named `x' OR '1'='1` matches only that exact run.
 *
 * @throws IsaraError `invalid_argument` for an empty run (a query without a tenant would read every
 *   run's samples) or a set/round that is not a non-negative integer.
 */
export function sampleFilter(query: SampleQuery): SampleFilter {
  if (typeof query.run !== "string" || query.run === "") {
    throw new IsaraError(
      "invalid_argument",
      "a sample query needs the run it looks in (run must be a non-empty string)",
    );
  }
  const must: FieldMatch[] = [{ key: "run", match: { value: query.run } }];
  if (query.setIndex !== undefined)
    must.push({ key: "setIndex", match: { value: position(query.setIndex, "setIndex") } });
  if (query.round !== undefined)
    must.push({ key: "round", match: { value: position(query.round, "round") } });
  return { must };
}
