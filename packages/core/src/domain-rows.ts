/**
 * Validation of the row files of a domain (`seeds.jsonl`, `eval.jsonl`): every row checked, every
 * problem named by file, line and field with how to fix it, plus the checks across rows (counts,
 * duplicates, eval prompts that leak from the seeds).
 */
import type { z } from "zod";
import {
  type EvalItem,
  evalItemSchema,
  MAX_SEEDS,
  MIN_SEEDS,
  type SeedPair,
  seedPairSchema,
} from "./domain.js";
import { type FileProblem, fileProblem, type ProblemPlace } from "./file-problem.js";
import { issueProblem } from "./schema-issues.js";

const SEED_HINTS = {
  prompt: "write the question or instruction a user would send",
  response: "give the answer the model should learn",
};
const EVAL_HINTS = {
  id: "give each eval item a short unique id",
  prompt: "write the question the model is scored on",
  correct: 'list answers that show the target behaviour, e.g. "correct": ["…"]',
  incorrect: "list answers that show the behaviour to move away from, or leave the key out",
};

const normalise = (text: string) => text.trim().replace(/\s+/g, " ").toLowerCase();

/** A file of rows: its name as the user knows it, and the line of each row when known. */
export interface RowSource {
  readonly file: string;
  /** `lines[i]` is the 1-based line of row i; without it rows are named by position. */
  readonly lines?: readonly number[];
}

/** Names a row: its line when known, its 1-based position otherwise. */
export function placeOf(source: RowSource, index: number): ProblemPlace {
  const line = source.lines?.[index];
  return line === undefined ? { file: source.file, row: index + 1 } : { file: source.file, line };
}

function placeText(place: ProblemPlace): string {
  return place.line != null ? `line ${place.line}` : `row ${place.row}`;
}

function validateRows<T>(
  rows: readonly unknown[],
  schema: z.ZodType<T>,
  hints: Readonly<Record<string, string>>,
  place: (i: number) => ProblemPlace,
  problems: FileProblem[],
): (T | undefined)[] {
  return rows.map((row, i) => {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      const keys = Object.keys(hints).join('", "');
      problems.push(fileProblem(place(i), null, `must be a JSON object with "${keys}"`));
      return undefined;
    }
    const parsed = schema.safeParse(row);
    if (parsed.success) return parsed.data;
    const present = Object.keys(row).map((k) => `"${k}"`);
    for (const issue of parsed.error.issues) {
      const { field, problem } = issueProblem(issue, row, hints);
      const top = issue.path[0];
      // A missing field next to other keys is usually a naming mismatch (e.g. "question" for "prompt").
      const misnamed =
        issue.path.length === 1 && typeof top === "string" && !(top in row) && present.length > 0;
      const text = misnamed
        ? problem.replace(" is missing", ` is missing (the row has ${present.join(", ")})`)
        : problem;
      problems.push(fileProblem(place(i), field, text));
    }
    return undefined;
  });
}

/**
 * Validates seed rows: MIN_SEEDS..MAX_SEEDS of them (`brokenLines` counts lines that were not even
 * JSON, so the count matches the file), each a valid pair, no prompt twice (ignoring case and
 * spacing, since near-identical seeds waste the few demos a domain has). Returns the valid pairs.
 */
export function checkSeeds(
  rows: readonly unknown[],
  source: RowSource,
  brokenLines: number,
  problems: FileProblem[],
): SeedPair[] {
  const { file } = source;
  const place = (i: number) => placeOf(source, i);
  const total = rows.length + brokenLines;
  if (total < MIN_SEEDS) {
    problems.push(
      fileProblem(
        { file },
        null,
        `has ${total} seed pairs, but a domain needs at least ${MIN_SEEDS} — add ${MIN_SEEDS - total} more lines of {"prompt": "…", "response": "…"}`,
      ),
    );
  } else if (total > MAX_SEEDS) {
    problems.push(
      fileProblem(
        { file },
        null,
        `has ${total} seed pairs, but a domain takes at most ${MAX_SEEDS} — keep the ${MAX_SEEDS} that show the behaviour best`,
      ),
    );
  }
  const seeds = validateRows(rows, seedPairSchema, SEED_HINTS, place, problems);
  const firstSeen = new Map<string, number>();
  seeds.forEach((seed, i) => {
    if (seed === undefined) return;
    const key = normalise(seed.prompt);
    const first = firstSeen.get(key);
    if (first === undefined) firstSeen.set(key, i);
    else {
      const where = placeText(place(first));
      problems.push(
        fileProblem(
          place(i),
          "prompt",
          `"prompt" repeats the prompt on ${where} — remove one of them or make them different`,
        ),
      );
    }
  });
  return seeds.filter((s) => s !== undefined);
}

/**
 * Validates eval rows: at least one, each a valid item, unique ids, and no prompt that is also a seed
 * prompt (scoring a model on a prompt it trained on would overstate what it learned). Returns the
 * valid items.
 */
export function checkEval(
  rows: readonly unknown[],
  source: RowSource,
  seedRows: readonly unknown[],
  seedSource: RowSource,
  problems: FileProblem[],
): EvalItem[] {
  const place = (i: number) => placeOf(source, i);
  if (rows.length === 0) {
    problems.push(
      fileProblem(
        { file: source.file },
        null,
        'has no eval items — add at least one line of {"id": "…", "prompt": "…", "correct": ["…"]}; every round is scored on them',
      ),
    );
  }
  const items = validateRows(rows, evalItemSchema, EVAL_HINTS, place, problems);
  const ids = new Map<string, number>();
  const seedPrompts = new Map<string, number>();
  seedRows.forEach((row, i) => {
    const prompt = (row as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt === "string" && !seedPrompts.has(normalise(prompt)))
      seedPrompts.set(normalise(prompt), i);
  });
  items.forEach((item, i) => {
    if (item === undefined) return;
    const first = ids.get(item.id);
    if (first === undefined) ids.set(item.id, i);
    else
      problems.push(
        fileProblem(
          place(i),
          "id",
          `"id" ${JSON.stringify(item.id)} is already used on ${placeText(place(first))} — give each eval item a unique id`,
        ),
      );
    const seed = seedPrompts.get(normalise(item.prompt));
    if (seed !== undefined) {
      const seedWhere = `${seedSource.file} ${placeText(placeOf(seedSource, seed))}`;
      problems.push(
        fileProblem(
          place(i),
          "prompt",
          `"prompt" is also the seed prompt on ${seedWhere} — scoring a model on what it trained on inflates the score; remove it from one of the files`,
        ),
      );
    }
  });
  return items.filter((item) => item !== undefined);
}
