/**
 * @isara/llm-backends/openai: the `Llm` and `ChatModel` ports over any OpenAI-compatible HTTP server (vLLM
 * with multi-LoRA, llama.cpp server, TGI, Ollama), with per-attempt timeouts, jittered retries and
 * `IsaraError`s that say what to fix. The fake server for tests is exported from `./testing`.
 */
export { type BackoffPolicy, parseRetryAfter, retryDelay } from "./backoff.js";
export type { StatusHints } from "./http-errors.js";
export { type JsonPost, postJson, type RetryEvent, type RetryPolicy } from "./http-request.js";
export { CHAT_COMPLETIONS_PATH, createOpenAiChat, type OpenAiChat } from "./openai-chat.js";
export { COMPLETIONS_PATH, createOpenAiLlm, estimateTokens, type OpenAiLlm } from "./openai-llm.js";
export {
  type BackoffOptions,
  type HeaderSource,
  type OpenAiOptions,
  type ResolvedOpenAiOptions,
  resolveOpenAiOptions,
} from "./openai-options.js";
