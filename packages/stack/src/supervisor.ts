/**
 * Runs a list of processes and keeps them running, like a kubelet keeps a pod's containers: starts
 * them in order (each once the previous one answers its readiness endpoint), and when one exits on
 * its own restarts it after a backoff (`restart-backoff.ts`), logging each exit with its code or
 * signal and the end of its log. Processes stopped on purpose (`kill`, `stopAll`) stay down.
 *
 * It is the parent of every process it runs, which is what lets it know exit codes and signals at
 * all: a process that is not your child can only be seen to vanish. `make up` runs it in a detached
 * process of its own (`supervisor-main.ts`); the tests and the benchmark run it inside their own
 * process through `startStack`, without restarts, because they kill services on purpose.
 *
 * Every change is reported through `onChange` with the records of all processes, which the callers
 * save to `stack.json` for `status` and `down` in other processes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { IsaraError } from "@isara/core";
import { startTimeOf } from "./process-identity.js";
import {
  type ExitRecord,
  exitReason,
  formatDuration,
  type ProcessRecord,
  pendingRecord,
} from "./process-record.js";
import { nextBackoff, type RestartPolicy } from "./restart-backoff.js";
import { logPath, tail } from "./service-process.js";

/** One process to run. Plain data, so it can be saved and handed to a supervisor in another process. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the supervisor's own environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Answers 200 once the process serves (`/readyz`); absent: ready once spawned. */
  readonly readyUrl?: string;
}

/** What a supervisor runs and how. */
export interface SupervisorOptions {
  /** In start order; stopping runs it backwards. */
  readonly specs: readonly ProcessSpec[];
  /** Each process's output is appended to `<logDir>/<name>.log`. */
  readonly logDir: string;
  /** How to restart a process that exited on its own; null: never (it is recorded as exited). */
  readonly restart: RestartPolicy | null;
  /** Longest wait for one process to become ready in `start`. Default 180 s. */
  readonly readyTimeoutMs?: number;
  /** Lines for a person: starts, exits with their reasons, restarts. */
  readonly log?: (line: string) => void;
  /** Called with every process's record after each change. */
  readonly onChange?: (records: readonly ProcessRecord[]) => void;
}

/** A running supervisor. */
export interface Supervisor {
  /** Starts every process in order, each once the previous one is ready; on failure stops them all again. */
  startAll(): Promise<void>;
  /** Starts one process that is not running (again) and waits until it is ready. */
  start(name: string): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits for the exit; the process stays down until `start`. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Stops every process, backwards: SIGTERM, SIGKILL after `timeoutMs` (default 30 s). */
  stopAll(timeoutMs?: number): Promise<void>;
  /** Stops restarting (pending restarts are dropped) and leaves the processes running. */
  release(): void;
  /** SIGKILL to every process at once, synchronously (for an exiting parent). */
  killAllNow(): void;
  /** PID of a running process. */
  pid(name: string): number | undefined;
  records(): readonly ProcessRecord[];
}

interface Slot {
  readonly spec: ProcessSpec;
  record: ProcessRecord;
  child: ChildProcess | undefined;
  exited: Promise<void>;
  spawnedAt: number;
  /** Stopped on purpose: an exit is not a crash and is not restarted. */
  held: boolean;
  crashesInARow: number;
  timer: NodeJS.Timeout | undefined;
}

const LOG_TAIL_LINES = 10;

/** Builds a supervisor; nothing runs until `startAll` or `start`. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const log = options.log ?? (() => {});
  const slots = options.specs.map(
    (spec): Slot => ({
      spec,
      record: pendingRecord(spec.name),
      child: undefined,
      exited: Promise.resolve(),
      spawnedAt: 0,
      held: false,
      crashesInARow: 0,
      timer: undefined,
    }),
  );
  const changed = (): void => options.onChange?.(slots.map((s) => s.record));
  const slot = (name: string): Slot => {
    const found = slots.find((s) => s.spec.name === name);
    if (found === undefined) throw new IsaraError("invalid_argument", `no process '${name}' is supervised`);
    return found;
  };
  const logFile = (s: Slot): string => logPath(options.logDir, s.spec);

  const onExit = (s: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void => {
    if (s.child !== child || child.pid === undefined) return;
    s.child = undefined;
    const exit: ExitRecord = {
      pid: child.pid,
      code,
      signal,
      at: new Date().toISOString(),
      uptimeMs: Date.now() - s.spawnedAt,
      logTail: tail(logFile(s), LOG_TAIL_LINES)
        .split("\n")
        .filter((l) => l !== ""),
    };
    const what = `${s.spec.name} (pid ${exit.pid}) exited: ${exitReason(exit)} after ${formatDuration(exit.uptimeMs)}`;
    const logEnd =
      exit.logTail.length === 0 ? "" : `; its log ends with:\n    ${exit.logTail.join("\n    ")}`;
    if (s.held) {
      s.record = { ...s.record, state: "stopped", lastExit: exit, nextRestartAt: null };
    } else if (options.restart === null || s.record.state === "starting") {
      // Without a policy, or while `start` waits for readiness (its caller gets the error), no restart.
      s.record = { ...s.record, state: "exited", lastExit: exit, nextRestartAt: null };
      log(`${what}${logEnd}`);
    } else {
      const delayMs = scheduleRestart(s, options.restart, exit.uptimeMs);
      s.record = { ...s.record, lastExit: exit };
      log(`${what}; restart ${s.record.restarts + 1} in ${formatDuration(delayMs)}${logEnd}`);
    }
    changed();
  };

  /** Records the restart and arms its timer; returns the delay. */
  const scheduleRestart = (s: Slot, policy: RestartPolicy, uptimeMs: number): number => {
    const step = nextBackoff(policy, s.crashesInARow, uptimeMs);
    s.crashesInARow = step.crashesInARow;
    s.record = {
      ...s.record,
      state: "restarting",
      nextRestartAt: new Date(Date.now() + step.delayMs).toISOString(),
    };
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (s.held) return;
      try {
        spawnInto(s, "running");
        s.record = { ...s.record, restarts: s.record.restarts + 1 };
        log(`restarted ${s.spec.name} (pid ${s.record.pid}, restart ${s.record.restarts})`);
      } catch (err) {
        log(`could not restart ${s.spec.name}: ${(err as Error).message}`);
        scheduleRestart(s, policy, 0);
      }
      changed();
    }, step.delayMs);
    s.timer.unref();
    return step.delayMs;
  };

  const spawnInto = (s: Slot, state: "starting" | "running"): void => {
    const fd = openSync(logFile(s), "a");
    let child: ChildProcess;
    try {
      child = spawn(s.spec.command, [...s.spec.args], {
        env: { ...process.env, ...s.spec.env },
        // Its own process group: a Ctrl-C or a signal to the supervisor's group does not reach it.
        detached: true,
        stdio: ["ignore", fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    child.on("error", (err) => log(`${s.spec.name}: ${err.message}`));
    const pid = child.pid;
    if (pid === undefined) throw new IsaraError("internal", `could not start ${s.spec.name}`);
    child.unref();
    s.child = child;
    s.spawnedAt = Date.now();
    s.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        onExit(s, child, code, signal);
        resolve();
      });
    });
    s.record = {
      ...s.record,
      pid,
      startTime: startTimeOf(pid),
      state,
      startedAt: new Date(s.spawnedAt).toISOString(),
      nextRestartAt: null,
    };
  };

  const waitReady = async (s: Slot, pid: number): Promise<void> => {
    const url = s.spec.readyUrl;
    if (url === undefined) return;
    const timeoutMs = options.readyTimeoutMs ?? 180_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (s.child?.pid !== pid) {
        throw new IsaraError(
          "unavailable",
          `${s.spec.name} (pid ${pid}) exited while starting; its log ends with:\n${tail(logFile(s))}`,
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
      `${s.spec.name} (pid ${pid}) was not ready on ${url} after ${timeoutMs / 1000} s; its log ends with:\n${tail(logFile(s))}`,
    );
  };

  const cancel = (s: Slot): void => {
    s.held = true;
    if (s.timer !== undefined) clearTimeout(s.timer);
    s.timer = undefined;
    if (s.child === undefined && s.record.state === "restarting") {
      s.record = { ...s.record, state: "stopped", nextRestartAt: null };
    }
  };

  const terminate = async (s: Slot, signal: NodeJS.Signals, timeoutMs: number): Promise<void> => {
    cancel(s);
    const child = s.child;
    if (child !== undefined) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await s.exited;
      clearTimeout(timer);
    }
    changed();
  };

  const start = async (name: string): Promise<void> => {
    const s = slot(name);
    if (s.child !== undefined) {
      throw new IsaraError("failed_precondition", `${name} still runs (pid ${s.child.pid}); kill it first`);
    }
    cancel(s);
    s.held = false;
    s.crashesInARow = 0;
    spawnInto(s, "starting");
    changed();
    const pid = s.record.pid ?? 0;
    await waitReady(s, pid);
    s.record = { ...s.record, state: "running" };
    changed();
    log(`started ${name} (pid ${pid})`);
  };

  const stopAll = async (timeoutMs = 30_000): Promise<void> => {
    for (const s of slots) cancel(s);
    for (const s of [...slots].reverse()) await terminate(s, "SIGTERM", timeoutMs);
  };

  return {
    start,
    stopAll,
    startAll: async () => {
      try {
        for (const s of slots) await start(s.spec.name);
      } catch (err) {
        await stopAll();
        throw err;
      }
    },
    kill: (name, signal = "SIGKILL") => terminate(slot(name), signal, 30_000),
    release: () => {
      for (const s of slots) cancel(s);
      changed();
    },
    killAllNow: () => {
      for (const s of slots) {
        cancel(s);
        s.child?.kill("SIGKILL");
      }
    },
    pid: (name) => slot(name).child?.pid,
    records: () => slots.map((s) => s.record),
  };
}
