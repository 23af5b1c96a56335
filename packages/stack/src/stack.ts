/**
 * The local stack: a Kafka broker and every service of the distributed mode as processes on one
 * machine, wired over loopback. `startStack` runs the services as children of the calling process
 * (the end-to-end tests and the distributed benchmark, which kill, restart and stop single services
 * through the returned {@link Stack} handle); `make up` runs the same plan under a detached
 * supervisor instead (`stack-launch.ts`).
 */
import { rmSync } from "node:fs";
import { IsaraError } from "@isara/core";
import { stopBroker } from "./kafka-process.js";
import { killStackQdrantNow, stopStackQdrant } from "./qdrant-process.js";
import { stackFilePath, withRecords, writeStackFile } from "./stack-file.js";
import type { ServiceName, ServiceSpec, StackOptions } from "./stack-plan.js";
import { initialStackFile, prepareStack, processSpec } from "./stack-prepare.js";
import { createSupervisor } from "./supervisor.js";

/** A running stack. */
export interface Stack {
  readonly dir: string;
  readonly kafkaBootstrap: string;
  /** `http://127.0.0.1:PORT` of the gateway's REST API. */
  readonly gatewayUrl: string;
  readonly tenant: string;
  /** Bearer token of `tenant`. */
  readonly token: string;
  readonly specs: ReadonlyMap<ServiceName, ServiceSpec>;
  /** REST URL of the stack's Qdrant, or null when the samples are in LanceDB. */
  readonly qdrantUrl: string | null;
  /** PID of a running service. */
  pid(name: ServiceName): number;
  /** Sends `signal` (default SIGKILL, i.e. `kill -9`) and waits until the process is gone. */
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a service that was killed, with the same ports and environment, and waits until ready. */
  start(name: ServiceName): Promise<void>;
  /** Stops every service (SIGTERM, reverse start order), then the broker if the stack started it. */
  stop(): Promise<void>;
}

/**
 * Starts the broker (unless one is given), then every service in dependency order, each only once
 * the previous one is ready. On any failure everything started so far is stopped again, and the
 * error names the service and carries the end of its log.
 *
 * The services are children of the calling process and are not restarted when they exit: the
 * tests and the benchmark that use this kill services on purpose and start them again themselves.
 * `make up` uses `launchStack`, which runs them under a detached supervisor that does restart them.
 * Either way every start and exit is saved to `stack.json`, so `isara-stack status` tells the truth.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const prepared = await prepareStack(options);
  const { dir, specs, brokerDir } = prepared;
  let file = initialStackFile(prepared, null);
  writeStackFile(dir, file);
  const supervisor = createSupervisor({
    specs: [...specs.values()].map(processSpec),
    logDir: prepared.logDir,
    restart: null,
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
    log: (line) => options.log?.(line),
    onChange: (records) => {
      file = withRecords(file, records);
      writeStackFile(dir, file);
    },
  });
  const spec = (name: ServiceName): ServiceSpec => {
    const s = specs.get(name);
    if (s === undefined) throw new IsaraError("invalid_argument", `the stack has no service '${name}'`);
    return s;
  };
  const killAll = (): void => {
    supervisor.killAllNow();
    killStackQdrantNow(dir);
  };
  const stop = async (): Promise<void> => {
    await supervisor.stopAll();
    if (brokerDir !== null) await stopBroker(options.root, brokerDir);
    await stopStackQdrant(options.root, dir);
    rmSync(stackFilePath(dir), { force: true });
    process.removeListener("exit", killAll);
  };
  if (options.killOnExit === true) process.once("exit", killAll);
  try {
    await supervisor.startAll();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dir,
    kafkaBootstrap: prepared.kafkaBootstrap,
    gatewayUrl: prepared.gatewayUrl,
    tenant: prepared.tenant,
    token: prepared.token,
    specs,
    qdrantUrl: prepared.qdrantUrl,
    pid: (name) => {
      const pid = supervisor.pid(spec(name).name);
      if (pid === undefined) throw new IsaraError("failed_precondition", `${name} is not running`);
      return pid;
    },
    kill: (name, signal = "SIGKILL") => supervisor.kill(spec(name).name, signal),
    start: (name) => supervisor.start(spec(name).name),
    stop,
  };
}
