#!/usr/bin/env node
/**
 * The supervisor of `make up`, a detached process of its own: `node supervisor-main.js --dir DIR`.
 * It reads the plan `up` saved in `DIR/stack.json`, starts every service in order, then keeps them
 * running (restarting crashed ones with backoff) and saves every change back to `stack.json`. Its
 * output, one timestamped line per event, goes to `DIR/logs/stack.log` (`up` opens it).
 *
 * SIGTERM (from `down`) or SIGINT: it stops restarting, saves, and exits, leaving the services
 * running for `down` to stop. If it dies some other way, the services keep running unsupervised and
 * `status` says so.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startTimeOf } from "./process-identity.js";
import type { ProcessRecord } from "./process-record.js";
import { formatDuration } from "./process-record.js";
import { readStackFile, type SupervisorRecord, withRecords, writeStackFile } from "./stack-file.js";
import { createSupervisor } from "./supervisor.js";

const say = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);

function main(): void {
  const { values } = parseArgs({ options: { dir: { type: "string" } } });
  if (values.dir === undefined) throw new Error("usage: supervisor-main.js --dir <stack folder>");
  const dir = resolve(values.dir);
  const file = readStackFile(dir);
  if (file === undefined) throw new Error(`no stack file in ${dir}`);
  let me: SupervisorRecord = {
    pid: process.pid,
    startTime: startTimeOf(process.pid),
    phase: "starting",
    error: null,
  };
  let records: readonly ProcessRecord[] = file.services;
  const save = (): void => writeStackFile(dir, withRecords({ ...file, supervisor: me }, records));
  const supervisor = createSupervisor({
    specs: file.services.map((s) => s.spec),
    logDir: join(dir, "logs"),
    restart: file.restart,
    log: say,
    onChange: (changed) => {
      records = changed;
      save();
    },
  });
  // Restart timers are unref'd; this keeps the supervisor alive while its services run.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stop = (signal: NodeJS.Signals): void => {
    supervisor.release();
    me = { ...me, phase: "stopped" };
    save();
    say(`${signal}: stopped supervising; the services keep running until they are stopped`);
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  save();
  const policy = file.restart;
  say(
    `supervisor pid ${process.pid}: starting ${file.services.length} services; ${
      policy === null
        ? "crashed services are not restarted"
        : `crashed ones restart after ${formatDuration(policy.initialDelayMs)} doubling to ${formatDuration(policy.maxDelayMs)}`
    }`,
  );
  supervisor.startAll().then(
    () => {
      me = { ...me, phase: "up" };
      save();
      say("every service is ready");
    },
    (err: unknown) => {
      me = { ...me, phase: "failed", error: err instanceof Error ? err.message : String(err) };
      save();
      say(`the stack did not come up, every service was stopped again: ${me.error}`);
      clearInterval(keepAlive);
      process.exitCode = 1;
    },
  );
}

main();
