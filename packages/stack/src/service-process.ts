/**
 * The files and signals around one process of the stack: where its output goes, the end of that
 * output for error messages, and stopping a process by PID from another process (`make down`),
 * which checks first that the PID still names the process that was started.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { probeProcess } from "./process-identity.js";

/** Where a process's output goes. */
export function logPath(logDir: string, spec: { readonly name: string }): string {
  return join(logDir, `${spec.name}.log`);
}

/** The last `lines` lines of a file, for error messages; empty when it cannot be read. */
export function tail(path: string, lines = 20): string {
  if (!existsSync(path)) return "";
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Sends `signal` and waits until the process is gone; a SIGTERM that is not obeyed within
 * `timeoutMs` is followed by SIGKILL, so stopping always ends. A PID that is already gone, or that
 * now belongs to another process than the one started at `startTime`, is left alone. Returns whether
 * a signal was sent.
 */
export async function stopProcess(
  pid: number,
  signal: NodeJS.Signals = "SIGTERM",
  timeoutMs = 30_000,
  startTime: string | null = null,
): Promise<boolean> {
  if (probeProcess(pid, startTime) !== "ours") return false;
  try {
    process.kill(pid, signal);
  } catch {
    return false;
  }
  const deadline = Date.now() + timeoutMs;
  let killed = false;
  while (probeProcess(pid, startTime) === "ours") {
    if (!killed && Date.now() > deadline) {
      killed = true;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        return true;
      }
    }
    await sleep(100);
  }
  return true;
}
