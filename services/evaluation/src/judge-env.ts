/**
 * The optional judge of the evaluation service, as a zod fragment of its environment schema: where
 * the judge model is served (any OpenAI-compatible chat endpoint; the variables the filtering service
 * reads too, from `@isara/llm-backends/judge`), and which rubrics it scores every answer with. Without
 * `JUDGE_URL` the service scores with the reference metric alone, exactly as it did before judges
 * existed. Rubric ids are resolved here, at start, so a typo stops the process with the list of known
 * rubrics instead of failing the first evaluation of a run.
 */
import {
  ALL_RUBRICS,
  findRubric,
  type JudgeRubric,
  RUBRICS,
  rubricRef,
  type SingleAnswerRubric,
} from "@isara/evaluators";
import { envList } from "@isara/kit";
import { JUDGE_ENDPOINT_ENV, type JudgeEndpoint, judgeEndpointFrom } from "@isara/llm-backends/judge";
import { z } from "zod";

/** What a judge scores with when `JUDGE_RUBRICS` is unset: the quality rating and the harm verdict. */
export const DEFAULT_JUDGE_RUBRICS: readonly SingleAnswerRubric[] = [RUBRICS.quality, RUBRICS.harm];

/** Every rubric that judges one answer (the only kind an evaluation can use), as `id@version`. */
function singleAnswerRubrics(): string {
  return ALL_RUBRICS.filter((r) => r.kind === "single")
    .map(rubricRef)
    .join(", ");
}

/** `JUDGE_RUBRICS`: rubric ids (`quality` or `quality@1`), resolved, single-answer, each at most once. */
function envRubrics() {
  return envList().transform((refs, ctx): SingleAnswerRubric[] => {
    const choices = singleAnswerRubrics();
    const expected = `expected a comma-separated list of: ${choices}; a bare id means its latest version`;
    if (refs.length === 0) {
      ctx.addIssue({ code: "custom", message: `names no rubric (${expected})` });
      return z.NEVER;
    }
    const rubrics: SingleAnswerRubric[] = [];
    const problems: string[] = [];
    for (const ref of refs) {
      const rubric = findRubricOrUndefined(ref);
      if (rubric === undefined) {
        problems.push(`has unknown rubric ${JSON.stringify(ref)}`);
      } else if (rubric.kind !== "single") {
        problems.push(`has rubric "${ref}", which compares two answers and cannot score one`);
      } else if (rubrics.some((r) => r.id === rubric.id)) {
        problems.push(`names rubric "${rubric.id}" twice; their scores would overwrite each other`);
      } else {
        rubrics.push(rubric);
      }
    }
    for (const problem of problems) ctx.addIssue({ code: "custom", message: `${problem} (${expected})` });
    return problems.length > 0 ? z.NEVER : rubrics;
  });
}

/** `findRubric`, with an unknown reference (an unknown version of a known id too) as `undefined`. */
function findRubricOrUndefined(ref: string): JudgeRubric | undefined {
  try {
    return findRubric(ref);
  } catch {
    return undefined;
  }
}

/**
 * The judge's environment variables, to spread into the service's env schema: the endpoint every
 * judge-using service reads (`@isara/llm-backends/judge`: JUDGE_URL, JUDGE_MODEL, JUDGE_API_KEY,
 * JUDGE_PARALLEL, joined by its `withJudgeRules`) and the rubrics only evaluation scores with.
 */
export const JUDGE_ENV = {
  ...JUDGE_ENDPOINT_ENV,
  // Rubrics the judge scores every answer with, comma-separated ids ("quality", "harm", or "id@version").
  JUDGE_RUBRICS: envRubrics().default(() => [...DEFAULT_JUDGE_RUBRICS]),
} as const;

/** The parsed values of {@link JUDGE_ENV}. */
export type JudgeEnv = z.output<z.ZodObject<typeof JUDGE_ENV>>;

/** Where the judge is served and what it scores. */
export interface JudgeConfig extends JudgeEndpoint {
  /** Rubrics, in the order their scorers run; each id once. */
  readonly rubrics: readonly SingleAnswerRubric[];
}

/** The judge settings of values that passed `withJudgeRules`; `undefined` when no judge is set. */
export function judgeConfigFrom(env: JudgeEnv): JudgeConfig | undefined {
  const endpoint = judgeEndpointFrom(env);
  return endpoint === undefined ? undefined : { ...endpoint, rubrics: env.JUDGE_RUBRICS };
}
