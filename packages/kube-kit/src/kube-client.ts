import { readFileSync } from "node:fs";
import { ApiException, KubeConfig } from "@kubernetes/client-node";

/** Where a pod's service account mounts its namespace. */
const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/**
 * The cluster connection: the kubeconfig file at `path` when given, else what `kubectl` would use
 * (`KUBECONFIG`, `~/.kube/config`) or, inside a pod, its service account. One function so that both
 * services connect the same way and tests point them at a real API server by a kubeconfig file.
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined && path !== "") kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

/**
 * The namespace to work in: `configured` when set, else the pod's own namespace (from its service
 * account), else the kubeconfig context's, else "default".
 */
export function resolveNamespace(kc: KubeConfig, configured: string | undefined): string {
  if (configured !== undefined && configured !== "") return configured;
  try {
    const own = readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim();
    if (own !== "") return own;
  } catch {
    // Not in a pod: fall through to the kubeconfig.
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  return context?.namespace ?? "default";
}

/** The HTTP status of a failed API call (404, 409, ...), or `undefined` when it never got an answer. */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** A short text of a failed API call for logs and messages: the API's own message when it sent one. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as unknown;
    let said: string | undefined;
    if (typeof body === "string") {
      try {
        said = (JSON.parse(body) as { message?: string }).message;
      } catch {
        said = body.slice(0, 300);
      }
    } else if (typeof body === "object" && body !== null) {
      said = (body as { message?: string }).message;
    }
    return `HTTP ${err.code}${said ? `: ${said}` : ""}`;
  }
  return err instanceof Error ? err.message : String(err);
}
