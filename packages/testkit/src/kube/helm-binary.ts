import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../index.js";

function helmTools(args: readonly string[], root: string | undefined, timeoutMs: number) {
  return spawnSync("bash", [join(root ?? repoRoot(), "infra/kube/helm-tools.sh"), ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
  });
}

/**
 * Why tests that render the charts cannot run here, or `false`: asks `infra/kube/helm-tools.sh
 * --check` whether the pinned helm is installed, so a machine without it shows the fix.
 */
export function helmSkipReason(root?: string): string | false {
  const res = helmTools(["--check"], root, 30_000);
  if (res.status === 0) return false;
  return `these tests need the pinned helm: ${res.stderr.trim() || "infra/kube/helm-tools.sh --check failed"}`;
}

/**
 * The pinned helm binary that infra/kube/helm-tools.sh installs (idempotent: instant when present).
 * @throws Error with the script's message when it cannot be installed.
 */
export function helmBinary(root?: string): string {
  const res = helmTools([], root, 20 * 60_000);
  if (res.status !== 0) throw new Error(`infra/kube/helm-tools.sh failed: ${res.stderr}`);
  return join(res.stdout.trim().split("\n").pop() ?? "", "helm");
}
