/**
 * Tenants and the names the gateway keeps apart per tenant. Every run id the controller sees is
 * `<tenant>--<run>` (core's tenant-name.ts: a tenant name never contains `--`, so the first `--` of a
 * scoped id always splits it the same way, and two tenants that pick the same run id get two
 * different runs). Callers only ever
 * see their own part (`<run>`); a scoped id of another tenant reads as "not found", never "forbidden".
 */
import { randomBytes } from "node:crypto";
import { IsaraError, isTenantName, TENANT_SEPARATOR } from "@isara/core";

/** A run id as callers choose it: a lowercase letter or digit, then lowercase letters, digits or `-`. */
export const RUN_ID_PATTERN = "^[a-z0-9][a-z0-9-]*$";
/** Longest caller-chosen run id: 63 (the controller's limit) - 24 (tenant) - 2 (`--`). */
export const MAX_RUN_ID_CHARS = 37;

const RUN_ID = new RegExp(RUN_ID_PATTERN);

/**
 * The controller's run id for a tenant's run id.
 * @throws IsaraError `invalid_argument` when either part is malformed: such an id could collide with
 *   another tenant's or exceed the controller's limit.
 */
export function scopedRunId(tenant: string, run: string): string {
  if (!isTenantName(tenant)) {
    throw new IsaraError("invalid_argument", `tenant name ${JSON.stringify(tenant)} is malformed`);
  }
  if (run.length > MAX_RUN_ID_CHARS || !RUN_ID.test(run)) {
    throw new IsaraError(
      "invalid_argument",
      `run id ${JSON.stringify(run.slice(0, 80))} is malformed; use 1-${MAX_RUN_ID_CHARS} lowercase letters, digits or "-", starting with a letter or digit`,
    );
  }
  return `${tenant}${TENANT_SEPARATOR}${run}`;
}

/**
 * The tenant's own run id inside a controller run id, or `undefined` when the run belongs to another
 * tenant (or to no tenant: a run started without the gateway).
 */
export function localRunId(tenant: string, scoped: string): string | undefined {
  const prefix = `${tenant}${TENANT_SEPARATOR}`;
  if (!scoped.startsWith(prefix)) return undefined;
  const run = scoped.slice(prefix.length);
  return run.length > 0 && run.length <= MAX_RUN_ID_CHARS && RUN_ID.test(run) ? run : undefined;
}

/** A fresh run id for a run created without one: `run-` and 12 random hex digits. */
export function newRunId(): string {
  return `run-${randomBytes(6).toString("hex")}`;
}

/** Artifact-store folder of a tenant's domain: the controller reads `domain.json`, `seeds.jsonl`, `eval.jsonl` there. */
export function domainFolder(tenant: string, domain: string): string {
  return `tenants/${tenant}/domains/${domain}`;
}
