import { type CompletionRequest, IsaraError } from "@isara/core";

/**
 * Refuses a completion request llama.cpp could not honour, before it takes a slot: `maxTokens` a
 * positive integer, `temperature` ≥ 0, `topP` in (0, 1], `repetitionPenalty` > 0, `seed` an integer,
 * stop strings non-empty (an empty one would end every completion at once), `adapter` non-empty.
 * All problems come back in one `invalid_argument` error, listed in its details.
 */
export function checkCompletionRequest(request: CompletionRequest): void {
  const problems: string[] = [];
  if (typeof request.prompt !== "string") problems.push("prompt must be a string");
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) {
    problems.push(`maxTokens must be a positive integer, got ${request.maxTokens}`);
  }
  if (!Number.isFinite(request.temperature) || request.temperature < 0) {
    problems.push(`temperature must be 0 (greedy) or more, got ${request.temperature}`);
  }
  if (!Number.isFinite(request.topP) || request.topP <= 0 || request.topP > 1) {
    problems.push(`topP must be in (0, 1], got ${request.topP}`);
  }
  if (!Number.isFinite(request.repetitionPenalty) || request.repetitionPenalty <= 0) {
    problems.push(`repetitionPenalty must be above 0 (1 = off), got ${request.repetitionPenalty}`);
  }
  if (!Number.isSafeInteger(request.seed)) problems.push(`seed must be an integer, got ${request.seed}`);
  if (request.stop?.some((s) => typeof s !== "string" || s === "")) {
    problems.push("stop strings must be non-empty strings");
  }
  if (
    request.adapter !== undefined &&
    (typeof request.adapter !== "string" || request.adapter.trim() === "")
  ) {
    problems.push("adapter must be a file path; leave it out for the base model");
  }
  if (problems.length > 0) {
    throw new IsaraError("invalid_argument", `invalid completion request: ${problems.join("; ")}`, {
      problems,
    });
  }
}
