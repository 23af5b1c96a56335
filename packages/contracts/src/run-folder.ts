/**
 * The layout of a run folder: where each artifact of a run lives. One definition for both modes, so
 * the embedded runner, the distributed stages, the CLI, the report and the docs agree on every path.
 * An embedded run folder is the folder itself (`runFolder`, keys relative to it); in the distributed
 * mode each run has the same layout under `<run>/` on the shared artifact volume
 * (`runArtifacts(run)`), and each stage reads and writes below its run's folder only, so runs cannot
 * touch each other's files.
 *
 * ```
 * state.json                      run state (saved after every completed step; the controller's file RunStore)
 * domain/domain.json              the domain config the run started from
 * domain/seeds.jsonl              its seed pairs (set 0; random ICL demos come from here)
 * domain/eval.jsonl               its eval questions with references
 * model.json                      embedded: the base model file the run started with (checked on resume)
 * vectors/                        embedded: LanceDB tables, seeds and accepted samples with embeddings
 * round-<t>/prompts.jsonl         prompts written in round t (embedded: + .partial while the phase runs)
 * round-<t>/prompts/<slot>.json   distributed: generation's record of one written prompt (redelivery repeats nothing)
 * round-<t>/answers/<slot>.json   distributed: generation's record of one written answer
 * round-<t>/candidates.jsonl      prompts with answers, before filtering (embedded: + .partial)
 * round-<t>/accepted.jsonl        set D_t with lineage and verdicts
 * round-<t>/rejected.jsonl        rejected samples with every verdict and its reason
 * round-<t>/quality.json          sample-quality figures of the seeds, candidates and accepted set
 * round-<t>/train/                dataset.jsonl, spec.json, adapter/ (PEFT), adapter.gguf, result.json
 * round-<t>/eval.jsonl            per-question answers and scores (EvalWork.results_key)
 * round-<t>/eval.jsonl.done.json  distributed: the evaluation's completion record (written last)
 * metrics.json                    metrics per round, timings per phase
 * report/                         report.md, report.html and SVG charts
 * controller/                     distributed: the controller's own records of the run
 * ```
 */
import { IsaraError } from "@isara/core";

/** Suffix of a phase's checkpoint file: rows are appended as slots finish, so a killed phase resumes. */
export const PARTIAL = ".partial";

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

/** The keys of a run folder whose keys all start with `root` (see the module comment for the layout). */
function keysUnder(root: string) {
  const round = (t: number) => `${root}round-${t}/`;
  return {
    /** Prefix of every key of the run (`""` for an embedded run folder, `<run>/` in the distributed mode). */
    root,
    state: `${root}state.json`,
    domainConfig: `${root}domain/domain.json`,
    domainSeeds: `${root}domain/seeds.jsonl`,
    domainEval: `${root}domain/eval.jsonl`,
    /** Embedded: the base model file the run started with (`isara run` refuses to resume with another). */
    model: `${root}model.json`,
    /** The embedded mode's LanceDB folder (the distributed mode keeps vectors in Qdrant). */
    vectors: `${root}vectors`,
    prompts: (t: number) => `${round(t)}prompts.jsonl`,
    /** Generation's record of slot `slot`'s prompt or answer: present = done, republish it. */
    slotRecord: (t: number, stage: "prompts" | "answers", slot: number) => `${round(t)}${stage}/${slot}.json`,
    candidates: (t: number) => `${round(t)}candidates.jsonl`,
    accepted: (t: number) => `${round(t)}accepted.jsonl`,
    rejected: (t: number) => `${round(t)}rejected.jsonl`,
    /** Round `t`'s sample-quality figures (core's `RoundQuality`), written by the filter pass. */
    quality: (t: number) => `${round(t)}quality.json`,
    trainDir: (t: number) => `${round(t)}train`,
    trainDataset: (t: number) => `${round(t)}train/dataset.jsonl`,
    trainResult: (t: number) => `${round(t)}train/result.json`,
    /** Round `t`'s per-question answers and scores (where the controller's EvalWork.results_key points). */
    evalResults: (t: number) => `${round(t)}eval.jsonl`,
    metrics: `${root}metrics.json`,
    report: (file: string) => `${root}report/${file}`,
  } as const;
}

/** The keys of one run folder's artifacts. */
export type RunFolderKeys = ReturnType<typeof keysUnder>;

/**
 * The keys of an embedded run folder, relative to the folder itself; also the keys of a distributed
 * run seen from inside its `<run>/` folder.
 */
export const runFolder: RunFolderKeys = keysUnder("");

/**
 * The keys of run `run`'s artifacts on the shared artifact volume: the run folder's layout under
 * `<run>/`.
 * @throws IsaraError `invalid_argument` for a run id that cannot name a folder (see {@link checkRunId}).
 */
export function runArtifacts(run: string): RunFolderKeys {
  return keysUnder(`${checkRunId(run)}/`);
}

/** The completion record written after the results at `resultsKey`: its presence means "evaluated". */
export function completionKey(resultsKey: string): string {
  return `${resultsKey}.done.json`;
}
