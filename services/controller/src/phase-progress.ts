/**
 * Which slots of the phase in progress have a result, and the phase's `phase-completed` event once
 * every slot has one. Pure: the reconciler feeds it rows (from Kafka, or from the slot log after a
 * restart) and asks what is missing and whether the phase is complete. A slot keeps its first result:
 * a duplicate (redelivery, replay, a worker that ran twice) changes nothing, so every slot ends
 * exactly once and counts are never doubled.
 */
import {
  IsaraError,
  type NextStep,
  type Phase,
  type PhaseCompleted,
  summarizeFilterResults,
} from "@isara/core";
import type { RowOf, TaggedRow } from "./slot-rows.js";

/** A step that runs a phase (what `nextStep` returns while a run is running). */
export type PhaseStep = Extract<NextStep, { type: "phase" }>;

/** Results so far of one phase of one round. */
export type PhaseProgress = {
  [P in Phase]: {
    readonly round: number;
    readonly phase: P;
    /** Slots the phase waits for, ascending: 0..N-1 per sample, or the single slot 0. */
    readonly expected: readonly number[];
    readonly rows: Map<number, RowOf[P]>;
  };
}[Phase];

/**
 * The slots of a step: one per prompt (every slot of the prompts phase gets a prompt, every prompt
 * an answer, every candidate a verdict, as in the embedded mode), or slot 0 for train and evaluate.
 */
export function expectedSlots(step: PhaseStep): number[] {
  if (step.phase === "train" || step.phase === "evaluate") return [0];
  return Array.from({ length: step.count }, (_, slot) => slot);
}

/** Empty progress for `step`. */
export function newProgress(step: PhaseStep): PhaseProgress {
  const base = { round: step.round, expected: expectedSlots(step) };
  switch (step.phase) {
    case "prompts":
      return { ...base, phase: "prompts", rows: new Map() };
    case "answers":
      return { ...base, phase: "answers", rows: new Map() };
    case "filter":
      return { ...base, phase: "filter", rows: new Map() };
    case "train":
      return { ...base, phase: "train", rows: new Map() };
    case "evaluate":
      return { ...base, phase: "evaluate", rows: new Map() };
  }
}

/**
 * Whether `tagged` would be a slot's first result in `progress` (`new`) or a `duplicate` of one it
 * has; changes nothing, so a caller can make the row durable before recording it.
 * @throws IsaraError `invalid_argument` when the row is of another phase or for a slot the phase does
 *   not have (e.g. slot 9 of a round of 4 prompts): a broken producer, not a result to count.
 */
export function classifyRow(progress: PhaseProgress, tagged: TaggedRow): "new" | "duplicate" {
  if (tagged.phase !== progress.phase) {
    throw new IsaraError(
      "invalid_argument",
      `a ${tagged.phase} result cannot be recorded in the ${progress.phase} phase of round ${progress.round}`,
    );
  }
  const slot = tagged.row.slot;
  if (!progress.expected.includes(slot)) {
    throw new IsaraError(
      "invalid_argument",
      `the ${progress.phase} phase of round ${progress.round} has ${describeSlots(progress.expected)}; ` +
        `a result for slot ${slot} does not belong to it`,
    );
  }
  return progress.rows.has(slot) ? "duplicate" : "new";
}

/**
 * Records `tagged` in `progress`: `recorded` for a slot's first result, `duplicate` when the slot
 * already has one (the row is dropped, the first result stays).
 * @throws IsaraError `invalid_argument` as {@link classifyRow}.
 */
export function recordRow(progress: PhaseProgress, tagged: TaggedRow): "recorded" | "duplicate" {
  if (classifyRow(progress, tagged) === "duplicate") return "duplicate";
  // classifyRow checked that the phases match, so the row has the map's row type.
  (progress.rows as Map<number, TaggedRow["row"]>).set(tagged.row.slot, tagged.row);
  return "recorded";
}

function describeSlots(expected: readonly number[]): string {
  if (expected.length === 1 && expected[0] === 0) return "one result (slot 0)";
  return `slots 0..${expected.length - 1}`;
}

/** Slots still without a result, ascending. */
export function missingSlots(progress: PhaseProgress): number[] {
  return progress.expected.filter((slot) => !progress.rows.has(slot));
}

/** Rows of `progress` in slot order. */
export function rowsInOrder<R>(rows: ReadonlyMap<number, R>): R[] {
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

/**
 * Core's `phase-completed` event once every expected slot has a result, else `null`. Counts come
 * from the rows (the filter's through core's `summarizeFilterResults`, as the embedded filter step
 * reports them), the training summary and metrics from the single train or evaluate row.
 */
export function completedEvent(progress: PhaseProgress): PhaseCompleted | null {
  if (missingSlots(progress).length > 0) return null;
  const at = { type: "phase-completed" as const, round: progress.round };
  switch (progress.phase) {
    case "prompts":
      return { ...at, phase: "prompts", written: progress.rows.size };
    case "answers":
      return { ...at, phase: "answers", written: progress.rows.size };
    case "filter": {
      const results = rowsInOrder(progress.rows).map((r) => ({
        candidate: { slot: r.slot, prompt: r.sample.prompt, response: r.sample.response, promptDemos: [] },
        verdicts: r.sample.lineage.verdicts,
        accepted: r.accepted,
      }));
      const { written, accepted, rejectedBy } = summarizeFilterResults(results);
      return { ...at, phase: "filter", written, accepted, rejectedBy: { ...rejectedBy } };
    }
    case "train": {
      const row = progress.rows.get(0);
      if (row === undefined) return null;
      return { ...at, phase: "train", adapter: row.adapter, finalLoss: row.finalLoss, steps: row.steps };
    }
    case "evaluate": {
      const row = progress.rows.get(0);
      if (row === undefined) return null;
      return { ...at, phase: "evaluate", metrics: { ...row.metrics } };
    }
  }
}
