/**
 * Everything a stack needs before its services start, shared by `startStack` (the services run
 * inside the caller's process) and `launchStack` (`make up`: they run under a detached supervisor):
 * the folders, the gateway token, the broker, free ports and each service's plan.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { IsaraError } from "@isara/core";
import { freePort } from "@isara/kit";
import { startBroker, stopBroker } from "./kafka-process.js";
import { probeProcess } from "./process-identity.js";
import { pendingRecord } from "./process-record.js";
import { startStackQdrant } from "./qdrant-process.js";
import type { RestartPolicy } from "./restart-backoff.js";
import { readStackFile, type StackFile } from "./stack-file.js";
import type { StackOptions } from "./stack-plan.js";
import {
  artifactRoot,
  needsGrpcPort,
  planStack,
  type ServiceName,
  type ServicePorts,
  type ServiceSpec,
  START_ORDER,
} from "./stack-plan.js";
import type { ProcessSpec } from "./supervisor.js";

/** A stack whose broker runs and whose services are planned, none started. */
export interface PreparedStack {
  readonly dir: string;
  readonly logDir: string;
  readonly kafkaBootstrap: string;
  /** The broker's folder when the stack started it (and stops it); null when it was given. */
  readonly brokerDir: string | null;
  /** REST URL of the stack's Qdrant (in `<dir>/qdrant`), or null: the samples go to LanceDB. */
  readonly qdrantUrl: string | null;
  readonly specs: ReadonlyMap<ServiceName, ServiceSpec>;
  readonly gatewayUrl: string;
  readonly tenant: string;
  readonly token: string;
  readonly tokenFile: string;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

async function allocatePorts(): Promise<Record<ServiceName, ServicePorts>> {
  const ports: Partial<Record<ServiceName, ServicePorts>> = {};
  for (const name of START_ORDER) {
    ports[name] = { http: await freePort(), ...(needsGrpcPort(name) ? { grpc: await freePort() } : {}) };
  }
  return ports as Record<ServiceName, ServicePorts>;
}

/**
 * Throws when the stack recorded in `dir` still has a live supervisor or service (checked against
 * their recorded start times, so a PID reused by another program does not block a new stack).
 */
export function refuseRunningStack(dir: string): void {
  const file = readStackFile(dir);
  if (file === undefined) return;
  const alive = file.services
    .filter((s) => s.pid !== null && probeProcess(s.pid, s.startTime) === "ours")
    .map((s) => `${s.name} pid ${s.pid}`);
  const sup = file.supervisor;
  if (sup !== null && probeProcess(sup.pid, sup.startTime) === "ours")
    alive.unshift(`supervisor pid ${sup.pid}`);
  if (alive.length > 0) {
    throw new IsaraError(
      "failed_precondition",
      `a stack already runs in ${dir} (${alive.join(", ")}; gateway ${file.gatewayUrl}); stop it first with 'make down'`,
    );
  }
}

/** How a supervisor runs a planned service: node on its built entry, ready once `/readyz` answers 200. */
export function processSpec(spec: ServiceSpec): ProcessSpec {
  return {
    name: spec.name,
    command: process.execPath,
    args: [spec.entry],
    env: spec.env,
    readyUrl: `http://127.0.0.1:${spec.ports.http}/readyz`,
  };
}

/**
 * Checks that no stack runs in the folder and every service is built, makes the folders and the
 * token, starts the broker unless one is given, and plans every service on free ports.
 */
export async function prepareStack(options: StackOptions): Promise<PreparedStack> {
  const dir = resolve(options.dir);
  refuseRunningStack(dir);
  const logDir = join(dir, "logs");
  mkdirSync(logDir, { recursive: true });
  // The shared artifact volume exists before any service starts, as a mounted volume would.
  mkdirSync(artifactRoot(dir), { recursive: true });
  const tenant = options.tenant ?? "local";
  const token = randomBytes(24).toString("hex");
  const tokenFile = join(dir, "token");
  const ports = await allocatePorts();
  const plan = (kafkaBootstrap: string, qdrantUrl?: string): ServiceSpec[] =>
    planStack(
      {
        root: options.root,
        dir,
        kafkaBootstrap,
        ...(qdrantUrl === undefined ? {} : { qdrantUrl }),
        modelPath: options.modelPath,
        trainerPython: options.trainerPython,
        ...(options.embedderDir === undefined ? {} : { embedderDir: options.embedderDir }),
        gatewayTokens: { [sha256(token)]: tenant },
        llmParallel: options.llmParallel ?? 2,
        ...(options.extraEnv === undefined ? {} : { extraEnv: options.extraEnv }),
      },
      ports,
    );
  // Before the broker starts: a missing build fails at once, with nothing to clean up.
  const unbuilt = plan("").find((s) => !existsSync(s.entry));
  if (unbuilt !== undefined) {
    throw new IsaraError(
      "failed_precondition",
      `${unbuilt.entry} does not exist; build the services first (npx turbo run build)`,
    );
  }
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const brokerDir = options.kafka === undefined ? join(dir, "kafka") : null;
  const kafkaBootstrap = options.kafka?.bootstrap ?? (await startBroker(options.root, join(dir, "kafka")));
  if (brokerDir !== null) options.log?.(`started Kafka on ${kafkaBootstrap}`);
  let qdrantUrl: string | undefined;
  try {
    if (options.qdrantBin !== undefined) {
      qdrantUrl = await startStackQdrant(options.root, dir, options.qdrantBin, options.log);
    }
  } catch (err) {
    if (brokerDir !== null) await stopBroker(options.root, brokerDir);
    throw err;
  }
  return {
    dir,
    logDir,
    kafkaBootstrap,
    brokerDir,
    qdrantUrl: qdrantUrl ?? null,
    specs: new Map(plan(kafkaBootstrap, qdrantUrl).map((s) => [s.name, s])),
    gatewayUrl: `http://127.0.0.1:${ports.gateway.http}`,
    tenant,
    token,
    tokenFile,
  };
}

/** The stack file of a prepared stack before any service started. */
export function initialStackFile(stack: PreparedStack, restart: RestartPolicy | null): StackFile {
  return {
    version: 2,
    kafka: { bootstrap: stack.kafkaBootstrap, dataDir: stack.brokerDir },
    gatewayUrl: stack.gatewayUrl,
    tenant: stack.tenant,
    tokenFile: stack.tokenFile,
    restart,
    supervisor: null,
    services: [...stack.specs.values()].map((spec) => ({
      ...pendingRecord(spec.name),
      spec: processSpec(spec),
      ports: spec.ports,
    })),
  };
}
