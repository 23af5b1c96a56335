/**
 * `isara run --baseline-from`: round 0's zero-shot evaluation of the base model, made once by a
 * finished run, is reused by a run that would make exactly the same one, and refused, saying what
 * differs, by a run that would not. Uses the `base` mode (round 0 is its only step), so nothing trains.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { writeGguf } from "@isara/llm-llama";
import { realStackSkip, runCli, runsDir, writeSmallDomain } from "./fixtures.js";

test("a run reuses a finished run's base-model evaluation only where it would make the same one", {
  skip: realStackSkip(),
  timeout: 600_000,
}, async () => {
  const domain = await writeSmallDomain();
  const runs = await runsDir();
  const first = join(runs, "base-a");
  const made = await runCli(["run", domain, "--run-dir", first, "--mode", "base", "--json"]);
  assert.equal(made.code, 0, made.stderr);

  const second = join(runs, "base-b");
  const reused = await runCli([
    "run",
    domain,
    "--run-dir",
    second,
    "--mode",
    "base",
    "--json",
    "--baseline-from",
    first,
  ]);
  assert.equal(reused.code, 0, reused.stderr);
  assert.match(reused.stdout, /round 0: the base model's evaluation is reused from /);
  const text = (dir: string, file: string) => readFile(join(dir, file), "utf8");
  assert.equal(await text(second, "round-0/eval.jsonl"), await text(first, "round-0/eval.jsonl"));
  const round0 = async (dir: string) =>
    (JSON.parse(await text(dir, "metrics.json")) as { rounds: { metrics: object }[] }).rounds[0]?.metrics;
  assert.deepEqual(await round0(second), await round0(first));

  // Other eval items: the answers would differ, so the run is refused before its folder is made.
  const evalLines = (await text(domain, "eval.jsonl")).split("\n").filter(Boolean);
  await writeFile(join(domain, "eval.jsonl"), `${evalLines.slice(1).join("\n")}\n`);
  const otherEval = join(runs, "other-eval");
  const refused = await runCli([
    "run",
    domain,
    "--run-dir",
    otherEval,
    "--mode",
    "base",
    "--baseline-from",
    first,
  ]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--baseline-from .*base-a: its eval\.jsonl differs from this run's/);
  assert.ok(!existsSync(otherEval), "a refused run leaves no run folder");

  // Another model file: refused, naming both.
  const otherModel = join(runs, "other.gguf");
  await writeGguf(otherModel, {
    metadata: new Map([["general.architecture", { type: "string", value: "llama" }]]),
    tensors: [],
  });
  const wrongModel = await runCli([
    "run",
    domain,
    "--run-dir",
    join(runs, "other-model"),
    "--mode",
    "base",
    "--model",
    otherModel,
    "--baseline-from",
    first,
  ]);
  assert.equal(wrongModel.code, 2);
  assert.match(
    wrongModel.stderr,
    /that run used the model SmolLM2-135M-Instruct\.Q4_1\.gguf \(\d+ bytes\), this one other\.gguf/,
  );
});
