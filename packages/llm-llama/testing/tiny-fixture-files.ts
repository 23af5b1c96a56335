import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompletionRequest } from "@isara/core";
import { writeTinyLlamaGguf, writeTinyLoraGguf } from "../src/tiny-llama-gguf.js";

/** Paths of the files {@link makeTinyFixtureFiles} writes, and a way to delete them. */
export interface TinyFixtureFiles {
  readonly dir: string;
  /** A random tiny llama model. */
  readonly model: string;
  /** A LoRA adapter for `model`. */
  readonly lora: string;
  /** A tiny model that repeats its input (see `TinyLlamaOptions.echo`). */
  readonly echo: string;
  /** A text file named like a model. */
  readonly notGguf: string;
  /** The first 64 bytes of `model`: a GGUF header cut short. */
  readonly truncated: string;
  /** The first half of `model`: a whole header, tensor data cut short. */
  readonly cutInData: string;
  /** A folder named like a model. */
  readonly folder: string;
  /** Deletes every file above. */
  cleanup(): Promise<void>;
}

/**
 * Writes, into a fresh temp folder, every file the adapter's tests load: good GGUFs (model, LoRA,
 * echo model) and bad ones (not a GGUF, a truncated header, a folder). Test support only; it lets
 * the tests of the real llama.cpp path run anywhere in well under a second, with no download.
 */
export async function makeTinyFixtureFiles(): Promise<TinyFixtureFiles> {
  const dir = await mkdtemp(join(tmpdir(), "isara-llm-llama-"));
  const model = join(dir, "tiny.gguf");
  const lora = join(dir, "tiny-lora.gguf");
  const echo = join(dir, "tiny-echo.gguf");
  const notGguf = join(dir, "notes.gguf");
  const truncated = join(dir, "truncated.gguf");
  const cutInData = join(dir, "cut-in-data.gguf");
  const folder = join(dir, "folder.gguf");
  await writeTinyLlamaGguf(model);
  await writeTinyLoraGguf(lora);
  await writeTinyLlamaGguf(echo, { echo: true });
  await writeFile(notGguf, "this is a text file, not a model\n");
  const modelBytes = await readFile(model);
  await writeFile(truncated, modelBytes.subarray(0, 64));
  await writeFile(cutInData, modelBytes.subarray(0, modelBytes.length >> 1));
  await mkdir(folder);
  return {
    dir,
    model,
    lora,
    echo,
    notGguf,
    truncated,
    cutInData,
    folder,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A deterministic request for tests: greedy decoding, no penalty, seed 0, so the same model gives the
 * same text every time and a test can compare outputs exactly.
 */
export function greedyRequest(prompt: string, maxTokens: number): CompletionRequest {
  return { prompt, maxTokens, temperature: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
}
