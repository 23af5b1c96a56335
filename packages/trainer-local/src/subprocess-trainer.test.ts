import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isIsaraError, type TrainSpec } from "@isara/core";
import { repoRoot } from "@isara/testkit";
import { createSubprocessTrainer } from "./subprocess-trainer.js";

const python = join(repoRoot(), "services/trainer/.venv/bin/python");
const noTrainer = existsSync(python)
  ? false
  : `the trainer's environment is missing (${python}); run 'make setup'`;

async function spec(overrides: Partial<TrainSpec> = {}): Promise<TrainSpec> {
  const dir = await mkdtemp(join(tmpdir(), "isara-trainer-"));
  return {
    baseModel: join(dir, "no-model.gguf"),
    datasetPath: join(dir, "missing.jsonl"),
    method: "lora",
    learningRate: 2e-4,
    epochs: 1,
    batchSize: 2,
    maxSequenceLength: 64,
    loraRank: 4,
    loraAlpha: 8,
    loraDropout: 0,
    seed: 1,
    outputDir: join(dir, "out"),
    ...overrides,
  };
}

test("a trainer that cannot start is a not_found error that says how to install it", async () => {
  const trainer = createSubprocessTrainer({ python: "/nonexistent/python3" });
  await assert.rejects(trainer.train(await spec()), (err: unknown) => {
    assert.ok(isIsaraError(err, "not_found"));
    assert.match(err.message, /cannot start the trainer with '\/nonexistent\/python3'.*make setup/);
    return true;
  });
});

test("a spec the real trainer refuses becomes invalid_argument with the trainer's own reason", {
  skip: noTrainer,
}, async () => {
  const trainer = createSubprocessTrainer({ python, cwd: join(repoRoot(), "services/trainer") });
  const s = await spec();
  await assert.rejects(trainer.train(s), (err: unknown) => {
    assert.ok(isIsaraError(err, "invalid_argument"), String(err));
    assert.match(err.message, /missing\.jsonl/);
    return true;
  });
  // The spec the trainer was given is kept beside its outputs, for a person to inspect.
  assert.deepEqual(JSON.parse(await readFile(join(s.outputDir, "spec.json"), "utf8")), s);
});
