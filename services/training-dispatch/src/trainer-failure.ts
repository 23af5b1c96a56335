/**
 * Which trainer failures are worth another try and which are the round's final answer. The subprocess
 * trainer reports a bad spec or dataset (exit 2) as `invalid_argument` and a failed run (exit 3: NaN
 * loss, a library error) as `internal`; retrying the same spec fails the same way, so those end the
 * round in `TrainDone.error`. A trainer killed by a signal (the kernel's out-of-memory killer, a node
 * drained under it) did not fail on its input: that is retried in place, as are a training that ran
 * past `TRAINING_TIMEOUT` and any retryable error of another Trainer backend.
 */
import { IsaraError } from "@isara/core";
import { asIsaraError } from "@isara/kit";

/** What to do with a failed training: throw it (retried, or interrupted on shutdown) or report it. */
export type TrainerFailure =
  | { readonly kind: "retry"; readonly error: IsaraError }
  | { readonly kind: "report"; readonly error: IsaraError };

/** How the training ended besides its error. */
export interface FailureCircumstances {
  /** The job's signal aborted: the service is shutting down. */
  readonly aborted: boolean;
  /** The training ran longer than its timeout. */
  readonly timedOut: boolean;
  readonly timeoutMs: number;
}

function killedBy(error: IsaraError): string | undefined {
  const details = error.details;
  if (typeof details !== "object" || details === null || !("exit" in details)) return undefined;
  const exit = (details as { exit: unknown }).exit;
  if (typeof exit !== "object" || exit === null || !("signal" in exit)) return undefined;
  const signal = (exit as { signal: unknown }).signal;
  return typeof signal === "string" ? signal : undefined;
}

/** Sorts a trainer error (see the module comment). */
export function classifyTrainerFailure(err: unknown, at: FailureCircumstances): TrainerFailure {
  const error = asIsaraError(err);
  if (at.aborted) return { kind: "retry", error };
  if (at.timedOut) {
    return {
      kind: "retry",
      error: new IsaraError(
        "deadline_exceeded",
        `the training ran longer than ${at.timeoutMs} ms and was stopped; raise TRAINING_TIMEOUT if rounds need longer`,
        undefined,
        { cause: error },
      ),
    };
  }
  const signal = killedBy(error);
  if (signal !== undefined) {
    return {
      kind: "retry",
      error: new IsaraError(
        "unavailable",
        `${error.message} before it finished (out of memory, or its machine went away); training again`,
        error.details,
        { cause: error },
      ),
    };
  }
  return error.retryable ? { kind: "retry", error } : { kind: "report", error };
}
