/**
 * Deterministic idempotency keys of the topic messages. A consumer records the keys it has finished
 * and repeats nothing when a key comes again, so a redelivery after a crash or a rebalance is
 * harmless. Keys depend only on what the work is, never on when or by whom it was sent:
 * - per-slot work (prompts, answers, judged samples) uses the slot's sample id, core's
 *   `sampleId(run, round, slot)`;
 * - per-round work (filter, train, evaluate) and phase-completed run events use {@link roundWorkKey}.
 */
import { IsaraError, PHASES, type Phase } from "@isara/core";

/**
 * `"<run>/<round>/<phase>"`: the key of a round's filter, train or evaluate work, of its result, and
 * of the run event that completes the phase. One value per (run, round, phase), on every machine.
 * @throws IsaraError `invalid_argument` for an empty run id, a round that is not a non-negative
 *   integer, or an unknown phase: a malformed key would make distinct work look the same.
 */
export function roundWorkKey(run: string, round: number, phase: Phase): string {
  if (run === "")
    throw new IsaraError("invalid_argument", "run id is empty; every key starts with the run id");
  if (!Number.isSafeInteger(round) || round < 0) {
    throw new IsaraError("invalid_argument", `round must be a non-negative integer, got ${round}`);
  }
  if (!PHASES.includes(phase)) {
    throw new IsaraError("invalid_argument", `phase "${phase}" is not one of ${PHASES.join(", ")}`);
  }
  return `${run}/${round}/${phase}`;
}
