#!/usr/bin/env node
/**
 * Reproduces the ISARA paper's comparison on CPU: for each dataset (TruthfulQA, harmlessness, and
 * AlpacaEval instruction following for feasibility: `--datasets alpaca`), runs
 * ISARA and the five baselines with `isara run` on one shared eval set, then `isara compare` writes one
 * table and one chart across them. Each run is an ordinary run folder, so an interrupted benchmark
 * resumes where it stopped when started again. Not a test: it takes about an hour per dataset on 2
 * cores. Results and the exact command: docs/results.md.
 *
 *   node bench/paper-comparison.mjs [--datasets truthfulqa,harmless] [--prompts 128] [--rounds 2]
 *        [--eval 200] [--modes base,icl-random,icl-knn,sft-seeds,isara,one-shot] [--out runs/paper]
 *        [--data <shared data folder>] [--judge-url <OpenAI-compatible base URL>] [--preset paper]
 *        [--model <file.gguf>]   (default: SmolLM2-135M-Instruct; e.g. the Gemma 3 270M GGUF from
 *                                 scripts/setup.sh gemma, the paper's setting of a pretrained model)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildAlpaca, buildHarmless, buildTruthfulqa } from "./paper/domains.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    datasets: { type: "string", default: "truthfulqa,harmless" },
    prompts: { type: "string", default: "128" },
    rounds: { type: "string", default: "2" },
    eval: { type: "string", default: "200" },
    modes: { type: "string", default: "base,icl-random,icl-knn,sft-seeds,isara,one-shot" },
    out: { type: "string", default: "runs/paper" },
    data: { type: "string", default: process.env.ISARA_SHARED_DATA ?? join(root, "../shared/data") },
    "judge-url": { type: "string" },
    preset: { type: "string" },
    model: { type: "string" },
  },
});
const cli = join(root, "packages/cli/dist/main.js");
if (!existsSync(cli)) throw new Error("build first: TURBO_TELEMETRY_DISABLED=1 npx turbo run build");
if (!existsSync(join(values.data, "truthfulqa/seeds.jsonl")))
  throw new Error(`no shared datasets at ${values.data}; pass --data <folder> or set ISARA_SHARED_DATA`);

/** Modes whose round 0 is the base model's zero-shot evaluation, the `base` mode's only step. */
const REUSES_BASE = new Set(["sft-seeds", "isara", "one-shot", "icl-random", "icl-knn"]);
const isDone = (runDir) =>
  existsSync(join(runDir, "state.json")) &&
  JSON.parse(readFileSync(join(runDir, "state.json"), "utf8")).status === "done";

const settings = {
  prompts: Number(values.prompts),
  rounds: Number(values.rounds),
  evalSize: Number(values.eval),
  preset: values.preset,
};
const builders = { truthfulqa: buildTruthfulqa, harmless: buildHarmless, alpaca: buildAlpaca };
const modes = values.modes.split(",");

for (const dataset of values.datasets.split(",")) {
  const build = builders[dataset];
  if (!build) throw new Error(`unknown dataset "${dataset}"; use ${Object.keys(builders).join(", ")}`);
  const out = resolve(values.out, dataset);
  const domain = build(values.data, join(out, "domain"), settings);
  process.stderr.write(
    `\n== ${dataset}: ${domain.seeds} seeds, ${domain.eval} eval items, N=${settings.prompts}\n`,
  );
  const timingsFile = join(out, "timings.json");
  const timings = existsSync(timingsFile) ? JSON.parse(readFileSync(timingsFile, "utf8")) : {};
  for (const mode of modes) {
    const runDir = join(out, mode);
    const stateFile = join(runDir, "state.json");
    if (isDone(runDir)) {
      process.stderr.write(`-- ${mode}: done earlier, kept\n`);
      continue;
    }
    process.stderr.write(`-- ${mode}: running\n`);
    const resumed = existsSync(stateFile);
    const started = Date.now();
    const runArgs = [cli, "run", domain.dir, "--mode", mode, "--run-dir", runDir];
    if (values.model) runArgs.push("--model", resolve(values.model));
    // The modes that start by evaluating the base model zero-shot reuse the base run's evaluation
    // (the same answers and scores, checked by `isara run`): 8-28 minutes per mode saved on 2 cores.
    const baseRun = join(out, "base");
    if (REUSES_BASE.has(mode) && existsSync(join(baseRun, "model.json")) && isDone(baseRun)) {
      runArgs.push("--baseline-from", baseRun);
    }
    const r = spawnSync(process.execPath, runArgs, {
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0)
      throw new Error(`isara run --mode ${mode} exited with ${r.status}; run this again to resume`);
    timings[mode] = { seconds: Math.round((Date.now() - started) / 1000), resumed };
    writeFileSync(timingsFile, `${JSON.stringify(timings, null, 2)}\n`);
  }
  const compareArgs = [cli, "compare", ...modes.map((m) => join(out, m)), "--out", join(out, "compare")];
  if (values["judge-url"]) compareArgs.push("--judge-url", values["judge-url"]);
  const r = spawnSync(process.execPath, compareArgs, { stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`isara compare exited with ${r.status}; the runs are kept, run this again\n`);
    process.exitCode = 1;
  }
}
