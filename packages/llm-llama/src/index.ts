/**
 * @isara/llm-llama: the `Llm` and `Tokenizer` ports run in process by llama.cpp (node-llama-cpp, CPU
 * only) on any GGUF model with optional GGUF LoRA adapters, plus the fixtures that build tiny GGUF
 * models and adapters for tests.
 */
export { type GgufFacts, type GgufRole, inspectGguf } from "./gguf-file.js";
export { encodeGguf, type GgufContent, type GgufTensor, type GgufValue, writeGguf } from "./gguf-writer.js";
export { createLlamaLlm, type LlamaLlm } from "./llama-llm.js";
export { DEFAULT_CONTEXT_SIZE, type LlamaLlmOptions } from "./llama-llm-options.js";
export { DEFAULT_MODEL_FILE, defaultModelPath, MODEL_PATH_ENV, modelCacheDir } from "./model-cache.js";
export {
  TINY_LLAMA_SHAPE,
  type TinyLlamaShape,
  writeTinyLlamaGguf,
  writeTinyLoraGguf,
} from "./tiny-llama-gguf.js";
