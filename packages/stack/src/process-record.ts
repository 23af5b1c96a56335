/**
 * What the stack remembers about each process it supervises, as saved in `stack.json` after every
 * change: the PID with its start time (so a later reader can tell the process from a reused PID),
 * the supervisor's view of its state, and the last exit with its reason. Kept apart from what a
 * reader observes now (`service-status.ts`): a record can be stale, an observation cannot.
 */

/** The supervisor's view, as of its last write. */
export type RecordedState =
  /** Not started yet (the stack starts in order). */
  | "pending"
  /** Spawned, waiting for its first readiness answer during the stack's start. */
  | "starting"
  /** Spawned and not seen exiting. */
  | "running"
  /** Exited on its own; a restart is scheduled at `nextRestartAt`. */
  | "restarting"
  /** Exited on its own and will not be restarted (no restart policy). */
  | "exited"
  /** Stopped on purpose (`down`, a test's `kill`): not restarted. */
  | "stopped";

/** How a process ended. */
export interface ExitRecord {
  readonly pid: number;
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, e.g. `SIGKILL`, or null. */
  readonly signal: string | null;
  /** ISO time of the exit. */
  readonly at: string;
  /** How long it ran. */
  readonly uptimeMs: number;
  /** The last lines of its log at exit, for the reason. */
  readonly logTail: readonly string[];
}

/** One supervised process. */
export interface ProcessRecord {
  readonly name: string;
  /** PID of the current (or last) process; null before the first start. */
  readonly pid: number | null;
  /** Its start time from `/proc` (see `process-identity.ts`); null where unknown. */
  readonly startTime: string | null;
  readonly state: RecordedState;
  /** ISO time of the current process's spawn. */
  readonly startedAt: string | null;
  /** How often it was restarted after exiting on its own. */
  readonly restarts: number;
  readonly lastExit: ExitRecord | null;
  /** ISO time of the scheduled restart while `restarting`. */
  readonly nextRestartAt: string | null;
}

/** A record of a process that has not started yet. */
export function pendingRecord(name: string): ProcessRecord {
  return {
    name,
    pid: null,
    startTime: null,
    state: "pending",
    startedAt: null,
    restarts: 0,
    lastExit: null,
    nextRestartAt: null,
  };
}

/**
 * Why a process ended, in words: the code or signal, and what a signal usually means here (a
 * SIGKILL nobody sent on purpose is the kernel's out-of-memory killer; V8 running out of heap aborts
 * after saying so in the log).
 */
export function exitReason(exit: Pick<ExitRecord, "code" | "signal" | "logTail">): string {
  const heap = exit.logTail.some((line) => /heap out of memory|Allocation failed/i.test(line));
  const base =
    exit.signal !== null
      ? `signal ${exit.signal}`
      : exit.code !== null
        ? `exit code ${exit.code}`
        : "unknown exit";
  if (heap) return `${base} (JavaScript heap out of memory)`;
  if (exit.signal === "SIGKILL") return `${base} (out-of-memory killer or kill -9)`;
  return base;
}

/** `200 ms`, `3 s`, `4 min`, `2 h`: durations in status lines and logs. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
