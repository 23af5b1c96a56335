import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { checkRunModel, runModelRecord, writeRunModel } from "./run-model.js";

async function files() {
  const dir = await mkdtemp(join(tmpdir(), "isara-run-model-"));
  const first = join(dir, "gemma-3-270m-q4_k_m.gguf");
  const other = join(dir, "SmolLM2-135M-Instruct.Q4_1.gguf");
  await writeFile(first, Buffer.alloc(300));
  await writeFile(other, Buffer.alloc(100));
  const runDir = await mkdtemp(join(tmpdir(), "isara-run-"));
  return { first, other, runDir };
}

test("a run folder resumes on the model it started with and refuses another, naming both and the fix", async () => {
  const { first, other, runDir } = await files();
  await writeRunModel(runDir, await runModelRecord(first));
  await checkRunModel(runDir, first);
  await assert.rejects(
    checkRunModel(runDir, other),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      err.message.includes(
        "started with the model gemma-3-270m-q4_k_m.gguf (300 bytes), not SmolLM2-135M-Instruct.Q4_1.gguf (100 bytes)",
      ) &&
      err.message.includes("pass --model <that file>"),
  );
});

test("a run folder made before runs recorded their model gets the record on resume", async () => {
  const { first, other, runDir } = await files();
  await checkRunModel(runDir, first);
  assert.deepEqual(JSON.parse(await readFile(join(runDir, "model.json"), "utf8")), {
    file: "gemma-3-270m-q4_k_m.gguf",
    bytes: 300,
  });
  await assert.rejects(checkRunModel(runDir, other), /started with the model gemma-3-270m-q4_k_m\.gguf/);
});

test("a missing model file is refused before anything is written", async () => {
  const { runDir } = await files();
  await assert.rejects(
    runModelRecord(join(runDir, "nope.gguf")),
    (err) => isIsaraError(err, "not_found") && err.message.includes("nope.gguf does not exist"),
  );
});
