import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { runFolder } from "@isara/contracts";
import { type Domain, type EvalSampleResult, IsaraError, parseRunState } from "@isara/core";
import type { BaselineEvaluation } from "@isara/embedded";
import { loadDomain } from "./domain-files.js";
import { type RunModelRecord, runModelRecord } from "./run-model.js";

/** What the new run evaluates round 0 with, which the baseline run must share. */
export interface BaselineMatch {
  readonly domain: Domain;
  /** The new run's eval.jsonl and seeds.jsonl, byte for byte. */
  readonly evalText: string;
  readonly seedsText: string;
  readonly modelPath: string;
}

function refuse(dir: string, why: string): never {
  throw new IsaraError(
    "invalid_argument",
    `--baseline-from ${dir}: ${why}; leave out --baseline-from to evaluate the base model in this run`,
  );
}

async function readText(dir: string, key: string): Promise<string> {
  return readFile(join(dir, key), "utf8").catch(() => refuse(dir, `it has no ${key}; is it a run folder?`));
}

/**
 * Round 0's evaluation of a finished run, for `isara run --baseline-from <run-dir>`: the base model's
 * zero-shot answers and scores, reused by a run that would make exactly the same ones. Reused only
 * when everything that decides them is the same: the model file (`model.json`), the eval items and
 * seeds byte for byte, the answer sampling, token limits and seed, and the round's results are complete and cover every
 * eval item in order. Anything else is refused, saying what differs.
 * @throws IsaraError `invalid_argument` naming the folder and what differs.
 */
export async function loadBaseline(dir: string, match: BaselineMatch): Promise<BaselineEvaluation> {
  const state = parseRunState(JSON.parse(await readText(dir, runFolder.state)));
  const round0 = state.plan.rounds[0];
  if (state.status !== "done") refuse(dir, `that run is ${state.status}, not done`);
  if (round0?.round !== 0 || round0.evaluation.kind !== "zero-shot" || round0.training !== null) {
    refuse(dir, `that run (mode ${state.mode}) did not start with a zero-shot evaluation of the base model`);
  }
  const recorded = JSON.parse(await readText(dir, runFolder.model)) as RunModelRecord;
  const model = await runModelRecord(match.modelPath);
  if (recorded.file !== model.file || recorded.bytes !== model.bytes) {
    refuse(
      dir,
      `that run used the model ${recorded.file} (${recorded.bytes} bytes), this one ${model.file} (${model.bytes} bytes)`,
    );
  }
  if ((await readText(dir, runFolder.domainEval)) !== match.evalText)
    refuse(dir, "its eval.jsonl differs from this run's");
  if ((await readText(dir, runFolder.domainSeeds)) !== match.seedsText)
    refuse(dir, "its seeds.jsonl differs from this run's");
  const { domain } = await loadDomain(join(dir, "domain"));
  const theirs = domain.config.isara;
  const ours = match.domain.config.isara;
  if (!isDeepStrictEqual(theirs.answerSampling, ours.answerSampling)) {
    refuse(dir, "its isara.answerSampling differs from this run's");
  }
  if (theirs.seed !== ours.seed) refuse(dir, `its isara.seed is ${theirs.seed}, this run's ${ours.seed}`);
  if (theirs.tokenLimits !== ours.tokenLimits) refuse(dir, "its isara.tokenLimits differs from this run's");
  const samples = (await readText(dir, runFolder.evalResults(0)))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EvalSampleResult);
  const ids = match.domain.eval.map((item) => item.id);
  if (
    !isDeepStrictEqual(
      samples.map((s) => s.id),
      ids,
    )
  ) {
    refuse(dir, `its round-0 results do not cover this run's ${ids.length} eval items in order`);
  }
  const metrics = JSON.parse(await readText(dir, runFolder.metrics)) as {
    rounds?: { round: number; metrics?: Record<string, number> }[];
  };
  const first = metrics.rounds?.find((r) => r.round === 0)?.metrics;
  if (first === undefined) refuse(dir, "its metrics.json has no round-0 metrics");
  return { from: dir, samples, metrics: first };
}
