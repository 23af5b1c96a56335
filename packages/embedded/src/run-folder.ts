/**
 * Where each artifact of a run lives, relative to the run folder. One place for the layout, so the
 * runner, the report and the docs agree:
 *
 * ```
 * state.json                      run state (saved after every completed step)
 * domain/                         the domain files the run started from (config, seeds, eval)
 * vectors/                        LanceDB tables: seeds and accepted samples with embeddings
 * round-<t>/prompts.jsonl         prompts written in round t (+ .partial while the phase runs)
 * round-<t>/candidates.jsonl      prompts with answers, before filtering (+ .partial)
 * round-<t>/accepted.jsonl        set D_t with lineage and verdicts
 * round-<t>/rejected.jsonl        rejected samples with every verdict and its reason
 * round-<t>/train/                dataset.jsonl, spec.json, adapter/ (PEFT), adapter.gguf, result.json
 * round-<t>/eval.jsonl            per-question answers and scores
 * metrics.json                    metrics per round, timings per phase
 * report/                         report.md, report.html and SVG charts
 * ```
 */
export const runFolder = {
  state: "state.json",
  domainConfig: "domain/domain.json",
  domainSeeds: "domain/seeds.jsonl",
  domainEval: "domain/eval.jsonl",
  vectors: "vectors",
  prompts: (round: number) => `round-${round}/prompts.jsonl`,
  candidates: (round: number) => `round-${round}/candidates.jsonl`,
  accepted: (round: number) => `round-${round}/accepted.jsonl`,
  rejected: (round: number) => `round-${round}/rejected.jsonl`,
  trainDir: (round: number) => `round-${round}/train`,
  trainDataset: (round: number) => `round-${round}/train/dataset.jsonl`,
  evalLog: (round: number) => `round-${round}/eval.jsonl`,
  metrics: "metrics.json",
  report: (file: string) => `report/${file}`,
} as const;

/** Suffix of a phase's checkpoint file: rows are appended as slots finish, so a killed phase resumes. */
export const PARTIAL = ".partial";

/** Serialises rows as JSON Lines (one object per line, trailing newline). */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
}

/**
 * Parses JSON Lines written by this program. A line that does not parse is the last line of a file
 * cut short by a crash; it is dropped (that slot is simply written again), never trusted.
 */
export function fromJsonl<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      // a torn last line after kill -9; the slot is redone
    }
  }
  return rows;
}
