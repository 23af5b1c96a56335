import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fromJsonl, type MetricsFile, runFolder } from "@isara/contracts";
import { type Domain, type EvalSampleResult, IsaraError, RUN_MODES, type RunMode } from "@isara/core";
import { loadDomain } from "./domain-files.js";

/** A finished run folder as `isara compare` reads it: its domain snapshot, metrics and stored answers. */
export interface ComparedRun {
  readonly dir: string;
  readonly mode: RunMode;
  readonly domain: Domain;
  readonly metrics: MetricsFile;
  /** The per-question answers of every evaluated round, by round. */
  readonly answers: ReadonlyMap<number, readonly EvalSampleResult[]>;
}

/**
 * Reads a run folder for comparison. Only finished runs compare: a run still going (or failed) has
 * answers for some rounds only and would silently miss rows, so it is refused with what to do.
 */
export async function readComparedRun(dirArg: string): Promise<ComparedRun> {
  const dir = resolve(dirArg);
  let metrics: MetricsFile;
  try {
    metrics = JSON.parse(await readFile(join(dir, runFolder.metrics), "utf8")) as MetricsFile;
  } catch {
    throw new IsaraError(
      "not_found",
      `${dir} is not a run folder (no readable ${runFolder.metrics}); pass folders written by 'isara run'`,
    );
  }
  if (metrics.status !== "done") {
    throw new IsaraError(
      "invalid_argument",
      `run ${dir} is ${metrics.status}, not done; finish it with 'isara run … --run-dir ${dir}' or leave it out`,
    );
  }
  if (!RUN_MODES.includes(metrics.mode as RunMode)) {
    throw new IsaraError("invalid_argument", `run ${dir} has an unknown mode "${metrics.mode}"`);
  }
  const { domain } = await loadDomain(join(dir, "domain"));
  const answers = new Map<number, EvalSampleResult[]>();
  for (const r of metrics.rounds) {
    if (!r.metrics) continue;
    const text = await readFile(join(dir, runFolder.evalResults(r.round)), "utf8").catch(() => {
      throw new IsaraError(
        "not_found",
        `run ${dir} lacks ${runFolder.evalResults(r.round)} although round ${r.round} was evaluated; the folder is damaged`,
      );
    });
    answers.set(r.round, fromJsonl<EvalSampleResult>(text));
  }
  return { dir, mode: metrics.mode as RunMode, domain, metrics, answers };
}

/**
 * Checks that every run answered the same eval questions (same ids and prompts, same order), since a
 * comparison across different eval sets means nothing. Returns the shared items.
 */
export function sharedEvalSet(runs: readonly ComparedRun[]): Domain["eval"] {
  const [first, ...rest] = runs;
  if (!first) throw new IsaraError("invalid_argument", "give at least one run folder to compare");
  const key = (d: Domain) => d.eval.map((e) => `${e.id}\u0000${e.prompt}`).join("\u0001");
  const want = key(first.domain);
  for (const run of rest) {
    if (run.domain.config.name !== first.domain.config.name || key(run.domain) !== want) {
      throw new IsaraError(
        "invalid_argument",
        `runs ${first.dir} and ${run.dir} were evaluated on different eval sets (domain "${first.domain.config.name}" vs "${run.domain.config.name}"); compare runs of one domain folder`,
      );
    }
  }
  return first.domain.eval;
}
