/**
 * Test support for the tests that run the real Python trainer: where its environment is, why the
 * tests skip without it, and a tiny llama base model (2 layers, hidden size 32, a 400-token BPE) built
 * by the trainer's own test helpers (`services/trainer/tests/tiny_models.py`) and written as a GGUF
 * that both the trainer and llama.cpp load, so a real training takes seconds on a CPU. Not exported.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@isara/testkit";

/** The trainer's Python environment, as `make setup` (infra/trainer-env.sh) creates it. */
export const TRAINER_PYTHON =
  process.env.ISARA_TRAINER_PYTHON ?? join(repoRoot(), "services/trainer/.venv/bin/python");

/** Why the real-trainer tests cannot run here, or `false` when they can. */
export const noTrainer: string | false = existsSync(TRAINER_PYTHON)
  ? false
  : `the trainer's Python environment is missing (${TRAINER_PYTHON}); run 'make setup' (infra/trainer-env.sh) to train for real`;

const WRITE_TINY_GGUF = `
import sys
from pathlib import Path
from tiny_models import build_model, build_tokenizer, write_gguf
tokenizer = build_tokenizer()
write_gguf(build_model(len(tokenizer), seed=1), tokenizer, Path(sys.argv[1]))
`;

/** Writes the tiny llama GGUF to `path`. */
export async function writeTinyTrainableGguf(path: string): Promise<void> {
  await promisify(execFile)(TRAINER_PYTHON, ["-c", WRITE_TINY_GGUF, path], {
    env: { ...process.env, PYTHONPATH: join(repoRoot(), "services/trainer/tests") },
    timeout: 120_000,
  });
}
