import type { Phase, RunState, TrainProgress } from "@isara/core";

/** What the runner tells whoever watches it (progress bars, `--json` lines, logs). */
export type RunnerEvent =
  | {
      readonly type: "run-start";
      readonly runId: string;
      readonly resumed: boolean;
      readonly state: RunState;
    }
  | { readonly type: "phase-start"; readonly round: number; readonly phase: Phase; readonly total: number }
  | {
      readonly type: "phase-progress";
      readonly round: number;
      readonly phase: Phase;
      readonly done: number;
      readonly total: number;
    }
  | ({ readonly type: "train-progress"; readonly round: number } & TrainProgress)
  | {
      readonly type: "phase-done";
      readonly round: number;
      readonly phase: Phase;
      readonly ms: number;
      readonly state: RunState;
    }
  | { readonly type: "log"; readonly message: string }
  | { readonly type: "run-end"; readonly state: RunState };

/** Receives runner events; must not throw. */
export type RunnerListener = (event: RunnerEvent) => void;
