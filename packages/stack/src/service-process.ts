/**
 * Starting and stopping one service process of the stack. Each service runs detached in its own
 * process group with its output appended to `<logs>/<name>.log`, so `make up` can return while the
 * stack keeps running, and `make down` (or a test) stops it later by PID alone.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { IsaraError } from "@isara/core";
import type { ServiceSpec } from "./stack-plan.js";

/** Where a service's output goes. */
export function logPath(logDir: string, spec: Pick<ServiceSpec, "name">): string {
  return join(logDir, `${spec.name}.log`);
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

/** The last `lines` lines of a file, for error messages; empty when it cannot be read. */
export function tail(path: string, lines = 20): string {
  if (!existsSync(path)) return "";
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Spawns the service (node, the spec's entry, the parent's environment plus the spec's) and returns
 * its PID at once; {@link waitReady} tells when it serves. The child is unref'd: it outlives this
 * process unless stopped.
 */
export function spawnService(spec: ServiceSpec, logDir: string): number {
  if (!existsSync(spec.entry)) {
    throw new IsaraError(
      "failed_precondition",
      `${spec.entry} does not exist; build the services first (npx turbo run build)`,
    );
  }
  const fd = openSync(logPath(logDir, spec), "a");
  try {
    const child = spawn(process.execPath, [spec.entry], {
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    child.unref();
    if (child.pid === undefined) throw new IsaraError("internal", `could not start ${spec.name}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Resolves once `GET /readyz` on the service's HTTP port answers 200. Rejects with the log's tail
 * when the process exits first or `timeoutMs` passes (a model load on a busy 2-core machine can take
 * tens of seconds, hence the generous default).
 */
export async function waitReady(
  spec: ServiceSpec,
  pid: number,
  logDir: string,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const url = `http://127.0.0.1:${spec.ports.http}/readyz`;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new IsaraError(
        "unavailable",
        `${spec.name} (pid ${pid}) exited while starting; its log ends with:\n${tail(logPath(logDir, spec))}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new IsaraError(
    "deadline_exceeded",
    `${spec.name} (pid ${pid}) was not ready on ${url} after ${timeoutMs / 1000} s; its log ends with:\n${tail(logPath(logDir, spec))}`,
  );
}

/**
 * Sends `signal` and waits until the process is gone; a SIGTERM that is not obeyed within
 * `timeoutMs` is followed by SIGKILL, so stopping always ends. A PID that is already gone is fine.
 */
export async function stopProcess(
  pid: number,
  signal: NodeJS.Signals = "SIGTERM",
  timeoutMs = 30_000,
): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        return;
      }
    }
    await sleep(100);
  }
}
