import { type ChatRequest, type CompletionRequest, IsaraError } from "@isara/core";

const ROLES: ReadonlySet<string> = new Set(["system", "user", "assistant"]);

/**
 * Refuses a completion request no server could honour before it goes on the wire, so a caller's
 * bug shows as one `invalid_argument` listing every problem rather than as a server's 400 after a
 * round trip (or, worse, as a value the server silently clamps): `maxTokens` a positive integer,
 * `temperature` ≥ 0, `topP` in (0, 1], `repetitionPenalty` > 0, `seed` an integer, stop strings
 * non-empty, `adapter` a non-empty served model name.
 */
export function checkCompletionRequest(request: CompletionRequest): void {
  const problems: string[] = [];
  if (typeof request.prompt !== "string") problems.push("prompt must be a string");
  checkMaxTokens(request.maxTokens, problems);
  checkTemperature(request.temperature, problems);
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
    problems.push(
      "adapter must be the name the server serves the LoRA adapter under; leave it out for the base model",
    );
  }
  refuse("completion", problems);
}

/** Like {@link checkCompletionRequest}, for a chat request: at least one message, each with a known role. */
export function checkChatRequest(request: ChatRequest): void {
  const problems: string[] = [];
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    problems.push("messages must hold at least one message");
  } else {
    request.messages.forEach((message, i) => {
      if (!ROLES.has(message.role)) {
        problems.push(
          `messages[${i}].role must be system, user or assistant, got ${JSON.stringify(message.role)}`,
        );
      }
      if (typeof message.content !== "string") problems.push(`messages[${i}].content must be a string`);
    });
  }
  checkMaxTokens(request.maxTokens, problems);
  checkTemperature(request.temperature, problems);
  if (request.seed !== undefined && !Number.isSafeInteger(request.seed)) {
    problems.push(`seed must be an integer, got ${request.seed}`);
  }
  refuse("chat", problems);
}

function checkMaxTokens(value: number, problems: string[]): void {
  if (!Number.isInteger(value) || value < 1)
    problems.push(`maxTokens must be a positive integer, got ${value}`);
}

function checkTemperature(value: number, problems: string[]): void {
  if (!Number.isFinite(value) || value < 0)
    problems.push(`temperature must be 0 (greedy) or more, got ${value}`);
}

function refuse(kind: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new IsaraError("invalid_argument", `invalid ${kind} request: ${problems.join("; ")}`, { problems });
  }
}
