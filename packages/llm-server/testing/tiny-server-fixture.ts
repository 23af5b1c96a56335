import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLlamaLlm, type LlamaLlm, writeTinyLlamaGguf, writeTinyLoraGguf } from "@isara/llm-llama";

/** A tiny random llama model loaded in process, with a LoRA adapter for it on disk. */
export interface TinyServerFixture {
  readonly llm: LlamaLlm;
  readonly modelPath: string;
  readonly loraPath: string;
  /** Closes the model and deletes the files. */
  cleanup(): Promise<void>;
}

/**
 * Test support: writes a tiny GGUF model and LoRA (llm-llama's writers) to a temp folder and loads the
 * model the way `main.ts` does (special tokens on), so the app's tests run the real llama.cpp path in
 * milliseconds on any machine, with no model download. Its outputs are gibberish but deterministic.
 * `contextSize` is the tokens per sequence (the tiny model was trained for 2048).
 */
export async function makeTinyServerFixture(contextSize = 256): Promise<TinyServerFixture> {
  const dir = await mkdtemp(join(tmpdir(), "isara-llm-server-"));
  const modelPath = join(dir, "tiny.gguf");
  const loraPath = join(dir, "tiny-lora.gguf");
  await writeTinyLlamaGguf(modelPath);
  await writeTinyLoraGguf(loraPath);
  const llm = await createLlamaLlm({ modelPath, contextSize, specialTokens: true });
  return {
    llm,
    modelPath,
    loraPath,
    cleanup: async () => {
      await llm.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
