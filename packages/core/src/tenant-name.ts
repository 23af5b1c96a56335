/**
 * Tenant names and scoped run ids, one definition for the gateway (which scopes every run id it
 * gives the controller as `<tenant>--<run>`) and the controller (which counts each run under its
 * tenant for admission). A tenant name never contains `--`, so the first `--` of a scoped id always
 * splits it the same way, and two tenants that pick the same run id get two different runs.
 */

/** A tenant name: 1-24 lowercase letters or digits in groups joined by single `-` (so never `--`). */
export const TENANT_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$";
/** Longest tenant name; with `--` and the gateway's longest run id it keeps scoped ids within 63. */
export const MAX_TENANT_CHARS = 24;
/** Between a tenant and its own run id in a scoped run id (`<tenant>--<run>`). */
export const TENANT_SEPARATOR = "--";

const TENANT = new RegExp(TENANT_PATTERN);

/** `true` when `name` is a valid tenant name (see {@link TENANT_PATTERN}). */
export function isTenantName(name: string): boolean {
  return name.length <= MAX_TENANT_CHARS && TENANT.test(name);
}

/** The tenant a scoped run id (`<tenant>--<run>`) names, or `undefined` for an id without one. */
export function tenantOfRunId(runId: string): string | undefined {
  const at = runId.indexOf(TENANT_SEPARATOR);
  if (at <= 0) return undefined;
  const prefix = runId.slice(0, at);
  return isTenantName(prefix) ? prefix : undefined;
}
