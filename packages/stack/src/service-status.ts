/**
 * What `isara-stack status` shows for a process (pure). A recorded state is only what the
 * supervisor last wrote; the shown state comes from what is observed now: whether the recorded PID
 * is still the process that was started, and whether it answers its readiness endpoint. A process
 * that is gone is never shown as running, whatever the record says.
 */
import type { ProcessProbe } from "./process-identity.js";
import { exitReason, formatDuration, type ProcessRecord } from "./process-record.js";

/** A state as a user reads it. */
export type ShownState = "running" | "not ready" | "restarting" | "exited" | "stopped" | "not started";

/** What was observed of one process just now. */
export interface Observation {
  /** The recorded PID probed against its start time; null when no PID was recorded. */
  readonly probe: ProcessProbe | null;
  /** Its readiness endpoint answered 200 (true) or not (false); null when it has none. */
  readonly ready: boolean | null;
  /** A supervisor that restarts crashed processes is running now. */
  readonly supervised: boolean;
  /** Current time in ms since the epoch. */
  readonly now: number;
}

/** One line of status. */
export interface ServiceStatus {
  readonly name: string;
  readonly state: ShownState;
  /** PID of the live process, when there is one. */
  readonly pid: number | null;
  /** Restarts, last exit, next restart; empty when there is nothing to say. */
  readonly detail: string;
}

function lastExitText(record: ProcessRecord, now: number): string {
  const exit = record.lastExit;
  if (exit === null) return "";
  const ago = formatDuration(now - Date.parse(exit.at));
  return `${exitReason(exit)} after ${formatDuration(exit.uptimeMs)} up, ${ago} ago`;
}

function restartsText(record: ProcessRecord, now: number): string {
  if (record.restarts === 0) return "";
  const times = record.restarts === 1 ? "1 restart" : `${record.restarts} restarts`;
  const last = lastExitText(record, now);
  return last === "" ? times : `${times}, last exit: ${last}`;
}

/** The state and detail to show for `record` given what was just observed. */
export function serviceStatus(record: ProcessRecord, seen: Observation): ServiceStatus {
  const base = { name: record.name, pid: null };
  if (record.pid !== null && seen.probe === "ours") {
    return {
      ...base,
      pid: record.pid,
      state: seen.ready === false ? "not ready" : "running",
      detail: restartsText(record, seen.now),
    };
  }
  if (record.state === "pending") return { ...base, state: "not started", detail: "" };
  if (record.state === "restarting" && seen.supervised) {
    const at = record.nextRestartAt === null ? seen.now : Date.parse(record.nextRestartAt);
    const when = at > seen.now ? `in ${formatDuration(at - seen.now)}` : "now";
    return {
      ...base,
      state: "restarting",
      detail: `restart ${record.restarts + 1} ${when}; last exit: ${lastExitText(record, seen.now)}`,
    };
  }
  if (record.state === "stopped") {
    return { ...base, state: "stopped", detail: lastExitText(record, seen.now) };
  }
  // The process is gone (or its PID is someone else's now) although the record may say otherwise.
  const recorded = record.lastExit !== null && record.lastExit.pid === record.pid;
  const why = recorded
    ? lastExitText(record, seen.now)
    : seen.probe === "reused"
      ? `pid ${record.pid} exited, its number now belongs to another process`
      : `pid ${record.pid} exited, no exit status recorded`;
  const next = seen.supervised ? "" : "; not restarted: no supervisor runs";
  return { ...base, state: "exited", detail: `${why}${next}` };
}
