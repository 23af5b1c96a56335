/**
 * Whether a PID still names the process the stack started. A PID alone is not enough: after a
 * process dies the kernel may hand its number to a new one, and a stack that trusted the number
 * would report a dead service as running or, worse, stop a stranger's process. On Linux the start
 * time in `/proc/<pid>/stat` (clock ticks since boot, fixed for the life of a process) is recorded
 * at spawn and compared; where `/proc` is missing, liveness of the PID is all that can be known.
 */
import { readFileSync } from "node:fs";

/** The fields of `/proc/<pid>/stat` the stack uses. */
export interface ProcStat {
  /** One letter: R running, S sleeping, D disk wait, Z zombie, X dead, … */
  readonly state: string;
  /** Field 22, start time after boot in clock ticks, as text (it can exceed 2^53 in theory). */
  readonly startTime: string;
}

/**
 * Parses one `/proc/<pid>/stat` line. The command name (field 2) is in parentheses and may itself
 * contain spaces and parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return undefined;
  return { state, startTime };
}

/** `/proc/<pid>/stat` parsed, or `undefined` when the process is gone or there is no `/proc`. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** The identity to record right after spawning `pid`: its start time, or `null` without `/proc`. */
export function startTimeOf(pid: number): string | null {
  return readProcStat(pid)?.startTime ?? null;
}

/** `true` while a process with this PID exists (a zombie counts until its parent reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * What became of a recorded process: `ours` (it still runs), `gone` (exited; a zombie waiting for
 * its parent counts as gone, it will never serve again), or `reused` (the PID now belongs to a
 * different process). With `startTime` null (none was recorded) a live PID counts as ours.
 */
export type ProcessProbe = "ours" | "gone" | "reused";

/** Probes `pid` against the start time recorded for it. */
export function probeProcess(pid: number, startTime: string | null): ProcessProbe {
  const stat = readProcStat(pid);
  if (stat === undefined) return isAlive(pid) ? "ours" : "gone";
  if (stat.state === "Z" || stat.state === "X") return "gone";
  if (startTime !== null && stat.startTime !== startTime) return "reused";
  return "ours";
}
