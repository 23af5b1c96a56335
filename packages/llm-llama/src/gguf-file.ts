import { open, stat } from "node:fs/promises";
import { IsaraError } from "@isara/core";
import { readGgufFileInfo } from "node-llama-cpp";

/** What the adapter needs to know about a GGUF file before handing it to llama.cpp. */
export interface GgufFacts {
  readonly path: string;
  /** `general.architecture`, e.g. `llama`; a LoRA adapter must match its base model's. */
  readonly architecture: string;
  /** `general.name` when the file has one. */
  readonly name: string | undefined;
}

/** Whether a file is expected to be a full model or a LoRA adapter for one. */
export type GgufRole = "model" | "adapter";

const GGUF_MAGIC = "GGUF";
/** Tokenizer arrays are large and not needed to classify a file. */
const SKIPPED_KEYS = [
  "tokenizer.ggml.tokens",
  "tokenizer.ggml.merges",
  "tokenizer.ggml.scores",
  "tokenizer.ggml.token_type",
];

/**
 * Checks that `path` is a readable GGUF file of the given role and returns its facts. llama.cpp's own
 * errors for a wrong file are vague or fatal to the process, so every mistake a user can make is
 * caught here first: a missing file is `not_found`; a folder, a file that is not GGUF, a model given
 * where an adapter is expected (or the reverse) and an adapter for another architecture are
 * `invalid_argument`, each with a message that says what to change. Reads only the file header;
 * llama.cpp itself refuses tensor data cut short when it loads the file.
 */
export async function inspectGguf(
  path: string,
  role: GgufRole,
  baseArchitecture?: string,
): Promise<GgufFacts> {
  const what = role === "model" ? "model file" : "LoRA adapter file";
  const magic = await readMagic(path, what);
  if (magic !== GGUF_MAGIC) {
    throw new IsaraError(
      "invalid_argument",
      `the ${what} ${path} is not a GGUF file (it starts with ${JSON.stringify(magic)}, a GGUF file starts with "GGUF"); ` +
        (role === "model"
          ? "give the path of a .gguf model (convert other formats with llama.cpp's convert_hf_to_gguf.py)"
          : "give the GGUF LoRA the trainer writes (convert PEFT adapters with llama.cpp's convert_lora_to_gguf.py)"),
    );
  }
  let metadata: unknown;
  try {
    const info = await readGgufFileInfo(path, {
      readTensorInfo: true,
      sourceType: "filesystem",
      ignoreKeys: SKIPPED_KEYS,
      logWarnings: false,
    });
    // The reader pads a short file with zeros instead of failing, so check the lengths it found.
    const end = Math.max(
      info.infoEndOffset ?? 0,
      ...(info.tensorInfo ?? []).map((t) => Number(t.fileOffset)),
    );
    const size = (await stat(path)).size;
    if (end > size)
      throw new Error(`the header says the data starts at byte ${end}, but the file has ${size} bytes`);
    metadata = info.metadata;
  } catch (err) {
    throw new IsaraError(
      "invalid_argument",
      `the ${what} ${path} starts like a GGUF file but is cut short or corrupt (${errorMessage(err)}); ` +
        "fetch or convert it again",
      undefined,
      { cause: err },
    );
  }
  const architecture = stringAt(metadata, "general", "architecture");
  const type = stringAt(metadata, "general", "type") ?? "model";
  if (architecture === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `the ${what} ${path} has no general.architecture; it is not a usable GGUF`,
    );
  }
  if (role === "model" && type === "adapter") {
    throw new IsaraError(
      "invalid_argument",
      `${path} is a LoRA adapter, not a model; give it as the adapter and the base model's GGUF as the model`,
    );
  }
  if (role === "adapter") {
    const adapterType = stringAt(metadata, "adapter", "type");
    if (type !== "adapter" || adapterType !== "lora") {
      throw new IsaraError(
        "invalid_argument",
        `${path} is not a GGUF LoRA adapter (general.type = ${type}, adapter.type = ${adapterType ?? "missing"}); ` +
          "give the GGUF LoRA the trainer writes, or leave the adapter out to use the base model",
      );
    }
    if (baseArchitecture !== undefined && architecture !== baseArchitecture) {
      throw new IsaraError(
        "invalid_argument",
        `the LoRA adapter ${path} was made for a ${architecture} model, but the loaded model is ${baseArchitecture}; ` +
          "use an adapter trained from this base model",
      );
    }
  }
  return { path, architecture, name: stringAt(metadata, "general", "name") };
}

async function readMagic(path: string, what: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return head.subarray(0, bytesRead).toString("latin1");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new IsaraError(
        "not_found",
        `the ${what} ${path} does not exist; check the path (the default model is fetched by infra/fetch-models.sh)`,
        undefined,
        { cause: err },
      );
    }
    if (code === "EISDIR") {
      throw new IsaraError(
        "invalid_argument",
        `the ${what} ${path} is a folder; give the path of the .gguf file in it`,
      );
    }
    throw new IsaraError(
      "invalid_argument",
      `the ${what} ${path} cannot be read (${errorMessage(err)})`,
      undefined,
      {
        cause: err,
      },
    );
  } finally {
    await handle?.close();
  }
}

function stringAt(value: unknown, section: string, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const inner: unknown = (value as Record<string, unknown>)[section];
  if (typeof inner !== "object" || inner === null) return undefined;
  const found: unknown = (inner as Record<string, unknown>)[key];
  return typeof found === "string" ? found : undefined;
}

/** The message of an unknown thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
