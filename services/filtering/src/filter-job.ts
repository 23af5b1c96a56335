/**
 * A `FilterWork` message checked into the job the service runs. Everything a message can get wrong is
 * found here, before any file is read or any call is made, and reported at once as one
 * `invalid_argument` error: such a message is poison (retrying the same bytes cannot help) and goes
 * to the dead-letter topic with this error as the reason.
 *
 * The message names the run and its artifacts, not the run's settings: the filter chain comes from the
 * run's domain snapshot, which the controller validated when the run started. The deprecated
 * `settings` field, which controllers before the filter registry still set, is ignored.
 */
import { checkRunId, type FilterWork, type RunContext, roundWorkKey, runArtifacts } from "@isara/contracts";
import { IsaraError } from "@isara/core";

/** One round's filter pass, validated. */
export interface FilterJob {
  /** Run, domain, round and correlation id, as the message carried them (copied onto SampleJudged). */
  readonly context: RunContext;
  /** `<run>/<round>/filter`. */
  readonly idempotencyKey: string;
  /** Where the round's candidates are: inside the run's folder. */
  readonly candidatesKey: string;
  /** Candidates the file must hold. */
  readonly candidateCount: number;
}

function keyProblem(key: string, run: string): string | undefined {
  if (key === "") {
    return `candidates_key is empty; name the round's candidates, e.g. ${runArtifacts(run).candidates(1)}`;
  }
  if (!key.startsWith(`${run}/`))
    return `candidates_key ${JSON.stringify(key)} is outside the run's folder "${run}/"`;
  const segments = key.split("/");
  if (key.includes("\\") || key.includes("\0") || segments.some((s) => s === "" || s === "." || s === "..")) {
    return `candidates_key ${JSON.stringify(key)} is not a plain relative key (no "//", ".", "..", "\\" or NUL)`;
  }
  return undefined;
}

/**
 * Checks a `FilterWork` and returns its job: a run context with a usable run id, a domain and a round
 * of at least 1 (round 0 is the base-model baseline, which generates nothing); the idempotency key
 * `<run>/<round>/filter`; a candidates key inside the run's folder; at least one candidate.
 * @throws IsaraError `invalid_argument` listing every problem; its `details` is the list.
 */
export function parseFilterWork(work: FilterWork): FilterJob {
  const problems: string[] = [];
  const context = work.context;
  let run: string | undefined;
  if (context === undefined || context.run === "") {
    problems.push("context.run is not set; every FilterWork carries the run it belongs to");
  } else {
    try {
      run = checkRunId(context.run);
    } catch (err) {
      problems.push(err instanceof Error ? `context.run: ${err.message}` : String(err));
    }
    if (context.domain === "") problems.push("context.domain is not set");
    if (context.round < 1) problems.push("context.round must be 1 or more; round 0 writes no candidates");
  }
  if (context !== undefined && run !== undefined) {
    const expected = roundWorkKey(run, context.round, "filter");
    if (work.idempotencyKey !== expected) {
      problems.push(`idempotency_key is ${JSON.stringify(work.idempotencyKey)}, expected "${expected}"`);
    }
    const problem = keyProblem(work.candidatesKey, run);
    if (problem !== undefined) problems.push(problem);
  }
  if (work.candidateCount < 1) {
    problems.push("candidate_count is 0; a round with no candidates has nothing to filter");
  }
  if (problems.length > 0 || context === undefined) {
    const about = context?.run ? ` of run ${context.run} round ${context.round}` : "";
    throw new IsaraError(
      "invalid_argument",
      `FilterWork${about} is invalid: ${problems.join("; ")}`,
      problems,
    );
  }
  return {
    context,
    idempotencyKey: work.idempotencyKey,
    candidatesKey: work.candidatesKey,
    candidateCount: work.candidateCount,
  };
}
