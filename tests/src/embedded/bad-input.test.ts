import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeGguf } from "@isara/llm-llama";
import { realStackSkip, runCli, runsDir, writeSmallDomain } from "./fixtures.js";

test("a domain folder with broken files is refused with every problem, and no run folder is made", async () => {
  const domain = await writeSmallDomain();
  await writeFile(join(domain, "seeds.jsonl"), '{"prompt": "Is the sky green?", "response": ""}\nnot json\n');
  const runDir = join(await runsDir(), "bad");
  const result = await runCli(["run", domain, "--run-dir", runDir]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /seeds\.jsonl line 1: "response" must not be empty/);
  assert.match(result.stderr, /seeds\.jsonl line 2: .*not valid JSON/);
  assert.ok(!existsSync(runDir), "a refused domain must not leave a run folder");
});

test("a seeds file saved as Latin-1 is refused with its file and line, not read as replacement characters", async () => {
  const domain = await writeSmallDomain();
  const lines = (await readFile(join(domain, "seeds.jsonl"), "utf8")).split("\n");
  lines[1] = '{"prompt": "Is a café open at night?", "response": "Some are."}';
  await writeFile(join(domain, "seeds.jsonl"), Buffer.from(lines.join("\n"), "latin1"));
  const result = await runCli(["validate", domain]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /seeds\.jsonl line 2: not valid UTF-8 at column 21 .*re-save the file as UTF-8/,
  );
});

test("a folder that is not a domain says which files a domain holds", async () => {
  const empty = await mkdtemp(join(tmpdir(), "isara-empty-"));
  const result = await runCli(["validate", empty]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /a domain folder holds domain\.json, seeds\.jsonl, eval\.jsonl/);
});

test("a missing or invalid model file is one clear error and leaves the run folder resumable", {
  skip: realStackSkip(),
}, async () => {
  const domain = await writeSmallDomain();
  const runs = await runsDir();
  const missing = await runCli([
    "run",
    domain,
    "--run-dir",
    join(runs, "m"),
    "--model",
    join(runs, "nope.gguf"),
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.gguf/);
  const notGguf = join(runs, "fake.gguf");
  await writeFile(notGguf, "this is not a model");
  const invalid = await runCli(["run", domain, "--run-dir", join(runs, "i"), "--model", notGguf]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /GGUF/);
  // The start check refused the file before the run folder was made: nothing half-made that a
  // later run would trip over.
  assert.ok(!existsSync(join(runs, "i")));
  // A run that never trains skips that check; llama.cpp's own loading refuses the file, after the
  // domain snapshot and the model's record were written and before anything else.
  const base = await runCli([
    "run",
    domain,
    "--run-dir",
    join(runs, "b"),
    "--model",
    notGguf,
    "--mode",
    "base",
  ]);
  assert.equal(base.code, 2);
  assert.match(base.stderr, /GGUF/);
  assert.deepEqual((await readdir(join(runs, "b"))).sort(), ["domain", "model.json"]);
});

test("a base model of an architecture ISARA cannot train is refused at start, naming it and the supported ones", async () => {
  const domain = await writeSmallDomain();
  const runs = await runsDir();
  const model = join(runs, "qwen.gguf");
  await writeGguf(model, {
    metadata: new Map([["general.architecture", { type: "string", value: "qwen2" }]]),
    tensors: [],
  });
  const result = await runCli(["run", domain, "--run-dir", join(runs, "q"), "--model", model]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /qwen\.gguf is a GGUF architecture "qwen2" model, which ISARA cannot train/);
  assert.match(
    result.stderr,
    /Supported architectures: llama \(SmolLM2, Llama, Mistral\), gemma3 \(.*Gemma 3 270M\)/,
  );
  assert.ok(!existsSync(join(runs, "q")), "a refused run must not leave a run folder");
});

test("a full fine-tune is refused at start in the embedded mode, where llama.cpp applies LoRA adapters only", async () => {
  const domain = await writeSmallDomain();
  const config = JSON.parse(await readFile(join(domain, "domain.json"), "utf8")) as {
    training: Record<string, unknown>;
  };
  config.training.method = "full";
  await writeFile(join(domain, "domain.json"), JSON.stringify(config));
  const runDir = join(await runsDir(), "full");
  const result = await runCli(["run", domain, "--run-dir", runDir]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /training\.method is "full".*set training\.method to "lora"/);
  assert.ok(!existsSync(runDir));
});

test("bad options are refused before anything runs", async () => {
  const domain = await writeSmallDomain();
  const mode = await runCli(["run", domain, "--mode", "magic"]);
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /--mode must be one of isara, base, sft-seeds, icl-knn, icl-random, one-shot/);
  const prompts = await runCli(["run", domain, "--prompts", "0"]);
  assert.equal(prompts.code, 2);
  assert.match(prompts.stderr, /--prompts must be a positive integer/);
});
