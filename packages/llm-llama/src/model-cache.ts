import { homedir } from "node:os";
import { join } from "node:path";

/** File name of the default model that infra/fetch-models.sh installs (SmolLM2-135M-Instruct, Q4_1). */
export const DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";

/** Environment variable naming a GGUF model to use instead of the cached default. */
export const MODEL_PATH_ENV = "ISARA_LLM_MODEL";

/**
 * The folder infra/fetch-models.sh downloads models to: `$ISARA_CACHE/models`, else
 * `$XDG_CACHE_HOME/isara/models`, else `~/.cache/isara/models` (empty variables count as unset,
 * as in the script). Kept in one place so the script, the CLI and tests agree on where models live.
 */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot =
    nonEmpty(env.ISARA_CACHE) ?? join(nonEmpty(env.XDG_CACHE_HOME) ?? join(homeOf(env), ".cache"), "isara");
  return join(cacheRoot, "models");
}

/** The model to load when none is configured: `$ISARA_LLM_MODEL`, else the cached SmolLM2 GGUF. */
export function defaultModelPath(env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(env[MODEL_PATH_ENV]) ?? join(modelCacheDir(env), DEFAULT_MODEL_FILE);
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return nonEmpty(env.HOME) ?? homedir();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
