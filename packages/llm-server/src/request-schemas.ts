/**
 * JSON schemas of the request bodies, checked by fastify before a route runs, so a wrong field is
 * refused with a 400 naming it and never reaches the model. Fields follow the OpenAI API (plus vLLM's
 * `repetition_penalty`); `null` means "not given", as the OpenAI clients send it. Unknown fields are
 * ignored, as OpenAI-compatible servers do, except the few whose silent loss would change results
 * (see `sampling.ts`).
 */

/** Most prompts or choices one request may ask for; each is a full completion on a small CPU. */
export const MAX_CHOICES = 16;
/** Most stop strings, as in vLLM (OpenAI allows 4). */
export const MAX_STOP_STRINGS = 16;

const optional = (schema: Record<string, unknown>): Record<string, unknown> => ({
  ...schema,
  type: [schema.type, "null"].flat(),
});

/** Sampling fields shared by both endpoints. */
const samplingProperties = {
  model: optional({ type: "string", minLength: 1 }),
  max_tokens: optional({ type: "integer", minimum: 1 }),
  temperature: optional({ type: "number", minimum: 0 }),
  top_p: optional({ type: "number", exclusiveMinimum: 0, maximum: 1 }),
  seed: optional({
    type: "integer",
    minimum: Number.MIN_SAFE_INTEGER,
    maximum: Number.MAX_SAFE_INTEGER - MAX_CHOICES,
  }),
  repetition_penalty: optional({ type: "number", exclusiveMinimum: 0 }),
  n: optional({ type: "integer", minimum: 1, maximum: MAX_CHOICES }),
  stop: optional({
    type: ["string", "array"],
    minLength: 1,
    maxItems: MAX_STOP_STRINGS,
    items: { type: "string", minLength: 1 },
  }),
  stream: optional({ type: "boolean" }),
  frequency_penalty: optional({ type: "number" }),
  presence_penalty: optional({ type: "number" }),
} as const;

/** `POST /v1/completions`: a prompt (or several) to continue. */
export const completionBodySchema = {
  type: "object",
  required: ["prompt"],
  properties: {
    ...samplingProperties,
    prompt: {
      type: ["string", "array"],
      minItems: 1,
      maxItems: MAX_CHOICES,
      items: { type: "string" },
    },
    echo: optional({ type: "boolean" }),
    logprobs: optional({ type: "integer" }),
  },
} as const;

/** One chat message; content is text or OpenAI's list of text parts. */
const messageSchema = {
  type: "object",
  required: ["role", "content"],
  properties: {
    role: { type: "string", enum: ["system", "developer", "user", "assistant"] },
    content: {
      type: ["string", "array"],
      items: {
        type: "object",
        required: ["type", "text"],
        properties: { type: { type: "string", enum: ["text"] }, text: { type: "string" } },
      },
    },
  },
} as const;

/** `POST /v1/chat/completions`: a conversation to answer. */
export const chatBodySchema = {
  type: "object",
  required: ["messages"],
  properties: {
    ...samplingProperties,
    max_completion_tokens: optional({ type: "integer", minimum: 1 }),
    messages: { type: "array", minItems: 1, items: messageSchema },
    logprobs: optional({ type: "boolean" }),
  },
} as const;

/** Sampling fields as they arrive (after schema validation). */
export interface SamplingBody {
  readonly model?: string | null;
  readonly max_tokens?: number | null;
  readonly temperature?: number | null;
  readonly top_p?: number | null;
  readonly seed?: number | null;
  readonly repetition_penalty?: number | null;
  readonly n?: number | null;
  readonly stop?: string | readonly string[] | null;
  readonly stream?: boolean | null;
  readonly frequency_penalty?: number | null;
  readonly presence_penalty?: number | null;
}

/** A validated `POST /v1/completions` body. */
export interface CompletionBody extends SamplingBody {
  readonly prompt: string | readonly string[];
  readonly echo?: boolean | null;
  readonly logprobs?: number | null;
}

/** A chat message as it arrives. */
export interface ChatMessageBody {
  readonly role: "system" | "developer" | "user" | "assistant";
  readonly content: string | readonly { readonly type: "text"; readonly text: string }[];
}

/** A validated `POST /v1/chat/completions` body. */
export interface ChatBody extends SamplingBody {
  readonly messages: readonly ChatMessageBody[];
  readonly max_completion_tokens?: number | null;
  readonly logprobs?: boolean | null;
}
