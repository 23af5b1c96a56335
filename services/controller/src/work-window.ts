/**
 * Credit-based release of a run's per-slot work. Without it a phase's whole work (up to 100,000
 * prompts) went to its topic at once, keyed by run, and a small run whose messages landed behind a
 * big run's backlog on a shared partition waited for all of it (measured: a 4-prompt run 5.2× slower
 * behind a 48-prompt run). With it, at most `window` slots of one run are in flight per stage; each
 * result returns a credit and the next missing slot goes out. A stage's backlog then holds at most
 * `window` messages of each running run, so every run advances at a rate set by the stage's capacity
 * shared among the runs, not by who came first.
 *
 * Only the per-slot phases (prompts, answers) are windowed: filter, train and evaluate are one
 * message per round already.
 *
 * The same record of release times finds stalled work: a slot released long ago without a result
 * (its message lost, or a worker stuck) is released again; workers are idempotent, so a duplicate is
 * harmless. Pure: the driver keeps one {@link WorkWindow} per run and asks it what to send.
 */
import type { Phase } from "@isara/core";

/**
 * Slots of one run in flight per stage by default (WORK_WINDOW). Large enough to keep a stage's LLM
 * lanes busy with a single run (generation takes up to its parallelism at once per replica), small
 * enough that a run landing behind it waits for at most this many messages.
 */
export const DEFAULT_WORK_WINDOW = 32;

/**
 * How long a released slot may wait for its result before it is published again, by default
 * (STALL_TIMEOUT): far above one prompt's or answer's generation time, even on a CPU.
 */
export const DEFAULT_STALL_TIMEOUT_MS = 10 * 60_000;

/** Whether `phase` has one message per slot, and so is released in windows. */
export function isWindowed(phase: Phase): phase is "prompts" | "answers" {
  return phase === "prompts" || phase === "answers";
}

/** The released slots of one phase of one round, each with when it was (last) released. */
export interface WorkWindow {
  readonly round: number;
  readonly phase: Phase;
  /** Slot → release time (ms since the epoch), for slots published and not yet answered. */
  readonly inFlight: Map<number, number>;
}

/** An empty window for a phase. */
export function newWindow(round: number, phase: Phase): WorkWindow {
  return { round, phase, inFlight: new Map() };
}

/**
 * The next slots to release: the lowest `missing` slots not already in flight, as many as `size`
 * leaves room for. `missing` is ascending (phase-progress's `missingSlots`), so slots go out in order
 * and a resumed run continues where it was. Credits are gathered until a quarter of the window is
 * free (or nothing else is left to send), so a phase of N slots takes about 4N/size publishes, not N.
 */
export function slotsToRelease(window: WorkWindow, missing: readonly number[], size: number): number[] {
  const room = size - window.inFlight.size;
  if (room <= 0) return [];
  const out: number[] = [];
  for (const slot of missing) {
    if (out.length >= room) break;
    if (!window.inFlight.has(slot)) out.push(slot);
  }
  const batch = Math.max(1, Math.floor(size / 4));
  const exhausted = out.length < room;
  return out.length >= batch || exhausted ? out : [];
}

/** Records `slots` as released at `now`. */
export function markReleased(window: WorkWindow, slots: readonly number[], now: number): void {
  for (const slot of slots) window.inFlight.set(slot, now);
}

/** Returns a slot's credit: its result is in. */
export function markAnswered(window: WorkWindow, slot: number): void {
  window.inFlight.delete(slot);
}

/** Slots in flight for longer than `timeoutMs` at `now`, ascending: their work is presumed lost. */
export function stalledSlots(window: WorkWindow, now: number, timeoutMs: number): number[] {
  return [...window.inFlight]
    .filter(([, at]) => now - at >= timeoutMs)
    .map(([slot]) => slot)
    .sort((a, b) => a - b);
}
