import { IsaraError } from "@isara/core";
import { inspectGguf } from "@isara/llm-llama";

/** One entry of `GET /v1/models`, in the OpenAI shape plus vLLM's `root`/`parent` for LoRA adapters. */
export interface ModelCard {
  readonly id: string;
  readonly object: "model";
  readonly created: number;
  readonly owned_by: "isara";
  /** The base model every served model runs on. */
  readonly root: string;
  /** The base model for a LoRA adapter; null for the base model itself. */
  readonly parent: string | null;
}

/**
 * The names a server answers to: the base model, and each LoRA adapter under its own name. This is
 * how vLLM serves LoRA adapters (`--lora-modules name=path`): a request's `model` picks the adapter,
 * so one server holds the base model once and every round's adapter beside it.
 */
export interface ServedModels {
  readonly base: string;
  /** Every served name, base first. */
  readonly names: readonly string[];
  /**
   * The adapter file for a request's `model`: undefined for the base model (or no model given).
   * An unknown name is `not_found`, and the message lists the served names so the caller can fix it.
   */
  adapterFor(model: string | null | undefined): string | undefined;
  /** The `GET /v1/models` entries; `created` is the server's start time in Unix seconds. */
  cards(created: number): ModelCard[];
}

/**
 * Builds the served names from the base model's name and `adapters` (name → GGUF LoRA path). Names
 * must be non-empty and differ from the base name, since a request could not tell them apart.
 */
export function createServedModels(
  base: string,
  adapters: Readonly<Record<string, string>> = {},
): ServedModels {
  const problems: string[] = [];
  if (base.trim() === "") problems.push("the base model name must not be empty");
  for (const [name, path] of Object.entries(adapters)) {
    if (name.trim() === "") problems.push(`the adapter at ${path} has an empty name`);
    if (name === base)
      problems.push(`the adapter ${path} is named "${name}", like the base model; rename it`);
    if (path.trim() === "") problems.push(`the adapter "${name}" has an empty path`);
  }
  if (problems.length > 0) {
    throw new IsaraError("invalid_argument", `invalid served models: ${problems.join("; ")}`, { problems });
  }
  const byName = new Map(Object.entries(adapters));
  const names = [base, ...byName.keys()];
  return {
    base,
    names,
    adapterFor(model) {
      if (model === undefined || model === null || model === base) return undefined;
      const path = byName.get(model);
      if (path !== undefined) return path;
      throw new IsaraError(
        "not_found",
        `the model "${model}" does not exist; this server serves ${names.map((n) => `"${n}"`).join(", ")}`,
        { param: "model", served: names },
      );
    },
    cards(created) {
      return names.map((id) => ({
        id,
        object: "model",
        created,
        owned_by: "isara",
        root: base,
        parent: id === base ? null : base,
      }));
    },
  };
}

/**
 * Checks, before the server starts, that every adapter is a readable GGUF LoRA made for the model's
 * architecture; llama.cpp would otherwise find out at the first request for it, as a 400 the caller
 * cannot fix. Fails with the first bad file's `not_found` / `invalid_argument` error.
 */
export async function checkAdapterFiles(
  modelPath: string,
  adapters: Readonly<Record<string, string>>,
): Promise<void> {
  const model = await inspectGguf(modelPath, "model");
  for (const path of Object.values(adapters)) await inspectGguf(path, "adapter", model.architecture);
}
