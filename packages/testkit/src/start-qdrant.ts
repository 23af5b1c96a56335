import { mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { QDRANT_URL_ENV, type QdrantScriptOptions, runQdrantScript } from "./qdrant-scripts.js";

/** How {@link startQdrant} starts the server; every field is optional. */
export interface StartQdrantOptions extends QdrantScriptOptions {
  /** Where storage, log and PID go. Kept by `stop()`. Default: a new temp folder that `stop()` deletes. */
  readonly dataDir?: string;
  /** How long to wait for readiness. Default 60 s (a busy 2-core machine). */
  readonly startTimeoutMs?: number;
}

/** A running Qdrant server on loopback, as a test sees it. */
export interface QdrantServer {
  /** REST base URL, `http://127.0.0.1:PORT`, for `QdrantClient({ url })` or `QDRANT_URL`. */
  readonly url: string;
  /** The data folder (storage/, qdrant.log, qdrant.pid, the ports). */
  readonly dataDir: string;
  /** PID of the server. */
  readonly pid: number;
  /** Stops the server and waits until it is gone; deletes the folder if startQdrant made it. Idempotent. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 60_000;
const live = new Map<number, { dataDir: string; owned: boolean }>();
let hooked = false;

/**
 * Whether `pid` is a live Qdrant server running in `dataDir` (infra/qdrant/start.sh runs it there);
 * false for a PID the kernel gave to another process since, and for zombies. Linux only.
 */
export function isQdrantProcess(pid: number, dataDir: string): boolean {
  try {
    return (
      readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("qdrant") &&
      readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dataDir)
    );
  } catch {
    return false;
  }
}

/**
 * Starts a real Qdrant server for a test through infra/qdrant/start.sh (random free loopback ports,
 * its own storage folder, telemetry off) and resolves once `/readyz` answers, so adapters are tested
 * against the real REST API and filter semantics rather than a fake that agrees with them.
 *
 * Call `stop()` in an `after` hook. Should a test process exit without it, an exit hook kills the
 * server (SIGKILL: the `exit` event allows only synchronous work) and deletes its temp folder, so no
 * server outlives the tests. Give each test `{ skip: qdrantSkipReason() }`.
 */
export async function startQdrant(options: StartQdrantOptions = {}): Promise<QdrantServer> {
  const { startTimeoutMs = 60_000 } = options;
  if (!(Number.isFinite(startTimeoutMs) && startTimeoutMs > 0)) {
    throw new Error(`startTimeoutMs ${startTimeoutMs} must be a positive number`);
  }
  const owned = options.dataDir === undefined;
  const dataDir =
    options.dataDir === undefined ? mkdtempSync(join(tmpdir(), "isara-qdrant-")) : resolve(options.dataDir);
  let url: string;
  let pid: number;
  let realDir: string;
  try {
    const args = ["--data-dir", dataDir, "--timeout", String(Math.ceil(startTimeoutMs / 1000))];
    const stdout = await runQdrantScript("start.sh", args, {
      ...options,
      timeoutMs: startTimeoutMs + 30_000,
    });
    url = stdout.trim().split("\n").pop() ?? "";
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) {
      throw new Error(`infra/qdrant/start.sh printed '${url}', not http://127.0.0.1:PORT`);
    }
    pid = Number(readFileSync(join(dataDir, "qdrant.pid"), "utf8").trim());
    // The script runs the server in the folder's real path, which is what /proc/PID/cwd shows.
    realDir = realpathSync(dataDir);
  } catch (err) {
    if (owned) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  live.set(pid, { dataDir: realDir, owned });
  if (!hooked) {
    hooked = true;
    process.on("exit", killLeftovers);
  }
  let stopped = false;
  return {
    url,
    dataDir,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      await runQdrantScript("stop.sh", ["--data-dir", dataDir], { ...options, timeoutMs: STOP_TIMEOUT_MS });
      live.delete(pid);
      if (owned) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Qdrant a test talks to: the one `QDRANT_URL` names, or a server of its own. */
export interface TestQdrant {
  readonly url: string;
  /** `QDRANT_API_KEY` with an external server; none for one of ours. */
  readonly apiKey: string | undefined;
  /** Stops a server of ours; leaves an external one running. */
  stop(): Promise<void>;
}

/**
 * The server named by `QDRANT_URL` (with `QDRANT_API_KEY`) when set, so a suite can run against a
 * deployed Qdrant, else a fresh one from {@link startQdrant}. Pair it with `qdrantSkipReason()`.
 */
export async function testQdrant(options: StartQdrantOptions = {}): Promise<TestQdrant> {
  const env = options.env ?? process.env;
  const external = env[QDRANT_URL_ENV] ?? "";
  if (external !== "") {
    return { url: external, apiKey: env.QDRANT_API_KEY || undefined, stop: async () => {} };
  }
  const server = await startQdrant(options);
  return { url: server.url, apiKey: undefined, stop: () => server.stop() };
}

function killLeftovers(): void {
  for (const [pid, { dataDir, owned }] of live) {
    if (isQdrantProcess(pid, dataDir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone between the check and the kill: nothing left to do.
      }
    }
    if (owned) rmSync(dataDir, { recursive: true, force: true });
  }
  live.clear();
}
