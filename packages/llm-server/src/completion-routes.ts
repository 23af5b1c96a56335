import { randomUUID } from "node:crypto";
import type { ChatMessage, Llm, Tokenizer } from "@isara/core";
import { IsaraError } from "@isara/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ChatFormatter } from "./chat-formatter.js";
import {
  type ChatBody,
  type ChatMessageBody,
  type CompletionBody,
  chatBodySchema,
  completionBodySchema,
} from "./request-schemas.js";
import { runChoices } from "./run-choices.js";
import { DEFAULT_COMPLETION_MAX_TOKENS, refuseUnsupported, resolveSampling } from "./sampling.js";
import type { ServedModels } from "./served-models.js";

/** What the completion routes run on. */
export interface CompletionRoutesContext {
  readonly llm: Llm;
  readonly tokenizer: Tokenizer | undefined;
  readonly models: ServedModels;
  readonly chatFormatter: ChatFormatter | undefined;
  readonly defaultChatMaxTokens: number;
  readonly randomSeed: () => number;
  readonly now: () => number;
}

/**
 * Registers `POST /v1/completions` and `POST /v1/chat/completions`. Both validate the body against
 * its schema first, refuse options they cannot honour, pick the base model or a LoRA adapter by
 * `model`, and answer in OpenAI's response shapes with `finish_reason` "stop" (end of text or a stop
 * string, which is cut off) or "length" (`max_tokens` reached).
 */
export function registerCompletionRoutes(app: FastifyInstance, ctx: CompletionRoutesContext): void {
  app.post<{ Body: CompletionBody }>(
    "/v1/completions",
    { schema: { body: completionBodySchema } },
    async (request, reply) => {
      const body = request.body;
      refuseUnsupported(body);
      const adapter = ctx.models.adapterFor(body.model);
      const sampling = resolveSampling(body, DEFAULT_COMPLETION_MAX_TOKENS, ctx.randomSeed);
      const prompts = typeof body.prompt === "string" ? [body.prompt] : body.prompt;
      const run = await runChoices(ctx.llm, ctx.tokenizer, prompts, sampling, adapter, clientGone(reply));
      return {
        id: `cmpl-${randomUUID()}`,
        object: "text_completion",
        created: Math.floor(ctx.now() / 1000),
        model: body.model ?? ctx.models.base,
        choices: run.completions.map((c, index) => ({
          index,
          text: c.text,
          logprobs: null,
          finish_reason: c.finishReason,
        })),
        usage: run.usage,
      };
    },
  );

  app.post<{ Body: ChatBody }>(
    "/v1/chat/completions",
    { schema: { body: chatBodySchema } },
    async (request, reply) => {
      const body = request.body;
      refuseUnsupported(body);
      const adapter = ctx.models.adapterFor(body.model);
      if (ctx.chatFormatter === undefined) {
        throw new IsaraError(
          "invalid_argument",
          `the model ${ctx.models.base} has no chat template, so it cannot answer chat requests; ` +
            "use /v1/completions with a prompt in the model's own format, or serve an instruction-tuned model",
        );
      }
      const prompt = ctx.chatFormatter(body.messages.map(toChatMessage));
      const maxTokens = body.max_completion_tokens ?? body.max_tokens;
      const sampling = resolveSampling(body, ctx.defaultChatMaxTokens, ctx.randomSeed, maxTokens);
      const run = await runChoices(ctx.llm, ctx.tokenizer, [prompt], sampling, adapter, clientGone(reply));
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: "chat.completion",
        created: Math.floor(ctx.now() / 1000),
        model: body.model ?? ctx.models.base,
        choices: run.completions.map((c, index) => ({
          index,
          message: { role: "assistant", content: c.text },
          logprobs: null,
          finish_reason: c.finishReason,
        })),
        usage: run.usage,
      };
    },
  );
}

/** An OpenAI message as the core's: `developer` is OpenAI's newer name for `system`; text parts are joined. */
function toChatMessage(message: ChatMessageBody): ChatMessage {
  const content =
    typeof message.content === "string" ? message.content : message.content.map((p) => p.text).join("");
  return { role: message.role === "developer" ? "system" : message.role, content };
}

/**
 * A signal that fires when the client closes the connection before its answer was sent, so the
 * completion stops and frees its slot for requests someone still waits for.
 */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) {
      controller.abort(
        new IsaraError("cancelled", "the client closed the connection before the answer was ready"),
      );
    }
  });
  return controller.signal;
}
