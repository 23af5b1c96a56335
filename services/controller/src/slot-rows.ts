/**
 * What the controller records of each result, one row per slot of a phase. Prompts, answers and
 * judged samples have one slot per sample (slot i of N); training and evaluation have one slot, 0,
 * for the round. Rows are plain JSON: they are appended to the run's slot logs as results arrive
 * (see slot-log.ts) and rebuilt from there after a restart.
 */
import type { DemoRef, Phase, Sample } from "@isara/core";

/** A prompt written for one slot (`PromptWritten`); the embedded mode's `WrittenPrompt` plus its model. */
export interface PromptRow {
  readonly slot: number;
  readonly prompt: string;
  readonly promptDemos: readonly DemoRef[];
  /** Demos that did not fit the token budget. */
  readonly droppedDemos: number;
  /** The model hit its token limit before closing the prompt. */
  readonly truncated: boolean;
  /** Model (and adapter) that wrote it. */
  readonly generatorModel: string;
}

/** A candidate sample for one slot (`AnswerWritten`), not yet judged. */
export interface AnswerRow {
  readonly slot: number;
  readonly candidate: Sample;
  /** The model hit its token limit while answering. */
  readonly truncated: boolean;
}

/** One judged sample (`SampleJudged`), with every verdict in its lineage. */
export interface JudgedRow {
  readonly slot: number;
  readonly sample: Sample;
  readonly accepted: boolean;
}

/** The round's training result (`TrainDone.result`), slot 0. */
export interface TrainRow {
  readonly slot: 0;
  /** The summary's adapter: what the run state records as the round's adapter. */
  readonly adapter: string;
  readonly finalLoss: number;
  readonly steps: number;
  /** PEFT adapter folder (safetensors): what the next round's training continues from. */
  readonly adapterDir: string;
  /** The adapter as a GGUF LoRA, as llama.cpp loads it; `null` when the trainer did not convert it. */
  readonly ggufAdapterPath: string | null;
  /** Loss per step, for metrics.json. */
  readonly losses: readonly number[];
}

/** The round's evaluation result (`EvalDone.result`), slot 0. */
export interface EvalRow {
  readonly slot: 0;
  readonly metrics: Readonly<Record<string, number>>;
  /** Eval questions scored. */
  readonly items: number;
  /** Artifact key of the per-question answers and scores. */
  readonly resultsKey: string;
}

/** The row type of each phase. */
export interface RowOf {
  readonly prompts: PromptRow;
  readonly answers: AnswerRow;
  readonly filter: JudgedRow;
  readonly train: TrainRow;
  readonly evaluate: EvalRow;
}

/** Any phase's row, tagged with its phase. */
export type TaggedRow = { [P in Phase]: { readonly phase: P; readonly row: RowOf[P] } }[Phase];
