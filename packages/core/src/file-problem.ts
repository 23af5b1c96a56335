/**
 * Problems found in a user's input files, located precisely enough to fix without guessing: file,
 * line (or row), field, and a sentence saying what is wrong and how to fix it. Validators collect all
 * of them and throw once, so a person fixes every mistake in one pass instead of one per attempt.
 */
import { IsaraError } from "./errors.js";

/** One problem in an input file. */
export interface FileProblem {
  /** File name as the user knows it, e.g. `seeds.jsonl`. */
  readonly file: string;
  /** 1-based line in the file, when known (JSONL input). */
  readonly line: number | null;
  /** 1-based row of an array input, when the line is not known. */
  readonly row: number | null;
  /** Dotted path of the field, e.g. `response` or `isara.rounds`; `null` for the whole row or file. */
  readonly field: string | null;
  /** What is wrong and how to fix it, without the location. */
  readonly problem: string;
  /** The full sentence for people: location, then problem. */
  readonly message: string;
}

/** Where in a file a problem sits. */
export interface ProblemPlace {
  readonly file: string;
  readonly line?: number | null;
  readonly row?: number | null;
}

/** Builds a {@link FileProblem}, composing its message as `file line N: problem`. */
export function fileProblem(place: ProblemPlace, field: string | null, problem: string): FileProblem {
  const line = place.line ?? null;
  const row = line === null ? (place.row ?? null) : null;
  const where = line !== null ? ` line ${line}` : row !== null ? ` row ${row}` : "";
  return { file: place.file, line, row, field, problem, message: `${place.file}${where}: ${problem}` };
}

/**
 * One `invalid_argument` error listing every problem, one per line under `title`, with the
 * structured list as `details` so an API can return it field by field.
 */
export function problemsError(title: string, problems: readonly FileProblem[]): IsaraError {
  const noun = problems.length === 1 ? "problem" : "problems";
  const lines = problems.map((p) => `  - ${p.message}`).join("\n");
  return new IsaraError("invalid_argument", `${title} (${problems.length} ${noun}):\n${lines}`, problems);
}
