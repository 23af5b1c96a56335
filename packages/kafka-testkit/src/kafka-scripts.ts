import { execFile } from "node:child_process";
import { join } from "node:path";
import { IsaraError } from "@isara/core";
import { repoRoot } from "@isara/testkit";

/** Where the scripts are, relative to the repo root: the one source of truth for fetch/start/stop. */
export const KAFKA_INFRA_DIR = join("infra", "kafka");

/** Which repo and environment the scripts run with; both overridable so tests can point elsewhere. */
export interface KafkaScriptOptions {
  /** Environment of the script (ISARA_CACHE, JAVA_HOME, ISARA_KAFKA_JVM_OPTS, PATH). Default: ours. */
  readonly env?: NodeJS.ProcessEnv;
  /** The repo root holding infra/kafka. Default: found from this package's location. */
  readonly root?: string;
}

/** What a script printed; stdout carries its result (a path, an address), stderr its messages. */
export interface ScriptOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `infra/kafka/<name>` with bash and resolves with its output once it exits 0. The TypeScript
 * helpers call the scripts rather than re-implementing them so the ports, files and shutdown rules
 * that `docs/kafka.md` describes hold for tests and for the local stack alike.
 *
 * Rejects with an {@link IsaraError} (`unavailable`) whose message is the script's own explanation
 * (stderr), which for a broker that failed to start includes the tail of its log.
 */
export function runKafkaScript(
  name: "fetch.sh" | "start.sh" | "stop.sh",
  args: readonly string[],
  options: KafkaScriptOptions & { readonly timeoutMs: number },
): Promise<ScriptOutput> {
  const script = join(options.root ?? repoRoot(), KAFKA_INFRA_DIR, name);
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
        reject(
          new IsaraError("unavailable", `infra/kafka/${name} ${args.join(" ")} failed: ${why}`, undefined, {
            cause: error,
          }),
        );
      },
    );
  });
}
