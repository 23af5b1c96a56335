import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { IsaraError } from "@isara/core";

/**
 * One model architecture the trainer supports for LoRA, end to end: transformers trains the adapter,
 * the trainer writes it as a GGUF LoRA that llama.cpp loads onto the same GGUF base model, and
 * generation runs with it.
 */
export interface SupportedArchitecture {
  /** `general.architecture` of the GGUF base model (and of the adapter the trainer writes for it). */
  readonly gguf: string;
  /** transformers `model_type` values of this architecture (a Hugging Face folder's config.json). */
  readonly modelTypes: readonly string[];
  /** Models of this architecture, for messages. */
  readonly examples: string;
}

/**
 * The one list of supported architectures on the Node side, which both modes check at run start
 * (`checkTrainableBaseModel`: the CLI before an embedded run, training-dispatch before it takes
 * work). Anything else would train a PEFT adapter that llama.cpp never applies, and generation would
 * silently run on the base model. The Python trainer holds the same list with what it needs to
 * export each one (`services/trainer/src/isara_trainer/architectures.py`, printed by `python -m
 * isara_trainer architectures`); a test fails when the two differ.
 */
export const SUPPORTED_ARCHITECTURES: readonly SupportedArchitecture[] = [
  { gguf: "llama", modelTypes: ["llama", "mistral"], examples: "SmolLM2, Llama, Mistral" },
  { gguf: "gemma3", modelTypes: ["gemma3_text"], examples: "Gemma 3 text models, e.g. Gemma 3 270M" },
];

/** The supported architectures in words, for messages. */
export function supportedArchitecturesText(): string {
  return SUPPORTED_ARCHITECTURES.map((a) => `${a.gguf} (${a.examples})`).join(", ");
}

/** What a base model is, as far as the supported list is concerned. */
export interface BaseModelArchitecture {
  /** Where it was read: a GGUF header's `general.architecture`, or a folder's config.json `model_type`. */
  readonly source: "gguf" | "model_type";
  readonly name: string;
  /** The supported architecture it is, or `undefined`. */
  readonly supported: SupportedArchitecture | undefined;
}

/**
 * The architecture of a base model: a GGUF file (from its header, without reading the tensors or
 * the vocabulary) or a Hugging Face model folder (from config.json). Synchronous, for the services'
 * setup checks; it reads at most 1 MiB.
 * @throws IsaraError `not_found` when the path does not exist, `invalid_argument` when it is neither
 *   a GGUF file with `general.architecture` nor a folder with a config.json that names a `model_type`.
 */
export function baseModelArchitecture(path: string): BaseModelArchitecture {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new IsaraError(
      e.code === "ENOENT" ? "not_found" : "invalid_argument",
      `the base model ${path} ${e.code === "ENOENT" ? "does not exist" : `cannot be read (${e.message})`}; ` +
        "give a GGUF file (infra/fetch-models.sh fetches the default one) or a Hugging Face model folder",
    );
  }
  if (isDirectory) {
    const modelType = folderModelType(path);
    return {
      source: "model_type",
      name: modelType,
      supported: SUPPORTED_ARCHITECTURES.find((a) => a.modelTypes.includes(modelType)),
    };
  }
  const name = ggufArchitecture(path);
  return { source: "gguf", name, supported: SUPPORTED_ARCHITECTURES.find((a) => a.gguf === name) };
}

/**
 * Refuses, before a run does any work, a base model whose LoRA adapters llama.cpp could not apply:
 * returns its architecture when it is in {@link SUPPORTED_ARCHITECTURES}.
 * @throws IsaraError `invalid_argument` naming the model's architecture and the supported ones (and
 *   the errors of {@link baseModelArchitecture}).
 */
export function checkTrainableBaseModel(path: string): SupportedArchitecture {
  const found = baseModelArchitecture(path);
  if (found.supported !== undefined) return found.supported;
  const what = found.source === "gguf" ? `GGUF architecture "${found.name}"` : `model_type "${found.name}"`;
  throw new IsaraError(
    "invalid_argument",
    `the base model ${path} is a ${what} model, which ISARA cannot train: its LoRA adapter would not be a GGUF ` +
      `adapter llama.cpp applies, so generation after training would run on the base model alone. ` +
      `Supported architectures: ${supportedArchitecturesText()}; use a model of one of them`,
  );
}

function folderModelType(path: string): string {
  const file = join(path, "config.json");
  let modelType: unknown;
  try {
    modelType = (JSON.parse(readFileSync(file, "utf8")) as { model_type?: unknown }).model_type;
  } catch (err) {
    throw new IsaraError(
      "invalid_argument",
      `the base model folder ${path} has no readable config.json (${(err as Error).message}); ` +
        "give a Hugging Face model folder or a GGUF file",
    );
  }
  if (typeof modelType !== "string" || modelType === "") {
    throw new IsaraError(
      "invalid_argument",
      `${file} names no model_type; it is not a Hugging Face model folder`,
    );
  }
  return modelType;
}

/** GGUF metadata value types (ggml's gguf_type) and the sizes of the fixed-size ones. */
const SCALAR_BYTES: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};
const STRING = 8;
const ARRAY = 9;
/** Headers are read this far at most; `general.architecture` is the first key llama.cpp writes. */
const HEADER_LIMIT = 1 << 20;

/**
 * `general.architecture` from a GGUF file's header (GGUF versions 2 and 3), reading only the
 * metadata before it.
 * @throws IsaraError `invalid_argument` when the file is not a GGUF or names no architecture.
 */
export function ggufArchitecture(path: string): string {
  const fd = openSync(path, "r");
  let head: Buffer;
  try {
    head = Buffer.alloc(HEADER_LIMIT);
    head = head.subarray(0, readSync(fd, head, 0, HEADER_LIMIT, 0));
  } finally {
    closeSync(fd);
  }
  const bad = (why: string) =>
    new IsaraError(
      "invalid_argument",
      `the base model ${path} ${why}; give a GGUF model file or a Hugging Face folder`,
    );
  if (head.subarray(0, 4).toString("latin1") !== "GGUF") throw bad("is not a GGUF file");
  try {
    const version = head.readUInt32LE(4);
    if (version < 2) throw bad(`is a GGUF of version ${version}, older than llama.cpp reads`);
    const kvCount = Number(head.readBigUInt64LE(16));
    let at = 24;
    const readString = (): string => {
      const length = Number(head.readBigUInt64LE(at));
      at += 8;
      if (at + length > head.length) throw new RangeError("string past the header");
      const s = head.toString("utf8", at, at + length);
      at += length;
      return s;
    };
    const skip = (type: number): void => {
      const fixed = SCALAR_BYTES[type];
      if (fixed !== undefined) at += fixed;
      else if (type === STRING) at += 8 + Number(head.readBigUInt64LE(at));
      else if (type === ARRAY) {
        const item = head.readUInt32LE(at);
        const count = Number(head.readBigUInt64LE(at + 4));
        at += 12;
        const itemBytes = SCALAR_BYTES[item];
        if (itemBytes !== undefined) at += itemBytes * count;
        else for (let i = 0; i < count; i++) skip(item);
      } else throw new RangeError(`unknown value type ${type}`);
      if (at > head.length) throw new RangeError("value past the header");
    };
    for (let i = 0; i < kvCount; i++) {
      const key = readString();
      const type = head.readUInt32LE(at);
      at += 4;
      if (key === "general.architecture") {
        if (type !== STRING) break;
        return readString();
      }
      skip(type);
    }
  } catch (err) {
    if (err instanceof IsaraError) throw err;
    throw bad(`has a GGUF header that cannot be read (${(err as Error).message})`);
  }
  throw bad("has no general.architecture in its GGUF header");
}
