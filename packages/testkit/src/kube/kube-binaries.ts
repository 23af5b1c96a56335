import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../index.js";

/** Where the build script lives, relative to the repo root. */
export const KUBE_INFRA_DIR = "infra/kube";

/** What {@link kubeBinDir} and {@link kubeSkipReason} ask the build script. */
export interface KubeScriptOptions {
  /** Repo root (default: found from this package). */
  readonly root?: string;
  /** Environment of the script (default `process.env`; `ISARA_CACHE` moves the cache). */
  readonly env?: NodeJS.ProcessEnv;
}

type CheckResult = { ok: true; binDir: string } | { ok: false; why: string };

function check(options: KubeScriptOptions): CheckResult {
  const script = join(options.root ?? repoRoot(), KUBE_INFRA_DIR, "fetch.sh");
  const run = spawnSync("bash", [script, "--check"], {
    env: options.env ?? process.env,
    encoding: "utf8",
    timeout: 30_000,
  });
  if (run.error === undefined && run.status === 0) {
    return { ok: true, binDir: run.stdout.trim().split("\n").pop() ?? "" };
  }
  const said = (run.stderr ?? "").trim().replace(/^fetch-kube: /, "");
  return {
    ok: false,
    why: said || `${script} --check failed (${run.error?.message ?? `exit ${run.status}`})`,
  };
}

/**
 * Why tests that need a real kube-apiserver cannot run here, or `false` when they can: the value for
 * node:test's `{ skip }`. It asks `infra/kube/fetch.sh --check` whether the pinned kube-apiserver and
 * etcd are built, so a machine without them shows skipped tests with the command that fixes it,
 * never a failure deep inside a test or a silent pass.
 */
export function kubeSkipReason(options: KubeScriptOptions = {}): string | false {
  const result = check(options);
  return result.ok ? false : `Kubernetes tests need a real kube-apiserver and etcd: ${result.why}`;
}

/**
 * The folder holding `kube-apiserver` and `etcd`, as infra/kube/fetch.sh built them.
 * @throws Error saying how to build them when they are not there.
 */
export function kubeBinDir(options: KubeScriptOptions = {}): string {
  const result = check(options);
  if (!result.ok) throw new Error(`kube-apiserver is not built: ${result.why}`);
  return result.binDir;
}
