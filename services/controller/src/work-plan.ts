/**
 * The work messages of a step: the pure heart of the reconciler. For the phase a run is at, and the
 * slots still missing, it builds exactly what the embedded mode would do in process — the same demo
 * quotas (core's `demoQuotas`), seeds (core's `deriveSeed` with the embedded labels), learning rate,
 * epochs and model — as `PromptWork`, `AnswerWork`, `FilterWork`, `TrainWork` or `EvalWork`. Work
 * carries the run's identity and keys, not copies of its settings: the stages read those from the
 * run's domain snapshot, which this controller validated and wrote when the run started (the filter
 * chain for filtering; sampling and the demo token budget for generation; the trainer settings for
 * training-dispatch), and the deprecated copy fields are left unset. Every message is keyed by run id and carries its deterministic idempotency key, so
 * publishing the same work again (after a restart) is harmless.
 */
import {
  type AnswerWork,
  DemoSelection,
  demoRefToWire,
  type EvalWork,
  type FilterWork,
  type PromptWork,
  type RunContext,
  roundWorkKey,
  runArtifacts,
  TrainingData,
  TrainingMethod,
  type TrainWork,
} from "@isara/contracts";
import {
  type DomainConfig,
  demoQuotas,
  deriveSeed,
  type EvalContext,
  IsaraError,
  type RunState,
  sampleId,
} from "@isara/core";
import { type AdapterReference, modelFor, previousAdapterDir } from "./model-ref.js";
import type { PhaseStep } from "./phase-progress.js";
import type { PromptRow, TrainRow } from "./slot-rows.js";

/** One work message, tagged with the phase (and so the topic) it belongs to. */
export type Work =
  | { readonly phase: "prompts"; readonly message: PromptWork }
  | { readonly phase: "answers"; readonly message: AnswerWork }
  | { readonly phase: "filter"; readonly message: FilterWork }
  | { readonly phase: "train"; readonly message: TrainWork }
  | { readonly phase: "evaluate"; readonly message: EvalWork };

/** What building a step's work reads besides the step. */
export interface WorkInputs {
  readonly state: RunState;
  /** The run's config (the domain snapshot, overrides applied). */
  readonly config: DomainConfig;
  /** Seed pairs of the domain (set 0). */
  readonly seeds: number;
  /** Base model of the run. */
  readonly baseModel: string;
  /** Id of the request that created the run; travels as every message's correlation id. */
  readonly correlationId: string;
  readonly adapterReference: AdapterReference;
  /** Training rows of the run's earlier rounds, by round. */
  readonly trainRows: ReadonlyMap<number, TrainRow>;
  /** For the answers phase: the round's prompts, by slot. */
  readonly prompts?: ReadonlyMap<number, PromptRow>;
}

/** Sizes of sets D0..D(round-1): the seeds, then each earlier round's accepted count. */
export function setSizes(state: RunState, seeds: number, round: number): number[] {
  const sizes = [seeds];
  for (let t = 1; t < round; t++) sizes.push(state.rounds[t]?.filter?.accepted ?? 0);
  return sizes;
}

function evaluation(context: EvalContext): EvalWork["evaluation"] {
  if (context.kind === "zero-shot") return { kind: { $case: "zeroShot", value: {} } };
  const selection = context.selection === "knn" ? DemoSelection.KNN : DemoSelection.RANDOM;
  return { kind: { $case: "inContext", value: { selection, demos: context.demos } } };
}

/**
 * The messages that ask for `slots` of `step` (all slots when the phase starts; the missing ones when
 * a restarted controller resumes). Train, evaluate and filter have one message for the round, sent
 * while any slot of theirs is missing (a filter pass judges the whole round again, idempotently).
 * @throws IsaraError `internal` when the answers phase lacks a prompt for a slot it must answer.
 */
export function workFor(step: PhaseStep, slots: readonly number[], inputs: WorkInputs): Work[] {
  const { state, config } = inputs;
  const run = state.runId;
  const context: RunContext = {
    run,
    domain: state.domain,
    round: step.round,
    correlationId: inputs.correlationId,
  };
  const { isara } = config;
  const model = () =>
    modelFor(state, step.round - 1, inputs.baseModel, inputs.trainRows, inputs.adapterReference);
  const quotas = () => demoQuotas(step.round, isara.demos, setSizes(state, inputs.seeds, step.round));
  // Filter, train and evaluate are one message for the round, sent while any of its slots is missing.
  if (slots.length === 0) return [];
  switch (step.phase) {
    case "prompts": {
      const q = quotas();
      return slots.map((slot) => ({
        phase: "prompts" as const,
        message: {
          context,
          idempotencyKey: sampleId(run, step.round, slot),
          slot,
          quotas: q,
          demoSeed: deriveSeed(isara.seed, "prompt-demos", step.round, slot),
          samplingSeed: deriveSeed(isara.seed, "prompt-sampling", step.round, slot),
          // Deprecated and unset: generation reads the run's sampling and token budget from its
          // domain snapshot.
          sampling: undefined,
          promptBudgetTokens: 0,
          model: model(),
        },
      }));
    }
    case "answers": {
      const q = quotas();
      return slots.map((slot) => {
        const prompt = inputs.prompts?.get(slot);
        if (prompt === undefined) {
          throw new IsaraError(
            "internal",
            `run ${run} round ${step.round} has no prompt for slot ${slot} to answer`,
          );
        }
        return {
          phase: "answers" as const,
          message: {
            context,
            idempotencyKey: sampleId(run, step.round, slot),
            slot,
            prompt: prompt.prompt,
            promptDemos: prompt.promptDemos.map(demoRefToWire),
            quotas: q,
            samplingSeed: deriveSeed(isara.seed, "answer-sampling", step.round, slot),
            // Deprecated and unset, as for prompts.
            sampling: undefined,
            promptBudgetTokens: 0,
            model: model(),
          },
        };
      });
    }
    case "filter":
      return [
        {
          phase: "filter",
          message: {
            context,
            idempotencyKey: roundWorkKey(run, step.round, "filter"),
            candidatesKey: runArtifacts(run).candidates(step.round),
            candidateCount: step.count,
            // Deprecated and unset: the filtering service builds the chain from the run's domain
            // snapshot, which this controller validated and wrote when the run started.
            settings: undefined,
          },
        },
      ];
    case "train": {
      return [
        {
          phase: "train",
          message: {
            context,
            idempotencyKey: roundWorkKey(run, step.round, "train"),
            baseModel: inputs.baseModel,
            data: step.data === "seeds" ? TrainingData.SEEDS : TrainingData.SEEDS_AND_ROUND,
            previousAdapter: previousAdapterDir(state, step.round, inputs.trainRows),
            learningRate: step.learningRate,
            epochs: step.epochs,
            // Deprecated and unset: training-dispatch reads the run's trainer settings from its
            // domain snapshot. The learning rate, epochs and seed above are the round's own.
            method: TrainingMethod.UNSPECIFIED,
            batchSize: 0,
            maxSequenceLength: 0,
            loraRank: 0,
            loraAlpha: 0,
            loraDropout: 0,
            seed: deriveSeed(isara.seed, "train", step.round),
            outputKey: runArtifacts(run).trainDir(step.round),
          },
        },
      ];
    }
    case "evaluate":
      return [
        {
          phase: "evaluate",
          message: {
            context,
            idempotencyKey: roundWorkKey(run, step.round, "evaluate"),
            model: modelFor(state, step.round, inputs.baseModel, inputs.trainRows, inputs.adapterReference),
            evaluation: evaluation(step.context),
            resultsKey: runArtifacts(run).evalResults(step.round),
          },
        },
      ];
  }
}
