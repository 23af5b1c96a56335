import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Folder name of the installed model under `<cache>/models/`. */
export const EMBEDDER_MODEL_NAME = "all-MiniLM-L6-v2";

/**
 * ISARA's cache root, the same rule the install scripts use: `$ISARA_CACHE`, else
 * `$XDG_CACHE_HOME/isara`, else `~/.cache/isara`. Models live outside the repo so a fresh checkout
 * or `git clean` never re-downloads them, and several checkouts share one copy.
 */
export function isaraCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ISARA_CACHE) return resolve(env.ISARA_CACHE);
  const xdg = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(env.HOME || homedir(), ".cache");
  return join(xdg, "isara");
}

/** Where `infra/fetch-embedder.sh` installs the embedding model. */
export function defaultEmbedderDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(isaraCacheDir(env), "models", EMBEDDER_MODEL_NAME);
}
