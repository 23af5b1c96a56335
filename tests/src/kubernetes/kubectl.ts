/**
 * kubectl as the Kubernetes tests drive it: the user's own tool against the test's API server, so
 * what the tests check is what a person running the documented commands sees.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../embedded/fixtures.js";

/** The CRD file the chart installs. */
export const CRD_FILE = join(ROOT, "charts/isara/crds/alignmentruns.yaml");
/** The example run users apply. */
export const EXAMPLE_RUN = join(ROOT, "deploy/examples/alignmentrun.yaml");

/** What one kubectl call printed. */
export interface KubectlResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** kubectl bound to one kubeconfig. */
export type Kubectl = (args: readonly string[], input?: string) => KubectlResult;

/** A kubectl bound to `kubeconfig`; a call never throws, the test reads its status and output. */
export function kubectlFor(kubeconfig: string): Kubectl {
  return (args, input) => {
    const res = spawnSync("kubectl", ["--kubeconfig", kubeconfig, ...args], {
      input,
      encoding: "utf8",
      timeout: 120_000,
    });
    return {
      status: res.status ?? -1,
      stdout: res.stdout ?? "",
      stderr: res.stderr ?? String(res.error ?? ""),
    };
  };
}

/** Runs kubectl and returns stdout, throwing with its stderr when it fails. */
export function must(kubectl: Kubectl, args: readonly string[], input?: string): string {
  const res = kubectl(args, input);
  if (res.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${res.status}): ${res.stderr}`);
  return res.stdout;
}

/** Installs the CRD and waits until the API serves it. */
export function installCrd(kubectl: Kubectl): void {
  must(kubectl, ["apply", "-f", CRD_FILE]);
  must(kubectl, ["wait", "--for=condition=Established", "--timeout=60s", "crd/alignmentruns.isara.dev"]);
}

/** Polls `read` until `done` holds for its value, or fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await read();
  }
  return last;
}
