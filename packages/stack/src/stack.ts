/**
 * The local stack: a Kafka broker and every service of the distributed mode as processes on one
 * machine, wired over loopback. `make up` / `make down` use it through `main.ts`; the end-to-end
 * tests and the distributed benchmark use the returned {@link Stack} handle to kill, restart and
 * stop single services.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { IsaraError } from "@isara/core";
import { freePort } from "./free-port.js";
import { startBroker, stopBroker } from "./kafka-process.js";
import { isAlive, spawnService, stopProcess, waitReady } from "./service-process.js";
import { readStackFile, type StackFile, stackFilePath, writeStackFile } from "./stack-file.js";
import {
  artifactRoot,
  needsGrpcPort,
  planStack,
  type ServiceName,
  type ServicePorts,
  type ServiceSpec,
  START_ORDER,
  type StackSettings,
} from "./stack-plan.js";

/** How to start a stack. */
export interface StackOptions {
  /** Repository root (built services under `services/<name>/dist`). */
  readonly root: string;
  /** Stack folder: artifacts, LanceDB, logs, stack.json, and the broker's data unless `kafka` is given. */
  readonly dir: string;
  readonly modelPath: string;
  readonly trainerPython: string;
  readonly embedderDir?: string;
  /** Completions at once per LLM process. Default 2. */
  readonly llmParallel?: number;
  /** Use this broker instead of starting one (tests that restart the broker themselves). */
  readonly kafka?: { readonly bootstrap: string };
  /** Tenant of the gateway token the stack makes. Default `local`. */
  readonly tenant?: string;
  readonly extraEnv?: StackSettings["extraEnv"];
  /** Longest wait for one service to become ready. Default 180 s. */
  readonly readyTimeoutMs?: number;
  /** Progress lines ("started generation (pid 123)"). */
  readonly log?: (line: string) => void;
  /**
   * Kill every service when this process exits (tests: a failed or interrupted test must not leave
   * services behind). Off for `make up`, whose processes outlive the command by design.
   */
  readonly killOnExit?: boolean;
}

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
  /** PID of a running service. */
  pid(name: ServiceName): number;
  /** Sends `signal` (default SIGKILL, i.e. `kill -9`) and waits until the process is gone. */
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a service that was killed, with the same ports and environment, and waits until ready. */
  start(name: ServiceName): Promise<void>;
  /** Stops every service (SIGTERM, reverse start order), then the broker if the stack started it. */
  stop(): Promise<void>;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

async function allocatePorts(): Promise<Record<ServiceName, ServicePorts>> {
  const ports: Partial<Record<ServiceName, ServicePorts>> = {};
  for (const name of START_ORDER) {
    ports[name] = { http: await freePort(), ...(needsGrpcPort(name) ? { grpc: await freePort() } : {}) };
  }
  return ports as Record<ServiceName, ServicePorts>;
}

function refuseRunningStack(dir: string): void {
  const file = readStackFile(dir);
  if (file === undefined) return;
  const alive = Object.entries(file.services).filter(([, s]) => s !== undefined && isAlive(s.pid));
  if (alive.length > 0) {
    throw new IsaraError(
      "failed_precondition",
      `a stack already runs in ${dir} (${alive.map(([n, s]) => `${n} pid ${s?.pid}`).join(", ")}; gateway ${file.gatewayUrl}); stop it first with 'make down'`,
    );
  }
}

/**
 * Starts the broker (unless one is given), then every service in dependency order, each only once
 * the previous one is ready. On any failure everything started so far is stopped again, and the
 * error names the service and carries the end of its log.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const dir = resolve(options.dir);
  const log = options.log ?? (() => {});
  refuseRunningStack(dir);
  const logDir = join(dir, "logs");
  mkdirSync(logDir, { recursive: true });
  // The shared artifact volume exists before any service starts, as a mounted volume would.
  mkdirSync(artifactRoot(dir), { recursive: true });
  const tenant = options.tenant ?? "local";
  const token = randomBytes(24).toString("hex");
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

  const brokerDir = options.kafka === undefined ? join(dir, "kafka") : null;
  const kafkaBootstrap = options.kafka?.bootstrap ?? (await startBroker(options.root, join(dir, "kafka")));
  if (brokerDir !== null) log(`started Kafka on ${kafkaBootstrap}`);
  const ports = await allocatePorts();
  const specs = new Map(
    planStack(
      {
        root: options.root,
        dir,
        kafkaBootstrap,
        modelPath: options.modelPath,
        trainerPython: options.trainerPython,
        ...(options.embedderDir === undefined ? {} : { embedderDir: options.embedderDir }),
        gatewayTokens: { [sha256(token)]: tenant },
        llmParallel: options.llmParallel ?? 2,
        ...(options.extraEnv === undefined ? {} : { extraEnv: options.extraEnv }),
      },
      ports,
    ).map((s) => [s.name, s]),
  );
  const pids = new Map<ServiceName, number>();
  const gatewayUrl = `http://127.0.0.1:${ports.gateway.http}`;
  const save = (): void => {
    const services: StackFile["services"] = {};
    for (const [name, pid] of pids) services[name] = { pid, ports: ports[name] };
    writeStackFile(dir, {
      version: 1,
      kafka: { bootstrap: kafkaBootstrap, dataDir: brokerDir },
      gatewayUrl,
      tenant,
      tokenFile,
      services,
    });
  };
  const spec = (name: ServiceName): ServiceSpec => {
    const s = specs.get(name);
    if (s === undefined) throw new IsaraError("invalid_argument", `the stack has no service '${name}'`);
    return s;
  };
  const start = async (name: ServiceName): Promise<void> => {
    const running = pids.get(name);
    if (running !== undefined && isAlive(running)) {
      throw new IsaraError("failed_precondition", `${name} still runs (pid ${running}); kill it first`);
    }
    const pid = spawnService(spec(name), logDir);
    pids.set(name, pid);
    save();
    await waitReady(spec(name), pid, logDir, options.readyTimeoutMs);
    log(`started ${name} (pid ${pid}, port ${ports[name].http})`);
  };
  const stop = async (): Promise<void> => {
    for (const name of [...START_ORDER].reverse()) {
      const pid = pids.get(name);
      if (pid !== undefined) await stopProcess(pid, "SIGTERM");
      pids.delete(name);
    }
    if (brokerDir !== null) await stopBroker(options.root, brokerDir);
    rmSync(stackFilePath(dir), { force: true });
    process.removeListener("exit", killAll);
  };
  const killAll = (): void => {
    for (const pid of pids.values()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  if (options.killOnExit === true) process.once("exit", killAll);
  try {
    for (const name of START_ORDER) await start(name);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dir,
    kafkaBootstrap,
    gatewayUrl,
    tenant,
    token,
    specs,
    pid: (name) => {
      const pid = pids.get(name);
      if (pid === undefined) throw new IsaraError("failed_precondition", `${name} is not running`);
      return pid;
    },
    kill: async (name, signal = "SIGKILL") => {
      const pid = pids.get(name);
      if (pid !== undefined) await stopProcess(pid, signal);
    },
    start,
    stop,
  };
}

/**
 * Stops the stack recorded in `<dir>/stack.json` from another process (`make down`): services in
 * reverse start order with SIGTERM (SIGKILL after 30 s), then the broker if the stack started it.
 * Data (artifacts, LanceDB, Kafka logs) stays for the next `make up`. Returns `false` when no stack
 * was recorded there.
 */
export async function stopStackIn(
  root: string,
  dir: string,
  log: (line: string) => void = () => {},
): Promise<boolean> {
  const file = readStackFile(resolve(dir));
  if (file === undefined) return false;
  for (const name of [...START_ORDER].reverse()) {
    const service = file.services[name];
    if (service === undefined) continue;
    await stopProcess(service.pid, "SIGTERM");
    log(`stopped ${name} (pid ${service.pid})`);
  }
  if (file.kafka.dataDir !== null) {
    await stopBroker(root, file.kafka.dataDir);
    log("stopped Kafka");
  }
  rmSync(stackFilePath(resolve(dir)), { force: true });
  return true;
}
