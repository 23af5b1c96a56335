/**
 * Core's run modes and phases on the wire. Core names them as strings (`icl-knn`, `evaluate`); the
 * contracts carry the `isara.v1.RunMode` and `isara.v1.Phase` enums. Both maps are total, so adding a
 * mode or phase to core fails to compile here until it has a wire value.
 */
import { type Phase as CorePhase, type RunMode as CoreRunMode, IsaraError } from "@isara/core";
import { Phase } from "./gen/isara/v1/phase.js";
import { RunMode } from "./gen/isara/v1/run_mode.js";

const MODE_TO_WIRE: Readonly<Record<CoreRunMode, RunMode>> = {
  isara: RunMode.ISARA,
  base: RunMode.BASE,
  "sft-seeds": RunMode.SFT_SEEDS,
  "icl-knn": RunMode.ICL_KNN,
  "icl-random": RunMode.ICL_RANDOM,
  "one-shot": RunMode.ONE_SHOT,
};

const PHASE_TO_WIRE: Readonly<Record<CorePhase, Phase>> = {
  prompts: Phase.PROMPTS,
  answers: Phase.ANSWERS,
  filter: Phase.FILTER,
  train: Phase.TRAIN,
  evaluate: Phase.EVALUATE,
};

function reverse<K extends string, V>(table: Readonly<Record<K, V>>): ReadonlyMap<V, K> {
  return new Map(Object.entries(table).map(([core, wire]) => [wire as V, core as K]));
}

const MODE_FROM_WIRE = reverse(MODE_TO_WIRE);
const PHASE_FROM_WIRE = reverse(PHASE_TO_WIRE);

/** The wire enum value of a core run mode. */
export function runModeToWire(mode: CoreRunMode): RunMode {
  return MODE_TO_WIRE[mode];
}

/**
 * The core run mode of a wire value.
 * @throws IsaraError `invalid_argument` for `UNSPECIFIED` or an unknown value: a run cannot start
 *   without knowing what to do, and guessing a mode would run the wrong experiment.
 */
export function runModeFromWire(mode: RunMode): CoreRunMode {
  const core = MODE_FROM_WIRE.get(mode);
  if (core === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `run mode ${mode} is not one of ${Object.keys(MODE_TO_WIRE).join(", ")}; set RunSpec.mode`,
    );
  }
  return core;
}

/** The wire enum value of a core phase. */
export function phaseToWire(phase: CorePhase): Phase {
  return PHASE_TO_WIRE[phase];
}

/**
 * The core phase of a wire value.
 * @throws IsaraError `invalid_argument` for `UNSPECIFIED` or an unknown value.
 */
export function phaseFromWire(phase: Phase): CorePhase {
  const core = PHASE_FROM_WIRE.get(phase);
  if (core === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `phase ${phase} is not one of ${Object.keys(PHASE_TO_WIRE).join(", ")}`,
    );
  }
  return core;
}
