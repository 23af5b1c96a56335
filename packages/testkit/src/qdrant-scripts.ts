import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./repo-root.js";

/** Where the scripts are, relative to the repo root: the one source of truth for start/stop. */
export const QDRANT_INFRA_DIR = join("infra", "qdrant");

/** Environment variable naming a running Qdrant that tests use instead of starting the binary. */
export const QDRANT_URL_ENV = "QDRANT_URL";

/** Which repo and environment the scripts run with; both overridable so tests can point elsewhere. */
export interface QdrantScriptOptions {
  /** Environment of the script (QDRANT_BIN, PATH) and where QDRANT_URL is read. Default: ours. */
  readonly env?: NodeJS.ProcessEnv;
  /** The repo root holding infra/qdrant. Default: found from this package's location. */
  readonly root?: string;
}

/**
 * Runs `infra/qdrant/<name>` with bash and resolves with its stdout once it exits 0. The helpers call
 * the scripts rather than re-implementing them, so tests and the local stack (`make up`) start the
 * server with the same ports, files and readiness rule. Rejects with an Error whose message is the
 * script's own explanation (stderr), which for a server that failed to start ends with its log.
 */
export function runQdrantScript(
  name: "start.sh" | "stop.sh",
  args: readonly string[],
  options: QdrantScriptOptions & { readonly timeoutMs: number },
): Promise<string> {
  const script = join(options.root ?? repoRoot(), QDRANT_INFRA_DIR, name);
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [script, ...args],
      { env: options.env ?? process.env, timeout: options.timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else {
          const why = stderr.trim() || error.message;
          reject(new Error(`infra/qdrant/${name} ${args.join(" ")} failed: ${why}`, { cause: error }));
        }
      },
    );
  });
}

/**
 * Why tests that need a Qdrant server cannot run here, or `false` when they can: the value for
 * node:test's `{ skip }`. A server named by `QDRANT_URL` always counts (it is the caller's to vouch
 * for); otherwise the answer is `infra/qdrant/start.sh --check`'s, so it cannot drift from the script
 * that starts the binary: `QDRANT_BIN`, else `../shared/bin/qdrant` next to the repo, of the pinned
 * version. A user's clone has neither and sees skipped tests that say how to run them.
 */
export function qdrantSkipReason(options: QdrantScriptOptions = {}): string | false {
  const env = options.env ?? process.env;
  if ((env[QDRANT_URL_ENV] ?? "") !== "") return false;
  const script = join(options.root ?? repoRoot(), QDRANT_INFRA_DIR, "start.sh");
  const check = spawnSync("bash", [script, "--check"], { env, encoding: "utf8", timeout: 30_000 });
  if (check.error === undefined && check.status === 0) return false;
  const said = check.stderr.trim().replace(/^start-qdrant: /, "");
  const why = said || `${script} --check failed (${check.error?.message ?? `exit ${check.status}`})`;
  return `needs a Qdrant server, but ${why}, or ${QDRANT_URL_ENV} to a running server`;
}
