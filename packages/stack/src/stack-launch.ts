/**
 * `make up`: the stack under a detached supervisor, so the command returns while the stack keeps
 * running and crashed services are restarted. This process prepares the stack (folders, token,
 * broker, plan), saves the plan to `stack.json`, starts `supervisor-main.js` detached with its output
 * in `logs/stack.log`, shows that log as it grows, and returns once the supervisor reports every
 * service ready, or throws its error (everything it started is stopped again then).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { IsaraError } from "@isara/core";
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from "./restart-backoff.js";
import { tail } from "./service-process.js";
import { stopStackIn } from "./stack-down.js";
import { readStackFile, writeStackFile } from "./stack-file.js";
import type { StackOptions } from "./stack-plan.js";
import { initialStackFile, type PreparedStack, prepareStack } from "./stack-prepare.js";

/** How to launch: a stack's options plus how crashed services are restarted. */
export interface LaunchOptions extends Omit<StackOptions, "killOnExit"> {
  /** Default {@link DEFAULT_RESTART_POLICY}: 1 s doubling to 30 s. */
  readonly restart?: RestartPolicy;
}

/** Where the supervisor writes its lines. */
export function stackLogPath(dir: string): string {
  return join(dir, "logs", "stack.log");
}

const SUPERVISOR_MAIN = fileURLToPath(new URL("./supervisor-main.js", import.meta.url));

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Starts the supervisor of the stack saved in `<dir>/stack.json` and waits until it reports every
 * service ready. Progress lines of its log reach `log` without their timestamps. The supervisor is
 * detached and outlives this process. Throws when it reports a failure or exits before the stack is
 * up (it stopped the services it started by then).
 */
export async function superviseStack(dir: string, log: (line: string) => void = () => {}): Promise<number> {
  const logFile = stackLogPath(dir);
  let shown = fileSize(logFile);
  const fd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [SUPERVISOR_MAIN, "--dir", dir], {
      detached: true,
      stdio: ["ignore", fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let exit: string | undefined;
  child.once("exit", (code, signal) => {
    exit = signal === null ? `exit code ${code}` : `signal ${signal}`;
  });
  const showNewLines = (): void => {
    const size = fileSize(logFile);
    if (size <= shown) return;
    const text = readFileSync(logFile).subarray(shown, size).toString("utf8");
    const complete = text.lastIndexOf("\n") + 1;
    shown += Buffer.byteLength(text.slice(0, complete));
    for (const line of text.slice(0, complete).split("\n").slice(0, -1)) {
      log(line.replace(/^\d{4}-\d\d-\d\dT\S+ /, ""));
    }
  };
  for (;;) {
    await sleep(200);
    showNewLines();
    const sup = readStackFile(dir)?.supervisor;
    // Only this supervisor's word counts (not one a previous `up` left in the file).
    if (sup != null && sup.pid === child.pid) {
      if (sup.phase === "up") {
        child.unref();
        return sup.pid;
      }
      if (sup.phase === "failed") {
        throw new IsaraError("unavailable", sup.error ?? "the stack did not come up");
      }
    }
    if (exit !== undefined) {
      showNewLines();
      throw new IsaraError(
        "internal",
        `the supervisor exited (${exit}) before the stack was up; ${logFile} ends with:\n${tail(logFile)}`,
      );
    }
  }
}

/** What `make up` started. */
export interface LaunchedStack extends Omit<PreparedStack, "specs" | "logDir"> {
  readonly supervisorPid: number;
}

/** Prepares the stack, hands it to a detached supervisor, and returns once every service is ready. */
export async function launchStack(options: LaunchOptions): Promise<LaunchedStack> {
  const prepared = await prepareStack(options);
  writeStackFile(prepared.dir, initialStackFile(prepared, options.restart ?? DEFAULT_RESTART_POLICY));
  try {
    const supervisorPid = await superviseStack(prepared.dir, options.log);
    return {
      dir: prepared.dir,
      kafkaBootstrap: prepared.kafkaBootstrap,
      brokerDir: prepared.brokerDir,
      qdrantUrl: prepared.qdrantUrl,
      gatewayUrl: prepared.gatewayUrl,
      tenant: prepared.tenant,
      token: prepared.token,
      tokenFile: prepared.tokenFile,
      supervisorPid,
    };
  } catch (err) {
    // Whatever is still recorded goes: the services a supervisor that died started, the broker, Qdrant.
    await stopStackIn(options.root, prepared.dir);
    throw err;
  }
}
