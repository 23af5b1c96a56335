import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Closeable } from "@isara/core";
import {
  buildComparison,
  type ComparisonRow,
  comparisonTable,
  DEFAULT_COMPARISON_COLUMNS,
} from "@isara/embedded/report";
import {
  type AnswerScorer,
  createClassifierScorer,
  createHttpClassifier,
  createJudgeScorer,
  createPairwiseJudge,
  createReferenceScorer,
  type HttpClassifierFormat,
  RUBRICS,
} from "@isara/evaluators";
import { readComparedRun, sharedEvalSet } from "./compared-run.js";
import { rowSources, scoreRows } from "./comparison-rows.js";
import { type JudgeOptions, openJudgeChat } from "./judge-options.js";
import { likelihoodColumns, withLikelihoodMetrics } from "./likelihood-rows.js";
import { textTable } from "./summary-table.js";

/** A text classifier (moderation model) served over HTTP. */
export interface ClassifierOptions {
  readonly url: string;
  readonly format: HttpClassifierFormat;
  readonly label: string;
  readonly threshold: number;
}

/** Options of `isara compare`. */
export interface CompareCommandOptions {
  readonly runDirs: readonly string[];
  readonly outDir: string;
  readonly judge?: JudgeOptions | undefined;
  readonly classifier?: ClassifierOptions | undefined;
  readonly json: boolean;
  readonly signal: AbortSignal;
  /** Where the table (or the JSON line) goes; stdout by default. */
  readonly out?: (text: string) => void;
  /** Where progress goes; stderr by default. */
  readonly err?: (text: string) => void;
}

/**
 * `isara compare`: reads finished run folders of one domain (ISARA and the baselines), re-scores
 * every evaluated model from its stored answers with the same scorers, and writes one table and one
 * chart (`comparison.md`, `comparison.svg`, `comparison.json`) to `outDir`. Reference metrics always;
 * judge metrics (single-answer quality and harm, pairwise win rate against the base model) when a
 * judge endpoint is given; a classifier's harmful rate when a classifier endpoint is given.
 */
export async function compareCommand(o: CompareCommandOptions): Promise<ComparisonRow[]> {
  const out = o.out ?? ((t: string) => process.stdout.write(t));
  const err = o.err ?? ((t: string) => process.stderr.write(t));
  const runs = [];
  for (const dir of o.runDirs) runs.push(await readComparedRun(dir));
  const items = sharedEvalSet(runs);
  const { sources, notes } = rowSources(runs);
  const opened: Closeable[] = [];
  try {
    const scorers: AnswerScorer[] = [createReferenceScorer()];
    const judgeScorers: AnswerScorer[] = [];
    let pairwise: ReturnType<typeof createPairwiseJudge> | undefined;
    const judgeItems = Math.min(items.length, o.judge?.items ?? items.length);
    if (o.judge) {
      const chat = openJudgeChat(o.judge);
      opened.push(chat);
      judgeScorers.push(createJudgeScorer({ chat, rubric: RUBRICS.quality }));
      judgeScorers.push(createJudgeScorer({ chat, rubric: RUBRICS.harm }));
      pairwise = createPairwiseJudge({ chat, rubric: RUBRICS.pairwise, seed: 1 });
      notes.push(
        `Judge: \`${o.judge.model}\` at ${o.judge.url}, rubrics ${[RUBRICS.quality, RUBRICS.harm, RUBRICS.pairwise].map((r) => `${r.id}@${r.version}`).join(", ")}, on the first ${judgeItems} eval items; pairwise judgements in both orders against the base model.`,
      );
    } else {
      notes.push("No judge endpoint given (--judge-url): judge scores and win rates were not measured.");
    }
    if (o.classifier) {
      const classifier = createHttpClassifier({ baseUrl: o.classifier.url, format: o.classifier.format });
      opened.push(classifier);
      scorers.push(
        createClassifierScorer({ classifier, label: o.classifier.label, threshold: o.classifier.threshold }),
      );
      notes.push(
        `Classifier at ${o.classifier.url} (${o.classifier.format}): harmful = score of "${o.classifier.label}" ≥ ${o.classifier.threshold}.`,
      );
    }
    const scored = await scoreRows(items, sources, {
      scorers,
      judgeScorers,
      ...(pairwise ? { pairwise } : {}),
      judgeItems,
      onProgress: (label) => {
        if (!o.json) err(`scoring ${label}…\n`);
      },
      signal: o.signal,
    });
    const rows = withLikelihoodMetrics(sources, scored);
    const first = runs[0];
    const input = {
      domain: first?.domain.config.name ?? "",
      model: first?.metrics.model ?? "(not recorded by this run)",
      seeds: first?.domain.seeds.length ?? 0,
      evalItems: items.length,
      rows,
      columns: [...DEFAULT_COMPARISON_COLUMNS, ...likelihoodColumns(rows)],
      chartKeys: ["rougeL_diff", "bleu_diff"],
      vsBaseHeader: "ROUGE-L diff vs base x100 (95% CI)",
      notes: [
        ...notes,
        "The vs-base column is the paired difference to the base model on the same items, with a 95% paired-bootstrap interval (2000 resamples): an interval that contains 0 is no evidence either way.",
      ],
    };
    const outDir = resolve(o.outDir);
    await mkdir(outDir, { recursive: true });
    for (const [name, text] of Object.entries(buildComparison(input)))
      await writeFile(join(outDir, name), text);
    if (o.json) {
      out(`${JSON.stringify({ type: "comparison", outDir, rows })}\n`);
    } else {
      const { header, rows: cells } = comparisonTable(input);
      out(`${textTable(header, cells)}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`);
      err(`\nComparison: ${join(outDir, "comparison.md")}\n`);
    }
    return rows;
  } finally {
    for (const c of opened.reverse()) await c.close().catch(() => {});
  }
}
