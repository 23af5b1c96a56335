/**
 * @isara/llm-server: an OpenAI-compatible HTTP server (`/v1/models`, `/v1/completions`,
 * `/v1/chat/completions`, LoRA adapters served as models) over the in-process llama.cpp `Llm`, so
 * judges and HTTP `Llm` adapters meet a real model where no vLLM or llama.cpp server can run.
 */
export {
  createLlmServerApp,
  DEFAULT_BODY_LIMIT,
  DEFAULT_CHAT_MAX_TOKENS,
  type LlmServerOptions,
} from "./app.js";
export { type ChatFormatter, type ChatTemplate, createChatFormatter } from "./chat-formatter.js";
export { readChatTemplate } from "./chat-template-file.js";
export { DEFAULT_PORT, parseServerArgs, type ServerConfig, USAGE } from "./cli-args.js";
export { type OpenAiErrorBody, toOpenAiError } from "./openai-error.js";
export { checkAdapterFiles, createServedModels, type ModelCard, type ServedModels } from "./served-models.js";
