import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { repoRoot } from "@isara/testkit";
import {
  baseModelArchitecture,
  checkTrainableBaseModel,
  ggufArchitecture,
  SUPPORTED_ARCHITECTURES,
} from "./architectures.js";

const python = join(repoRoot(), "services/trainer/.venv/bin/python");

/** GGUF header bytes (version 3, no tensors) with the given metadata, in order. */
function gguf(entries: ReadonlyArray<readonly [string, "u32" | "string" | "strings", unknown]>): Buffer {
  const parts: Buffer[] = [Buffer.from("GGUF", "latin1")];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };
  const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s, "utf8")]);
  parts.push(u32(3), u64(0), u64(entries.length));
  for (const [key, type, value] of entries) {
    parts.push(str(key));
    if (type === "u32") parts.push(u32(4), u32(value as number));
    else if (type === "string") parts.push(u32(8), str(value as string));
    else {
      const items = value as string[];
      parts.push(u32(9), u32(8), u64(items.length), ...items.map(str));
    }
  }
  return Buffer.concat(parts);
}

async function file(name: string, content: Buffer | string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "isara-arch-")), name);
  await writeFile(path, content);
  return path;
}

async function folder(config: unknown): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "isara-arch-")), "model");
  await mkdir(dir);
  await writeFile(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

test("the supported list is the Python trainer's", {
  skip: existsSync(python) ? false : `the trainer's environment is missing (${python}); run 'make setup'`,
}, () => {
  const trainer = JSON.parse(
    execFileSync(python, ["-m", "isara_trainer", "architectures"], { encoding: "utf8" }),
  ) as {
    gguf: string;
    modelTypes: string[];
  }[];
  assert.deepEqual(
    SUPPORTED_ARCHITECTURES.map((a) => ({ gguf: a.gguf, modelTypes: [...a.modelTypes] })),
    trainer.map((a) => ({ gguf: a.gguf, modelTypes: a.modelTypes })),
  );
});

test("a GGUF's architecture is read from its header, past the keys before it", async () => {
  const path = await file(
    "m.gguf",
    gguf([
      ["general.alignment", "u32", 32],
      ["general.tags", "strings", ["a", "bc"]],
      ["general.architecture", "string", "gemma3"],
    ]),
  );
  assert.equal(ggufArchitecture(path), "gemma3");
  assert.equal(checkTrainableBaseModel(path).gguf, "gemma3");
});

test("a GGUF of another architecture is refused, naming it and what is supported", async () => {
  const path = await file("qwen.gguf", gguf([["general.architecture", "string", "qwen2"]]));
  assert.throws(
    () => checkTrainableBaseModel(path),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"), String(err));
      assert.match(err.message, /GGUF architecture "qwen2"/);
      assert.match(err.message, /Supported architectures: llama \(.*\), gemma3 \(.*Gemma 3 270M\)/);
      return true;
    },
  );
});

test("a Hugging Face folder is judged by config.json's model_type", async () => {
  assert.equal(checkTrainableBaseModel(await folder({ model_type: "mistral" })).gguf, "llama");
  assert.equal(checkTrainableBaseModel(await folder({ model_type: "gemma3_text" })).gguf, "gemma3");
  // The multimodal Gemma 3 (model_type gemma3) nests its text model elsewhere: not supported.
  const multimodal = await folder({ model_type: "gemma3" });
  assert.throws(
    () => checkTrainableBaseModel(multimodal),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /model_type "gemma3"/);
      return true;
    },
  );
  const none = baseModelArchitecture(await folder({ model_type: "gpt2" }));
  assert.deepEqual([none.source, none.name, none.supported], ["model_type", "gpt2", undefined]);
});

test("a missing path, a file that is not GGUF and a GGUF without an architecture say what is wrong", async () => {
  assert.throws(
    () => checkTrainableBaseModel("/nonexistent/model.gguf"),
    (err: unknown) => isIsaraError(err, "not_found"),
  );
  const text = await file("x.gguf", "hello");
  assert.throws(
    () => checkTrainableBaseModel(text),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /is not a GGUF file/);
      return true;
    },
  );
  const noArchitecture = await file("y.gguf", gguf([["a", "u32", 1]]));
  assert.throws(() => checkTrainableBaseModel(noArchitecture), /no general\.architecture/);
  const cut = await file("z.gguf", gguf([]).subarray(0, 20));
  assert.throws(() => checkTrainableBaseModel(cut), /cannot be read/);
  const empty = join(await mkdtemp(join(tmpdir(), "isara-arch-")), "empty");
  await mkdir(empty);
  assert.throws(() => checkTrainableBaseModel(empty), /no readable config\.json/);
});
