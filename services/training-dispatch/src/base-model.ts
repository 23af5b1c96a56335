/**
 * The base model a replica trains. `TrainWork.base_model` carries the name the controller's
 * `BASE_MODEL` gives (the name the serving backend knows, e.g. `SmolLM2-135M-Instruct-Q4_1`), while
 * the trainer needs a file or folder; one deployment trains one base model (`BASE_MODEL_PATH`), as
 * one evaluation deployment serves one, and names it the way `@isara/llm-backends` does for llama.cpp:
 * its id, its file name or its path. A work naming another model is refused for good (not retried):
 * no retry can make this replica hold another model.
 */
import { basename, isAbsolute, resolve } from "node:path";

/** The model this replica trains, and which names mean it. */
export interface BaseModel {
  /** Absolute path of the GGUF file or Hugging Face folder handed to the trainer. */
  readonly path: string;
  /** The name logs and errors use. */
  readonly id: string;
  /** `true` when a work's `base_model` means this model. */
  serves(name: string): boolean;
}

/**
 * The base model at `path`, named `id` (default: the file or folder name without `.gguf`, as
 * llama.cpp backends name their model), its file name, or its path.
 */
export function baseModel(path: string, id?: string): BaseModel {
  const absolute = resolve(path);
  const file = basename(absolute);
  const modelId = id ?? file.replace(/\.gguf$/i, "");
  const names = new Set([modelId, file, absolute]);
  return {
    path: absolute,
    id: modelId,
    serves: (name) => names.has(name) || (isAbsolute(name) && resolve(name) === absolute),
  };
}
