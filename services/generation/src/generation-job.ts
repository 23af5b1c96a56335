/**
 * `PromptWork` and `AnswerWork` checked into the jobs the service runs. Everything a message can get
 * wrong is found here, before any demo is chosen or any model runs, and reported at once as one
 * `invalid_argument` error: such a message is poison (retrying the same bytes cannot help) and goes
 * to the stage's dead-letter topic with this error as the reason.
 *
 * The slot's sampling and demo token budget are not in the message: they are the run's settings,
 * read from its domain snapshot (which the controller validated when the run started) by
 * {@link withRunSettings}. The deprecated `sampling` and `prompt_budget_tokens` fields that older
 * controllers still set are ignored.
 */
import {
  type AnswerWork,
  checkRunId,
  demoRefFromWire,
  type PromptWork,
  type RunContext,
  type RunDomains,
} from "@isara/contracts";
import {
  type DemoRef,
  IsaraError,
  MAX_FIELD_CHARS,
  type ModelRef,
  type Sampling,
  type SlotKind,
  sampleId,
  slotSettings,
  type Tokenizer,
} from "@isara/core";

/** Most demos one set may give a slot; far above the paper's K = 8, low enough to refuse junk. */
const MAX_QUOTA = 64;

/** What both kinds of work share, validated. */
export interface SlotJob {
  /** Run, domain, round and correlation id, as the message carried them (copied onto the result). */
  readonly context: RunContext;
  /** The slot's sample id, `sampleId(run, round, slot)`. */
  readonly idempotencyKey: string;
  readonly slot: number;
  /** `quotas[i]` = demos from set i; one per set of the round. */
  readonly quotas: readonly number[];
  /** The run's sampling for this kind of slot (from its domain snapshot). */
  readonly sampling: Sampling;
  /** Seed of the completion. */
  readonly samplingSeed: number;
  /** The run's demo token budget (from its domain snapshot). */
  readonly promptBudgetTokens: number;
  /** The model that writes, as the message names it. */
  readonly model: ModelRef;
}

/** What a job takes from its run's domain snapshot rather than from the message. */
export type SlotRunSettings = Pick<SlotJob, "sampling" | "promptBudgetTokens">;

/** A checked message, before its run's settings are added ({@link withRunSettings}). */
export type SlotWork<J extends SlotJob> = Omit<J, keyof SlotRunSettings>;

/** A checked `PromptWork`. */
export interface PromptJob extends SlotJob {
  readonly kind: "prompt";
  /** Seed of the random demo choice. */
  readonly demoSeed: number;
}

/** A checked `AnswerWork`. */
export interface AnswerJob extends SlotJob {
  readonly kind: "answer";
  /** The prompt to answer. */
  readonly prompt: string;
  /** Demos the prompt was written from, for the candidate's lineage. */
  readonly promptDemos: readonly DemoRef[];
}

/** The fields both messages have, as the wire gives them. */
interface WireSlotWork {
  readonly context?: RunContext | undefined;
  readonly idempotencyKey: string;
  readonly slot: number;
  readonly quotas: readonly number[];
  readonly samplingSeed: number;
  readonly model?: { readonly baseModel: string; readonly adapter?: string | undefined } | undefined;
}

/** Checks what both messages share; `problems` collects what is wrong. */
function slotJobOf(work: WireSlotWork, problems: string[]): SlotWork<SlotJob> | undefined {
  const context = work.context;
  let run: string | undefined;
  if (context === undefined || context.run === "") {
    problems.push("context.run is not set; every work message carries the run it belongs to");
  } else {
    try {
      run = checkRunId(context.run);
    } catch (err) {
      problems.push(err instanceof Error ? `context.run: ${err.message}` : String(err));
    }
    if (context.domain === "") problems.push("context.domain is not set");
    if (context.round < 1) problems.push(`context.round is ${context.round}; generation starts at round 1`);
  }
  if (context !== undefined && run !== undefined && context.round >= 1) {
    const expected = sampleId(run, context.round, work.slot);
    if (work.idempotencyKey !== expected) {
      problems.push(
        `idempotency_key is ${JSON.stringify(work.idempotencyKey)}, expected sampleId(run, round, slot) = "${expected}"`,
      );
    }
    if (work.quotas.length !== context.round) {
      problems.push(
        `quotas has ${work.quotas.length} entries but round ${context.round} has ${context.round} sets (seeds and one per earlier round); send one quota per set`,
      );
    }
  }
  const tooBig = work.quotas.findIndex((q) => q > MAX_QUOTA);
  if (tooBig >= 0)
    problems.push(`quotas[${tooBig}] is ${work.quotas[tooBig]}; at most ${MAX_QUOTA} demos per set`);
  const model = work.model;
  if (model === undefined || model.baseModel.trim() === "") {
    problems.push("model.base_model is not set; name the model that writes");
  } else if (model.adapter !== undefined && model.adapter.trim() === "") {
    problems.push("model.adapter is set but empty; leave it unset to write with the base model");
  }
  if (problems.length > 0 || context === undefined || model === undefined) return undefined;
  return {
    context,
    idempotencyKey: work.idempotencyKey,
    slot: work.slot,
    quotas: [...work.quotas],
    samplingSeed: work.samplingSeed,
    model:
      model.adapter === undefined
        ? { baseModel: model.baseModel }
        : { baseModel: model.baseModel, adapter: model.adapter },
  };
}

function refuse(what: string, work: WireSlotWork, problems: readonly string[]): IsaraError {
  const about = work.context?.run
    ? ` of run ${work.context.run} round ${work.context.round} slot ${work.slot}`
    : "";
  return new IsaraError("invalid_argument", `${what}${about} is invalid: ${problems.join("; ")}`, problems);
}

/**
 * Checks a `PromptWork`: a run context with a usable run id, a domain and a round from 1; the
 * idempotency key `sampleId(run, round, slot)`; one quota per set of the round; a base model (and a
 * non-empty adapter when set). The deprecated `sampling` and `prompt_budget_tokens` are not read.
 * @throws IsaraError `invalid_argument` listing every problem; its `details` is the list.
 */
export function parsePromptWork(work: PromptWork): SlotWork<PromptJob> {
  const problems: string[] = [];
  const job = slotJobOf(work, problems);
  if (job === undefined) throw refuse("PromptWork", work, problems);
  return { ...job, kind: "prompt", demoSeed: work.demoSeed };
}

/**
 * Checks an `AnswerWork` as {@link parsePromptWork} does, and its prompt (at most the domain's field
 * limit) and prompt demos (each with an id).
 * @throws IsaraError `invalid_argument` listing every problem; its `details` is the list.
 */
export function parseAnswerWork(work: AnswerWork): SlotWork<AnswerJob> {
  const problems: string[] = [];
  const job = slotJobOf(work, problems);
  if (work.prompt.length > MAX_FIELD_CHARS) {
    problems.push(`prompt has ${work.prompt.length} characters; at most ${MAX_FIELD_CHARS}`);
  }
  const unnamed = work.promptDemos.findIndex((d) => d.id === "");
  if (unnamed >= 0) problems.push(`prompt_demos[${unnamed}].id is empty; every demo is a stored sample`);
  if (job === undefined || problems.length > 0) throw refuse("AnswerWork", work, problems);
  return {
    ...job,
    kind: "answer",
    prompt: work.prompt,
    promptDemos: work.promptDemos.map(demoRefFromWire),
  };
}

/**
 * `work` with its run's sampling and demo token budget, from the run's domain snapshot (read once per
 * run by `domains`): the values core's `slotSettings` gives the embedded mode for the same config,
 * token limits sized from the run's seeds with `tokenizer` (the generating model's) when given.
 * @throws IsaraError as `RunDomains.get`: `not_found` (no snapshot: unknown run) and
 *   `invalid_argument` (a snapshot that does not validate, or of another domain) are poison for the
 *   message; store failures keep their code.
 */
export async function withRunSettings<J extends SlotJob>(
  work: SlotWork<J>,
  domains: RunDomains,
  kind: SlotKind,
  tokenizer?: Tokenizer,
): Promise<J> {
  const domain = await domains.get(work.context.run, work.context.domain);
  const sizing = tokenizer === undefined ? undefined : { seeds: domain.seeds, tokenizer };
  const { sampling, budgetTokens } = slotSettings(domain.config, kind, sizing);
  return { ...work, sampling, promptBudgetTokens: budgetTokens } as J;
}
