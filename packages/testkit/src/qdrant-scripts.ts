import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type InfraScriptOptions, runInfraScript } from "./infra-script.js";
import { repoRoot } from "./repo-root.js";

/** Where the scripts are, relative to the repo root: the one source of truth for start/stop. */
export const QDRANT_INFRA_DIR = join("infra", "qdrant");

/** Environment variable naming a running Qdrant that tests use instead of starting the binary. */
export const QDRANT_URL_ENV = "QDRANT_URL";

/** Which repo and environment the scripts run with (env: QDRANT_BIN, PATH; where QDRANT_URL is read). */
export type QdrantScriptOptions = InfraScriptOptions;

/** Runs `infra/qdrant/<name>` (see {@link runInfraScript}) and resolves with its stdout. */
export async function runQdrantScript(
  name: "start.sh" | "stop.sh",
  args: readonly string[],
  options: QdrantScriptOptions & { readonly timeoutMs: number },
): Promise<string> {
  return (await runInfraScript(QDRANT_INFRA_DIR, name, args, options)).stdout;
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
