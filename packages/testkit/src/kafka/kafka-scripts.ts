import { join } from "node:path";
import { IsaraError } from "@isara/core";
import { type InfraScriptOptions, runInfraScript, type ScriptOutput } from "../index.js";

/** Where the scripts are, relative to the repo root: the one source of truth for fetch/start/stop. */
export const KAFKA_INFRA_DIR = join("infra", "kafka");

/** Which repo and environment the scripts run with (env: ISARA_CACHE, JAVA_HOME, ISARA_KAFKA_JVM_OPTS, PATH). */
export type KafkaScriptOptions = InfraScriptOptions;

/**
 * Runs `infra/kafka/<name>` (see {@link runInfraScript}), so the ports, files and shutdown rules that
 * `docs/kafka.md` describes hold for tests and for the local stack alike.
 *
 * Rejects with an {@link IsaraError} (`unavailable`) whose message is the script's own explanation.
 */
export async function runKafkaScript(
  name: "fetch.sh" | "start.sh" | "stop.sh",
  args: readonly string[],
  options: KafkaScriptOptions & { readonly timeoutMs: number },
): Promise<ScriptOutput> {
  try {
    return await runInfraScript(KAFKA_INFRA_DIR, name, args, options);
  } catch (err) {
    throw new IsaraError("unavailable", err instanceof Error ? err.message : String(err), undefined, {
      cause: err,
    });
  }
}
