import { execFile } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./repo-root.js";

/** Which repo and environment an infra script runs with; both overridable so tests can point elsewhere. */
export interface InfraScriptOptions {
  /** Environment of the script (its settings, PATH). Default: ours. */
  readonly env?: NodeJS.ProcessEnv;
  /** The repo root holding `infra/`. Default: found from this package's location. */
  readonly root?: string;
}

/** What a script printed; stdout carries its result (a path, an address), stderr its messages. */
export interface ScriptOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `<dir>/<name>` (a server's scripts, e.g. `infra/kafka/start.sh`) with bash and resolves with
 * its output once it exits 0. The test kits call the scripts rather than re-implementing them, so
 * tests and the local stack (`make up`) start a server with the same ports, files and readiness rule.
 *
 * Rejects with an Error whose message is the script's own explanation (stderr), which for a server
 * that failed to start ends with the tail of its log. (A plain Error: `@isara/core`'s tests use this
 * package, so it cannot use core's error type; a kit that wants one wraps it.)
 */
export function runInfraScript(
  dir: string,
  name: string,
  args: readonly string[],
  options: InfraScriptOptions & { readonly timeoutMs: number },
): Promise<ScriptOutput> {
  const script = join(options.root ?? repoRoot(), dir, name);
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [script, ...args],
      { env: options.env ?? process.env, timeout: options.timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const why = stderr.trim() || error.message;
        reject(new Error(`${dir}/${name} ${args.join(" ")} failed: ${why}`, { cause: error }));
      },
    );
  });
}
