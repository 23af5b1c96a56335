import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parseRunState, type Sample } from "@isara/core";
import {
  jsonl,
  realStackSkip,
  runCli,
  runsDir,
  startCli,
  TRAINER_PYTHON,
  waitFor,
  writeSmallDomain,
} from "./fixtures.js";

const skip = realStackSkip();

/**
 * One run, interrupted four ways on its way through a full round with the real SmolLM2 model, the real
 * encoder, LanceDB and a real LoRA training step:
 * 1. `kill -9` while prompts are being written → the same command resumes and keeps the finished slots;
 * 2. Ctrl-C (SIGINT) while answers are written → exit 130, the state still points at answers;
 * 3. the trainer process dies (a stand-in interpreter that SIGKILLs itself, as the OOM killer would)
 *    → one clear message, exit 1, state `failed` at train, every earlier artifact intact;
 * 4. `kill -9` while the real trainer runs → the trainer exits with its parent, no orphan keeps writing;
 * 5. the same command with the real trainer → resumes at train and finishes the round.
 * Then the round's data is checked the way a user would: every slot accounted for exactly once.
 */
test("isara run survives kill -9, Ctrl-C and a crashing trainer, and finishes a real round", {
  skip,
  timeout: 900_000,
}, async () => {
  const domain = await writeSmallDomain();
  const runDir = join(await runsDir(), "small-run");
  const args = ["run", domain, "--run-dir", runDir, "--json"];
  const partialPrompts = join(runDir, "round-1/prompts.jsonl.partial");

  // 1. kill -9 mid-prompts
  const first = startCli(args);
  await waitFor(async () => (await jsonl(partialPrompts)).length >= 2, 300_000, "two prompts to be written");
  first.kill("SIGKILL");
  assert.equal((await first.done).signal, "SIGKILL");
  const beforeKill = await jsonl<{ slot: number; prompt: string }>(partialPrompts);
  assert.equal(
    parseRunState(JSON.parse(await readFile(join(runDir, "state.json"), "utf8"))).phase,
    "prompts",
  );

  // 2. + 3. resume with a trainer that dies; Ctrl-C during answers on the way
  const dying = join(domain, "dying-python.sh");
  await writeFile(dying, "#!/bin/sh\nkill -9 $$\n");
  await chmod(dying, 0o755);
  const second = startCli([...args, "--python", dying]);
  await waitFor(
    () => existsSync(join(runDir, "round-1/candidates.jsonl.partial")),
    300_000,
    "answers to start",
  );
  second.kill("SIGINT");
  const interrupted = await second.done;
  assert.equal(interrupted.code, 130, interrupted.stderr);
  let state = parseRunState(JSON.parse(await readFile(join(runDir, "state.json"), "utf8")));
  assert.equal(state.status, "running");
  assert.equal(state.phase, "answers");
  const prompts = await jsonl<{ slot: number; prompt: string }>(join(runDir, "round-1/prompts.jsonl"));
  assert.deepEqual(
    prompts.map((p) => p.slot),
    [0, 1, 2, 3, 4, 5],
  );
  for (const p of beforeKill)
    assert.equal(prompts[p.slot]?.prompt, p.prompt, "a finished slot was written again");

  const crashed = await runCli([...args, "--python", dying]);
  assert.equal(crashed.code, 1, crashed.stderr);
  assert.match(crashed.stderr, /isara: the trainer was killed by SIGKILL/);
  state = parseRunState(JSON.parse(await readFile(join(runDir, "state.json"), "utf8")));
  assert.equal(state.status, "failed");
  assert.equal(state.phase, "train");
  assert.match(state.error?.message ?? "", /killed by SIGKILL/);
  const promptsMtime = (await stat(join(runDir, "round-1/prompts.jsonl"))).mtimeMs;

  // 4. kill -9 while the real trainer runs: the trainer must not live on as an orphan
  const specPath = join(runDir, "round-1/train/spec.json");
  const training = startCli([...args, "--python", TRAINER_PYTHON]);
  await waitFor(() => trainerPids(specPath).length > 0, 300_000, "the trainer to start");
  training.kill("SIGKILL");
  await training.done;
  await waitFor(() => trainerPids(specPath).length === 0, 30_000, "the orphaned trainer to exit");

  // 5. resume with the real trainer
  const finished = await runCli([...args, "--python", TRAINER_PYTHON]);
  assert.equal(finished.code, 0, finished.stderr);
  const summary = JSON.parse(finished.stdout.trim().split("\n").at(-1) ?? "{}") as { status: string };
  assert.equal(summary.status, "done");
  assert.equal(
    (await stat(join(runDir, "round-1/prompts.jsonl"))).mtimeMs,
    promptsMtime,
    "resume redid finished phases",
  );

  // Every slot ends exactly once, accepted or rejected with a reason; lineage is complete.
  const accepted = await jsonl<Sample>(join(runDir, "round-1/accepted.jsonl"));
  const rejected = await jsonl<Sample>(join(runDir, "round-1/rejected.jsonl"));
  assert.deepEqual([...accepted, ...rejected].map((s) => s.slot).sort(), [0, 1, 2, 3, 4, 5]);
  for (const s of rejected) {
    const no = s.lineage.verdicts.filter((v) => !v.accepted);
    assert.ok(no.length > 0 && no.every((v) => v.reason.length > 0), `rejected slot ${s.slot} has no reason`);
  }
  for (const s of [...accepted, ...rejected]) {
    assert.equal(s.lineage.verdicts.length, 10, "one verdict per filter of the default quality chain");
    assert.ok(s.lineage.promptDemos.length > 0);
    assert.equal(s.lineage.promptTemplateVersion, "isara-conv-v1");
    assert.match(s.lineage.generatorModel, /SmolLM2/);
  }
  for (const s of accepted) assert.ok(s.lineage.answerDemos.length > 0);
  const withQuality = JSON.parse(await readFile(join(runDir, "metrics.json"), "utf8")) as {
    rounds: { quality: { accepted: { samples: number } } | null }[];
  };
  assert.equal(
    withQuality.rounds[1]?.quality?.accepted.samples,
    accepted.length,
    "metrics.json has the round's quality",
  );

  // Training produced both adapter formats; evaluation used the adapter; the report is there.
  assert.ok(existsSync(join(runDir, "round-1/train/adapter.gguf")));
  assert.ok(existsSync(join(runDir, "round-1/train/adapter/adapter_model.safetensors")));
  const dataset = await jsonl(join(runDir, "round-1/train/dataset.jsonl"));
  assert.equal(dataset.length, 8 + accepted.length);
  const metrics = JSON.parse(await readFile(join(runDir, "metrics.json"), "utf8")) as {
    rounds: { round: number; metrics: Record<string, number> | null; losses: number[] }[];
  };
  assert.equal(metrics.rounds.length, 2);
  for (const r of metrics.rounds) assert.equal(typeof r.metrics?.rougeL_diff, "number");
  assert.ok((metrics.rounds[1]?.losses.length ?? 0) > 0);
  assert.equal((await jsonl(join(runDir, "round-1/eval.jsonl"))).length, 4);
  assert.match(await readFile(join(runDir, "report/report.html"), "utf8"), /<svg/);
  assert.ok(!existsSync(join(runDir, "round-1/prompts.jsonl.partial")));
});

/** PIDs of trainer processes working on `specPath` (pgrep exits 1 when there are none). */
function trainerPids(specPath: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", `isara_trainer train --spec ${specPath}`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
