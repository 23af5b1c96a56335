import { IsaraError } from "@isara/core";
import { z } from "zod";
import { truncate } from "./http-errors.js";

/** Token counts the server reports; every field optional since some servers leave them out. */
const usageSchema = z.object({ completion_tokens: z.number().int().min(0).optional() }).nullish();

/**
 * The parts of a `/v1/completions` answer the adapter reads; other fields are ignored so any
 * OpenAI-compatible server (vLLM, llama.cpp server, TGI, Ollama) fits.
 */
export const completionResponseSchema = z.object({
  choices: z.array(z.object({ text: z.string(), finish_reason: z.string().nullish() })).min(1),
  usage: usageSchema,
});
/** A parsed `/v1/completions` answer. */
export type CompletionResponse = z.infer<typeof completionResponseSchema>;

/** The parts of a `/v1/chat/completions` answer the adapter reads; `content` null counts as empty. */
export const chatResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
});
/** A parsed `/v1/chat/completions` answer. */
export type ChatResponse = z.infer<typeof chatResponseSchema>;

/**
 * `json` checked against `schema`. A mismatch is an `internal` error that names the URL, each field
 * that is wrong and the start of the body, because a malformed answer means the server is not the
 * OpenAI-compatible one we think (wrong baseUrl, a proxy page, an incompatible version), and
 * guessing at its meaning would put garbage into a dataset.
 */
export function parseResponse<T>(schema: z.ZodType<T>, json: unknown, url: string, expected: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return `${path === "" ? "(body)" : path}: ${issue.message}`;
  });
  const body = truncate(JSON.stringify(json) ?? String(json));
  throw new IsaraError(
    "internal",
    `POST ${url} answered with a body that is not ${expected} (${problems.join("; ")}): ${body}; ` +
      "check that baseUrl points at an OpenAI-compatible server",
    { url, problems, body },
  );
}
