/**
 * Artifact keys of a run in the distributed mode: the embedded run folder's layout
 * (`@isara/embedded`'s `runFolder`) under one folder per run, `<run>/`, on the shared artifact volume.
 * The controller writes the domain snapshot when the run starts; each stage reads and writes below
 * its run's folder only, so runs cannot touch each other's files.
 *
 * ```
 * <run>/state.json                      the controller's run state (file RunStore)
 * <run>/domain/domain.json              the domain config the run started from
 * <run>/domain/seeds.jsonl              its seed pairs (set 0; random ICL demos come from here)
 * <run>/domain/eval.jsonl               its eval questions with references
 * <run>/round-<t>/prompts.jsonl         prompts written in round t
 * <run>/round-<t>/prompts/<slot>.json   generation's record of one written prompt (redelivery repeats nothing)
 * <run>/round-<t>/answers/<slot>.json   generation's record of one written answer
 * <run>/round-<t>/candidates.jsonl      prompts with answers, before filtering
 * <run>/round-<t>/accepted.jsonl        set D_t with lineage and verdicts
 * <run>/round-<t>/rejected.jsonl        rejected samples with every verdict and its reason
 * <run>/round-<t>/train/                dataset.jsonl, the trainer's outputs, result.json
 * <run>/round-<t>/eval.jsonl            per-question answers and scores (EvalWork.results_key)
 * <run>/round-<t>/eval.jsonl.done.json  the evaluation's completion record (written last)
 * <run>/report/                         report.md, report.html and SVG charts
 * ```
 */
import { IsaraError } from "@isara/core";

/** Run ids that are safe as one folder name: 1-128 of letters, digits, `.`, `_`, `-`, not starting with `.`. */
const RUN_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * The run id, checked to be usable as the run's folder name.
 * @throws IsaraError `invalid_argument` for an id with `/`, spaces, a leading dot or more than 128
 *   characters: such an id would name a folder outside the run's own, or none at all.
 */
export function checkRunId(run: string): string {
  if (!RUN_ID.test(run)) {
    throw new IsaraError(
      "invalid_argument",
      `run id ${JSON.stringify(run.slice(0, 140))} cannot name a run folder; use 1-128 letters, digits, ".", "_" or "-", not starting with "."`,
    );
  }
  return run;
}

/** The keys of one run's artifacts (see the module comment for the layout). */
export function runArtifacts(run: string) {
  const root = `${checkRunId(run)}/`;
  return {
    /** Prefix of every key of the run. */
    root,
    domainConfig: `${root}domain/domain.json`,
    domainSeeds: `${root}domain/seeds.jsonl`,
    domainEval: `${root}domain/eval.jsonl`,
    state: `${root}state.json`,
    prompts: (round: number) => `${root}round-${round}/prompts.jsonl`,
    /** Generation's record of slot `slot`'s prompt or answer: present = done, republish it. */
    slotRecord: (round: number, stage: "prompts" | "answers", slot: number) =>
      `${root}round-${round}/${stage}/${slot}.json`,
    candidates: (round: number) => `${root}round-${round}/candidates.jsonl`,
    accepted: (round: number) => `${root}round-${round}/accepted.jsonl`,
    rejected: (round: number) => `${root}round-${round}/rejected.jsonl`,
    trainDir: (round: number) => `${root}round-${round}/train`,
    trainDataset: (round: number) => `${root}round-${round}/train/dataset.jsonl`,
    trainResult: (round: number) => `${root}round-${round}/train/result.json`,
    report: (file: string) => `${root}report/${file}`,
    /** Where the controller asks round `round`'s per-question results to go (EvalWork.results_key). */
    evalResults: (round: number) => `${root}round-${round}/eval.jsonl`,
  } as const;
}

/** The completion record written after the results at `resultsKey`: its presence means "evaluated". */
export function completionKey(resultsKey: string): string {
  return `${resultsKey}.done.json`;
}
