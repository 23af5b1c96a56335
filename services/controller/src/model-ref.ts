/**
 * Which model a round's work names. The run state records each round's adapter as the training
 * summary gave it; what a worker loads differs by backend: llama.cpp loads the GGUF LoRA the trainer
 * converted, vLLM-style servers load an adapter by the name they serve it under. The controller
 * chooses per deployment ({@link AdapterReference}) so one state serves both.
 */
import type { ModelRef } from "@isara/contracts";
import type { RunState } from "@isara/core";
import type { TrainRow } from "./slot-rows.js";

/**
 * What `ModelRef.adapter` carries: `gguf` = the GGUF LoRA the trainer wrote (for llama.cpp workers;
 * the summary's adapter when there is no GGUF), `adapter` = the training summary's adapter as is
 * (for HTTP backends that serve adapters under that name).
 */
export type AdapterReference = "gguf" | "adapter";

/** The latest round up to `upTo` that trained, or `null` when none did (the base model). */
export function latestTrainedRound(state: RunState, upTo: number): number | null {
  for (let r = Math.min(upTo, state.rounds.length - 1); r >= 0; r--) {
    if (state.rounds[r]?.training) return r;
  }
  return null;
}

/**
 * The model for work that uses the adapter of the latest round up to `upTo` (prompts and answers of
 * round t use round t-1's, evaluation of round t uses round t's): the base model alone when no round
 * trained yet.
 */
export function modelFor(
  state: RunState,
  upTo: number,
  baseModel: string,
  trainRows: ReadonlyMap<number, TrainRow>,
  reference: AdapterReference,
): ModelRef {
  const round = latestTrainedRound(state, upTo);
  const summary = round === null ? undefined : state.rounds[round]?.training;
  if (round === null || summary === undefined || summary === null) return { baseModel };
  const row = trainRows.get(round);
  const adapter = reference === "gguf" ? (row?.ggufAdapterPath ?? summary.adapter) : summary.adapter;
  return { baseModel, adapter };
}

/**
 * The adapter a round's training continues from: the PEFT folder of the latest earlier round that
 * trained (what the trainer loads), the summary's adapter when that round's row is missing, or
 * `undefined` to start from the base model.
 */
export function previousAdapterDir(
  state: RunState,
  round: number,
  trainRows: ReadonlyMap<number, TrainRow>,
): string | undefined {
  const previous = latestTrainedRound(state, round - 1);
  if (previous === null) return undefined;
  const dir = trainRows.get(previous)?.adapterDir;
  return dir !== undefined && dir !== "" ? dir : (state.rounds[previous]?.training?.adapter ?? undefined);
}
