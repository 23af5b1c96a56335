import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "./repo-root.js";
import { found, missing, type Requirement } from "./requirement.js";

/** Environment variable that points tests at the shared datasets folder instead of `../shared/data`. */
export const SHARED_DATA_ENV = "ISARA_SHARED_DATA";

/** Where {@link sharedDataDir} looks; overridable so the lookup itself can be tested. */
export interface SharedDataOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly root?: string;
}

/**
 * The shared datasets folder (or `subfolder` inside it), which lives outside the repo at
 * `../shared/data` relative to the repo root, or wherever `ISARA_SHARED_DATA` points (a relative value
 * is taken from the repo root). The data is never copied into the repo, so a checkout without it
 * must still pass: when the folder is missing the result carries a skip reason that says which path
 * was looked for and how to provide it.
 */
export function sharedDataDir(subfolder?: string, options: SharedDataOptions = {}): Requirement {
  const env = options.env ?? process.env;
  const root = options.root ?? repoRoot();
  const configured = env[SHARED_DATA_ENV];
  const base =
    configured !== undefined && configured !== ""
      ? resolve(root, configured)
      : resolve(root, "..", "shared", "data");
  const dir = subfolder === undefined ? base : join(base, subfolder);
  if (existsSync(dir) && statSync(dir).isDirectory()) return found(dir);
  const shown = configured ? `${SHARED_DATA_ENV}=${configured}` : "../shared/data";
  return missing(
    `needs the shared datasets folder ${dir} (from ${shown}), which does not exist; ` +
      `put the shared data next to the repo or set ${SHARED_DATA_ENV} to its path`,
  );
}
