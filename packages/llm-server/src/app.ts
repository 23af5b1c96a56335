import { randomInt } from "node:crypto";
import type { Llm, Tokenizer } from "@isara/core";
import type { Logger } from "@isara/kit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { ChatFormatter } from "./chat-formatter.js";
import { registerCompletionRoutes } from "./completion-routes.js";
import { toOpenAiError } from "./openai-error.js";
import { createServedModels } from "./served-models.js";

/** Default largest request body: 1 MiB, far more than any prompt that fits the model's context. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Tokens a chat answer may have when the request gives no `max_tokens`. */
export const DEFAULT_CHAT_MAX_TOKENS = 512;

/** What {@link createLlmServerApp} serves, and how. */
export interface LlmServerOptions {
  /** The model that writes every completion (e.g. `createLlamaLlm`); the app never closes it. */
  readonly llm: Llm;
  /** Renders chat messages in the model's format; without one, the chat endpoint answers 400. */
  readonly chatFormatter?: ChatFormatter;
  /** Name of the base model in `/v1/models` and in `model` fields (vLLM's `--served-model-name`). */
  readonly modelName: string;
  /** LoRA adapters served as models of their own: name → GGUF LoRA path. */
  readonly adapters?: Readonly<Record<string, string>>;
  /** Counts prompt tokens for `usage.prompt_tokens`; left out of `usage` without one. */
  readonly tokenizer?: Tokenizer;
  /** Request log; none by default. */
  readonly logger?: Logger;
  /** Largest request body in bytes (default {@link DEFAULT_BODY_LIMIT}); bigger ones get 413. */
  readonly bodyLimit?: number;
  /** Chat `max_tokens` when the request gives none (default {@link DEFAULT_CHAT_MAX_TOKENS}). */
  readonly defaultChatMaxTokens?: number;
  /** Seed for requests that give none (default: a fresh random one each time, as OpenAI samples). */
  readonly randomSeed?: () => number;
  /** Clock for `created` fields (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Builds (never starts) an OpenAI-compatible HTTP server over an in-process `Llm`, so code written
 * for vLLM (judges, HTTP `Llm` adapters) runs against a real model on a machine where no vLLM, TGI or
 * llama.cpp server can run. Routes:
 *
 * - `GET /v1/models`: the base model, then each adapter (with vLLM's `root` and `parent`).
 * - `POST /v1/completions`: `prompt` (string or list), `max_tokens` (default 16), `temperature`,
 *   `top_p`, `seed`, `stop`, `n`, `repetition_penalty`; `model` picks the base model or an adapter.
 * - `POST /v1/chat/completions`: `messages` rendered with the model's chat template, then completed.
 * - `GET /healthz`: liveness.
 *
 * Every error is an OpenAI error body `{ error: { message, type, code, param } }`: 400 naming each
 * wrong field, 404 for an unknown model listing the served ones, 413 past `bodyLimit`. Body fields
 * are checked strictly (no type coercion: `"16"` is not a number). `model` may be left out for the
 * base model, as vLLM allows.
 */
export function createLlmServerApp(options: LlmServerOptions): FastifyInstance {
  const models = createServedModels(options.modelName, options.adapters);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const started = options.now?.() ?? Date.now();
  // Seen as fastify's logger interface, so the app has fastify's default instance type.
  const loggerInstance: FastifyBaseLogger | undefined = options.logger;
  const app = Fastify({
    bodyLimit,
    ...(loggerInstance === undefined ? { logger: false } : { loggerInstance }),
    ajv: { customOptions: { allErrors: true, coerceTypes: false, allowUnionTypes: true } },
  });

  app.setErrorHandler((err, request, reply) => {
    const answer = toOpenAiError(err, bodyLimit);
    if (answer.status >= 500) request.log.error({ err }, "request failed");
    return reply.status(answer.status).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        message:
          `no route ${request.method} ${request.url}; this server answers GET /v1/models, ` +
          "POST /v1/completions, POST /v1/chat/completions and GET /healthz",
        type: "invalid_request_error",
        code: "not_found",
        param: null,
      },
    }),
  );

  app.get("/healthz", async () => ({ status: "ok", model: models.base }));
  app.get("/v1/models", async () => ({ object: "list", data: models.cards(Math.floor(started / 1000)) }));
  registerCompletionRoutes(app, {
    llm: options.llm,
    tokenizer: options.tokenizer,
    models,
    chatFormatter: options.chatFormatter,
    defaultChatMaxTokens: options.defaultChatMaxTokens ?? DEFAULT_CHAT_MAX_TOKENS,
    randomSeed: options.randomSeed ?? (() => randomInt(0, 2 ** 31)),
    now: options.now ?? Date.now,
  });
  return app;
}
