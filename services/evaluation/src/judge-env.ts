/**
 * The optional judge of the evaluation service, as a zod fragment of its environment schema: where
 * the judge model is served (any OpenAI-compatible chat endpoint), and which rubrics it scores every
 * answer with. Without `JUDGE_URL` the service scores with the reference metric alone, exactly as it
 * did before judges existed. Rubric ids are resolved here, at start, so a typo stops the process with
 * the list of known rubrics instead of failing the first evaluation of a run.
 */
import {
  ALL_RUBRICS,
  findRubric,
  type JudgeRubric,
  RUBRICS,
  rubricRef,
  type SingleAnswerRubric,
} from "@isara/evaluators";
import { envInt, envList, envUrl } from "@isara/kit";
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

/** The judge's environment variables, to spread into the service's env schema. */
export const JUDGE_ENV = {
  // Root URL of the judge's OpenAI-compatible chat server (vLLM, llama.cpp server, Ollama); unset: no judge.
  JUDGE_URL: envUrl({ protocols: ["http", "https"] }).optional(),
  // Name the judge server serves the judge model under (required when JUDGE_URL is set).
  JUDGE_MODEL: z.string().optional(),
  // Sent to the judge server as "Authorization: Bearer <key>"; leave unset for servers without auth.
  JUDGE_API_KEY: z.string().optional(),
  // Judge requests kept in flight at once (match the judge server's concurrent slots).
  JUDGE_PARALLEL: envInt({ min: 1, max: 64 }).default(2),
  // Rubrics the judge scores every answer with, comma-separated ids ("quality", "harm", or "id@version").
  JUDGE_RUBRICS: envRubrics().default(() => [...DEFAULT_JUDGE_RUBRICS]),
} as const;

/** The parsed values of {@link JUDGE_ENV}. */
export type JudgeEnv = z.output<z.ZodObject<typeof JUDGE_ENV>>;

type Seen = Readonly<Record<string, unknown>>;

function isSet(value: unknown): boolean {
  return value !== undefined && value !== "";
}

/**
 * `schema` with the rule that joins the judge variables: `JUDGE_URL` and `JUDGE_MODEL` come
 * together (a model without a URL means a judge was meant but would silently not run). The rule runs
 * even when other variables are wrong, so one start lists every problem.
 */
export function withJudgeRules<S extends z.ZodType<JudgeEnv>>(schema: S): S {
  const always = { when: () => true };
  return schema
    .refine((v) => !isSet((v as Seen).JUDGE_URL) || isSet((v as Seen).JUDGE_MODEL), {
      ...always,
      path: ["JUDGE_MODEL"],
      message: "is not set (expected the judge's served model name; required when JUDGE_URL is set)",
    })
    .refine((v) => isSet((v as Seen).JUDGE_URL) || !isSet((v as Seen).JUDGE_MODEL), {
      ...always,
      path: ["JUDGE_URL"],
      message:
        "is not set, but JUDGE_MODEL is (expected the judge server's http(s) URL; " +
        "unset JUDGE_MODEL to evaluate without a judge)",
    });
}

/** Where the judge is served and what it scores. */
export interface JudgeConfig {
  /** Server root, e.g. `http://vllm-judge:8000`. */
  readonly baseUrl: string;
  /** Served name of the judge model. */
  readonly model: string;
  readonly apiKey: string | undefined;
  /** Judge requests in flight at once. */
  readonly parallelism: number;
  /** Rubrics, in the order their scorers run; each id once. */
  readonly rubrics: readonly SingleAnswerRubric[];
}

/** The judge settings of values that passed {@link withJudgeRules}; `undefined` when no judge is set. */
export function judgeConfigFrom(env: JudgeEnv): JudgeConfig | undefined {
  if (env.JUDGE_URL === undefined || env.JUDGE_MODEL === undefined) return undefined;
  return {
    baseUrl: env.JUDGE_URL,
    model: env.JUDGE_MODEL,
    apiKey: env.JUDGE_API_KEY,
    parallelism: env.JUDGE_PARALLEL,
    rubrics: env.JUDGE_RUBRICS,
  };
}
