/**
 * The stack's Qdrant server, through the repository's own scripts (`infra/qdrant/start.sh` starts the
 * pinned binary in the background on loopback with its storage in the given folder; `stop.sh` stops
 * it by PID), the same scripts the tests start it with. The folder is kept, so `make up` after
 * `make down` finds the same collections.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { IsaraError } from "@isara/core";

const run = promisify(execFile);

/** Where the stack keeps its samples: a Qdrant server from `bin`, or LanceDB when there is none. */
export type VectorStoreChoice =
  | { readonly kind: "qdrant"; readonly bin: string }
  | { readonly kind: "lancedb"; readonly why: string };

/**
 * Which vector store `make up` uses: Qdrant from `QDRANT_BIN` when set (a bad binary then fails at
 * start, never silently falls back), else from `../shared/bin/qdrant` next to the repository when
 * `infra/qdrant/start.sh --check` accepts it, else LanceDB, with the reason to print.
 */
export function chooseVectorStore(root: string, env: NodeJS.ProcessEnv = process.env): VectorStoreChoice {
  const given = env.QDRANT_BIN ?? "";
  if (given !== "") return { kind: "qdrant", bin: given };
  const check = spawnSync("bash", [join(root, "infra/qdrant/start.sh"), "--check"], {
    env,
    encoding: "utf8",
    timeout: 30_000,
  });
  const bin = check.stdout?.trim() ?? "";
  if (check.status === 0 && bin !== "") return { kind: "qdrant", bin };
  const why = check.stderr?.trim().replace(/^start-qdrant: /, "") || "infra/qdrant/start.sh --check failed";
  return { kind: "lancedb", why };
}

async function script(root: string, name: string, args: readonly string[], bin?: string): Promise<string> {
  try {
    const { stdout } = await run("bash", [join(root, "infra/qdrant", name), ...args], {
      env: bin === undefined ? process.env : { ...process.env, QDRANT_BIN: bin },
      timeout: 180_000,
      maxBuffer: 1 << 20,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new IsaraError("unavailable", `infra/qdrant/${name} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Starts Qdrant from `bin` on `dataDir` and returns its REST URL, `http://127.0.0.1:PORT`, once ready. */
export async function startQdrantServer(root: string, dataDir: string, bin: string): Promise<string> {
  const out = await script(root, "start.sh", ["--data-dir", dataDir, "--timeout", "120"], bin);
  const url = out.trim().split("\n").pop() ?? "";
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) {
    throw new IsaraError("internal", `infra/qdrant/start.sh printed '${url}', not http://127.0.0.1:PORT`);
  }
  return url;
}

/** Stops the Qdrant server of `dataDir`, if one runs there. */
export async function stopQdrantServer(root: string, dataDir: string): Promise<void> {
  await script(root, "stop.sh", ["--data-dir", dataDir]);
}

/** The stack's Qdrant folder: storage, log, PID and ports (kept across `make down` / `make up`). */
export function stackQdrantDir(dir: string): string {
  return join(dir, "qdrant");
}

/** Starts the stack's Qdrant from `bin` in `<dir>/qdrant` and returns its REST URL. */
export async function startStackQdrant(
  root: string,
  dir: string,
  bin: string,
  log: (line: string) => void = () => {},
): Promise<string> {
  const url = await startQdrantServer(root, stackQdrantDir(dir), bin);
  log(`started Qdrant on ${url} (data in ${stackQdrantDir(dir)})`);
  return url;
}

/** Stops the stack's Qdrant of `dir` if one runs there; `true` when there was one to stop. */
export async function stopStackQdrant(root: string, dir: string): Promise<boolean> {
  if (!existsSync(join(stackQdrantDir(dir), "qdrant.pid"))) return false;
  await stopQdrantServer(root, stackQdrantDir(dir));
  return true;
}

/**
 * Kills the stack's Qdrant of `dir` at once (SIGKILL), for a test process's `exit` hook, where only
 * synchronous work runs. The PID file's process is killed only while it still runs in that folder,
 * as start.sh runs it, so a PID the kernel gave to another program is left alone.
 */
export function killStackQdrantNow(dir: string): void {
  const folder = stackQdrantDir(dir);
  try {
    const pid = Number(readFileSync(join(folder, "qdrant.pid"), "utf8").trim());
    if (readlinkSync(`/proc/${pid}/cwd`) === realpathSync(folder)) process.kill(pid, "SIGKILL");
  } catch {
    // No PID file, or the process is gone: nothing to kill.
  }
}
