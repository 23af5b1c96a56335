/**
 * @isara/llm-backends: the LLM a distributed service runs on, chosen by one shared set of environment
 * variables (`LLM_BACKEND=llama|openai`, ...): llama.cpp in process or an OpenAI-compatible HTTP
 * server, with what each backend means by a base model name and an adapter reference. The embedded
 * CLI loads its llama.cpp model here too, so both modes load a model the same way. Each backend is one
 * definition file listed in the backend registry, from which the rest is derived.
 */
export * from "./backend-definition.js";
export * from "./backend-registry.js";
export * from "./deadline-llm.js";
export * from "./estimating-tokenizer.js";
export * from "./llama-backend.js";
export * from "./llm-backend.js";
export * from "./llm-backend-env.js";
export * from "./openai-backend.js";
