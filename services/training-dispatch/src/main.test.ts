/** The service's process as an operator starts it: `node dist/main.js` with its environment. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeGguf } from "@isara/llm-llama";

const main = join(dirname(fileURLToPath(import.meta.url)), "main.js");

test("a bad environment stops the service at start with every problem listed", () => {
  const run = spawnSync(process.execPath, [main], {
    env: { PATH: process.env.PATH, HTTP_PORT: "80800", TRAINER_DEVICE: "gpu" },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /invalid configuration \(5 problems\)/);
  for (const variable of [
    "KAFKA_BROKERS",
    "ARTIFACT_ROOT",
    "BASE_MODEL_PATH",
    "HTTP_PORT",
    "TRAINER_DEVICE",
  ]) {
    assert.match(run.stderr, new RegExp(`^  ${variable}: `, "m"), variable);
  }
});

test("a replica without its trainer environment or base model stops at start and says what is missing", () => {
  const run = spawnSync(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      KAFKA_BROKERS: "127.0.0.1:1",
      ARTIFACT_ROOT: "/tmp/isara-nowhere",
      BASE_MODEL_PATH: "/nonexistent/models/tiny.gguf",
      TRAINER_PYTHON: "/nonexistent/venv/bin/python",
    },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(run.status, 1);
  const fatal = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { level: string; msg: string; err?: { message: string } })
    .find((l) => l.level === "fatal");
  assert.ok(fatal, run.stdout + run.stderr);
  assert.match(fatal.err?.message ?? "", /TRAINER_PYTHON \/nonexistent\/venv\/bin\/python does not exist/);
  assert.match(fatal.err?.message ?? "", /BASE_MODEL_PATH \/nonexistent\/models\/tiny.gguf does not exist/);
});

test("a replica whose base model is of an unsupported architecture stops at start, naming it and the supported ones", async () => {
  const model = join(await mkdtemp(join(tmpdir(), "isara-dispatch-arch-")), "qwen.gguf");
  await writeGguf(model, {
    metadata: new Map([["general.architecture", { type: "string", value: "qwen2" }]]),
    tensors: [],
  });
  const run = spawnSync(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      KAFKA_BROKERS: "127.0.0.1:1",
      ARTIFACT_ROOT: "/tmp/isara-nowhere",
      BASE_MODEL_PATH: model,
      // Any interpreter that exists passes that part of the check.
      TRAINER_PYTHON: process.execPath,
    },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(run.status, 1);
  const fatal = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { level: string; msg: string; err?: { message: string } })
    .find((l) => l.level === "fatal");
  assert.ok(fatal, run.stdout + run.stderr);
  assert.equal(fatal.msg, "the trainer cannot run on this replica");
  assert.match(
    fatal.err?.message ?? "",
    /BASE_MODEL_PATH: the base model .*qwen\.gguf is a GGUF architecture "qwen2" model/,
  );
  assert.match(fatal.err?.message ?? "", /Supported architectures: llama \(.*\), gemma3 \(/);
});
