/**
 * The REAL retrieval service for other services' tests: its built entry point
 * (`services/retrieval/dist/main.js`) run as a child process on free loopback ports, over a LanceDB
 * folder in a temp dir, with the feature-hashing embedder (`EMBEDDER_BACKEND=hashing`) so no model
 * files are needed. Tests talk to it over gRPC exactly as the other services do in a cluster, and no
 * service imports another's code, tests included. The entry point is found from the repo root, not
 * imported, so this package does not depend on the service: the test command builds every package
 * before any test runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { RetrievalServiceClient, sampleFromWire, sampleToWire } from "@isara/contracts";
import type { Sample } from "@isara/core";
import { freePort } from "@isara/kit";
import { forgetOnExit, killOnExit } from "../exit-reaper.js";
import { repoRoot } from "../repo-root.js";

/** How {@link startRetrievalService} starts the service; every field is optional. */
export interface StartRetrievalOptions {
  /** Length of the hashing embedder's vectors (`EMBEDDER_DIMENSION`). Default 16, the embedder's own default. */
  readonly dimension?: number;
  /** The service's `LOG_LEVEL`. Default `debug`, so {@link RetrievalServiceForTests.logs} holds every call's line. */
  readonly logLevel?: string;
  /** How long the start may take until `/readyz` answers 200. Default 60 s (a busy 2-core machine). */
  readonly startTimeoutMs?: number;
  /** The repo root holding `services/retrieval`. Default: found from this package's location. */
  readonly root?: string;
}

/** A running retrieval service, as a test sees it. */
export interface RetrievalServiceForTests {
  /** gRPC address, `127.0.0.1:<port>`. */
  readonly address: string;
  /** Probe server, `http://127.0.0.1:<port>` (`/healthz`, `/readyz`, `/metrics`). */
  readonly httpBase: string;
  /** The LanceDB folder the service stores into (deleted by {@link close}). */
  readonly lanceDir: string;
  /** Length of its vectors. */
  readonly dimension: number;
  /** The service's JSON log lines (stdout), parsed, in order; a line that is not JSON is kept as `{ raw }`. */
  readonly logs: readonly Record<string, unknown>[];
  /** Stores samples through gRPC Upsert (the service embeds their prompts), as the controller stores seeds. */
  upsert(samples: readonly Sample[]): Promise<void>;
  /** Set `setIndex` of `run`, as ListSamples returns it (one page: at most the service's default page size). */
  list(run: string, setIndex: number): Promise<Sample[]>;
  /** Calls of `method` (e.g. `Upsert`) the service answered with OK, read from its own `/metrics`. */
  okCalls(method: string): Promise<number>;
  /** Stops the service right away (SIGKILL): calls in flight and later fail as UNAVAILABLE. Keeps the folder. */
  stop(): Promise<void>;
  /** Stops the service gracefully (SIGTERM, as Kubernetes does; SIGKILL after 15 s) and deletes its folder. Idempotent. */
  close(): Promise<void>;
}

/** What the test command runs before tests; the message of a missing build names it. */
const BUILD_COMMAND = "npx turbo run build --filter=@isara/retrieval";

/**
 * The retrieval service's built entry point under `root`.
 * @throws Error saying how to build it when it is missing.
 */
export function retrievalEntryPoint(root: string = repoRoot()): string {
  const entry = join(root, "services", "retrieval", "dist", "main.js");
  if (!existsSync(entry)) {
    throw new Error(`the retrieval service is not built (${entry} is missing): run \`${BUILD_COMMAND}\``);
  }
  return entry;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` and resolves once the child exited; SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (running(child)) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    // Unref'd: once the child has exited, the grace timer must not hold the test process open.
    const grace = sleep(graceMs, false, { ref: false });
    const done = await Promise.race([exited.then(() => true), grace]);
    if (!done) {
      child.kill("SIGKILL");
      await exited;
    }
  }
  forgetOnExit(child);
}

/** How many times a service whose port was taken meanwhile is started again on fresh ports. */
const PORT_TRIES = 3;

/** One started child, its output and its ports. */
interface Started {
  readonly child: ChildProcess;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logs: Record<string, unknown>[];
  /** stdout and stderr lines, for the message of a failed start. */
  readonly output: string[];
}

function spawnService(
  entry: string,
  dir: string,
  dimension: number,
  logLevel: string,
  ports: [number, number],
): Started {
  const [grpcPort, httpPort] = ports;
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      VECTOR_BACKEND: "lancedb",
      LANCEDB_DIR: dir,
      EMBEDDER_BACKEND: "hashing",
      EMBEDDER_DIMENSION: String(dimension),
      LOG_LEVEL: logLevel,
      SHUTDOWN_TIMEOUT: "5s",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  killOnExit(child);
  const logs: Record<string, unknown>[] = [];
  const output: string[] = [];
  const keep = (line: string) => {
    output.push(line);
    if (output.length > 40) output.shift();
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    keep(line);
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ raw: line });
    }
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", keep);
  return { child, grpcPort, httpPort, logs, output };
}

async function ready(httpPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Two distinct free ports. */
async function twoPorts(): Promise<[number, number]> {
  const a = await freePort();
  for (;;) {
    const b = await freePort();
    if (b !== a) return [a, b];
  }
}

/**
 * Starts the retrieval service (see the module comment) and resolves once its `/readyz` answers 200
 * (gRPC serving, store open). A start that exits because a port was taken meanwhile is retried on
 * fresh ports.
 * @throws Error naming the build command when the service is not built, or with the tail of its
 *   output when it exits or is not ready in time.
 */
export async function startRetrievalService(
  options: StartRetrievalOptions = {},
): Promise<RetrievalServiceForTests> {
  const entry = retrievalEntryPoint(options.root);
  const dimension = options.dimension ?? 16;
  const dir = await mkdtemp(join(tmpdir(), "isara-retrieval-service-"));
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let started: Started | undefined;
  try {
    for (let attempt = 1; started === undefined; attempt++) {
      const s = spawnService(entry, dir, dimension, options.logLevel ?? "debug", await twoPorts());
      while (running(s.child) && Date.now() < deadline && !(await ready(s.httpPort))) await sleep(100);
      if (running(s.child) && Date.now() < deadline) {
        started = s;
        break;
      }
      const exited = !running(s.child);
      await stopChild(s.child, "SIGKILL", 5000);
      const tail = s.output.join("\n");
      if (exited && /EADDRINUSE|address already in use/i.test(tail) && attempt < PORT_TRIES) continue;
      throw new Error(
        exited
          ? `the retrieval service exited (${s.child.exitCode ?? s.child.signalCode}) while starting; its output ends:\n${tail}`
          : `the retrieval service was not ready in time; its output ends:\n${tail}`,
      );
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { child, grpcPort, httpPort, logs } = started;
  const address = `127.0.0.1:${grpcPort}`;
  const httpBase = `http://127.0.0.1:${httpPort}`;
  const client = new RetrievalServiceClient(address, credentials.createInsecure());
  let closing: Promise<void> | undefined;
  return {
    address,
    httpBase,
    lanceDir: dir,
    dimension,
    logs,
    upsert: (samples) =>
      new Promise<void>((resolve, reject) => {
        const first = samples[0];
        if (first === undefined) return resolve();
        const context = { run: first.run, domain: first.domain, round: 0, correlationId: "test-seeds" };
        client.upsert(
          { context, samples: samples.map(sampleToWire), vectors: [] },
          (err: ServiceError | null) => (err ? reject(err) : resolve()),
        );
      }),
    list: (run, setIndex) =>
      new Promise((resolve, reject) =>
        client.listSamples(
          {
            context: { run, domain: "", round: 0, correlationId: "test" },
            setIndex,
            pageSize: 0,
            pageToken: "",
          },
          (err: ServiceError | null, res) => (err ? reject(err) : resolve(res.samples.map(sampleFromWire))),
        ),
      ),
    async okCalls(method) {
      const res = await fetch(`${httpBase}/metrics`);
      if (res.status !== 200) throw new Error(`${httpBase}/metrics answered ${res.status}`);
      const line = (await res.text())
        .split("\n")
        .find(
          (l) =>
            l.startsWith("isara_grpc_server_calls_total{") &&
            l.includes(`method="${method}"`) &&
            l.includes('code="OK"'),
        );
      return line === undefined ? 0 : Number(line.split(" ").pop());
    },
    stop: () => stopChild(child, "SIGKILL", 5000),
    close() {
      closing ??= (async () => {
        client.close();
        await stopChild(child, "SIGTERM", 15_000);
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
