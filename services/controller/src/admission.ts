/**
 * Per-tenant admission, the pure part: which tenant a run counts under, each tenant's limits
 * (TENANT_MAX_RUNNING, TENANT_MAX_QUEUED, TENANT_LIMITS) and what happens to a new run — it starts,
 * it waits in its tenant's queue, or it is refused because the queue is full. The reconciler holds
 * the runs, makes the decisions one tenant at a time and starts the oldest waiting run when one of
 * the tenant's running runs ends.
 *
 * A run's tenant is its spec's `tenant` (the gateway sets it), else the `<tenant>--` prefix of its id
 * (the gateway's scoped ids, also of runs created before the field existed), else `""`: runs started
 * without the gateway (AlignmentRuns, direct gRPC) share the tenant `""` and its default limits.
 */
import { IsaraError, isTenantName, MAX_TENANT_CHARS, tenantOfRunId } from "@isara/core";

/** Default of TENANT_MAX_RUNNING. */
export const DEFAULT_MAX_RUNNING_RUNS = 4;
/** Default of TENANT_MAX_QUEUED. */
export const DEFAULT_MAX_QUEUED_RUNS = 100;

/** One tenant's limits. */
export interface Limits {
  /** Runs of the tenant running at once (at least 1). */
  readonly maxRunningRuns: number;
  /** Runs of the tenant waiting at most (0 = none wait: a run over the running limit is refused). */
  readonly maxQueuedRuns: number;
}

/** Every tenant's limits: the defaults, and the tenants that have their own (TENANT_LIMITS). */
export interface TenantLimits extends Limits {
  readonly tenants: ReadonlyMap<string, Limits>;
}

/** The tenant run `runId` counts under: `tenant` when given, else its id's prefix, else `""`. */
export function resolveTenant(runId: string, tenant: string): string {
  return tenant !== "" ? tenant : (tenantOfRunId(runId) ?? "");
}

/** The limits of `tenant`; without any limits configured, none apply. */
export function limitsOf(limits: TenantLimits | undefined, tenant: string): Limits {
  if (limits === undefined)
    return { maxRunningRuns: Number.POSITIVE_INFINITY, maxQueuedRuns: Number.POSITIVE_INFINITY };
  return limits.tenants.get(tenant) ?? limits;
}

/** What happens to a new run of a tenant. */
export type Admission = "start" | "queue";

/**
 * Whether a new run of `tenant` starts or waits, given the tenant's runs running and waiting now: it
 * starts when the tenant runs fewer than its limit and nobody waits (first come, first served), else
 * it waits while the queue has room.
 * @throws IsaraError `resource_exhausted` when the queue is full, naming the limits, their values and
 *   how to raise them.
 */
export function admissionOf(
  tenant: string,
  counts: { readonly running: number; readonly queued: number },
  limits: TenantLimits | undefined,
): Admission {
  const own = limitsOf(limits, tenant);
  if (counts.running < own.maxRunningRuns && counts.queued === 0) return "start";
  if (counts.queued < own.maxQueuedRuns) return "queue";
  throw queueFull(tenant, counts, own, limits?.tenants.has(tenant) === true);
}

/** How a tenant is named in messages. */
export function tenantLabel(tenant: string): string {
  return tenant === "" ? 'the runs without a tenant (tenant "")' : `tenant "${tenant}"`;
}

function queueFull(
  tenant: string,
  counts: { readonly running: number; readonly queued: number },
  own: Limits,
  overridden: boolean,
): IsaraError {
  const source = overridden
    ? `TENANT_LIMITS ${tenant}=${own.maxRunningRuns}/${own.maxQueuedRuns}`
    : `TENANT_MAX_RUNNING=${own.maxRunningRuns}, TENANT_MAX_QUEUED=${own.maxQueuedRuns}`;
  const raise =
    tenant === ""
      ? "raise TENANT_MAX_QUEUED or TENANT_MAX_RUNNING (chart: controller.tenants.maxQueuedRuns, maxRunningRuns)"
      : `set TENANT_LIMITS="${tenant}=<running>/<queued>" (chart: controller.tenants.limits.${tenant}), or raise TENANT_MAX_QUEUED`;
  return new IsaraError(
    "resource_exhausted",
    `${tenantLabel(tenant)} has ${counts.running} run(s) running and ${counts.queued} waiting, its limit ` +
      `of ${own.maxQueuedRuns} waiting run(s) (maxQueuedRuns; ${source}); the run was not created. ` +
      `Send it again once a run ended, cancel a waiting run, or ask an operator to ${raise}`,
    { tenant, running: counts.running, queued: counts.queued, ...own },
  );
}

/** One item of TENANT_LIMITS: `<tenant>=<running>/<queued>`. */
const ITEM = /^([^=\s]+)\s*=\s*(\d+)\s*\/\s*(\d+)$/;

/**
 * The per-tenant limits of TENANT_LIMITS, `<tenant>=<running>/<queued>` comma-separated (e.g.
 * `acme=8/200,beta=1/10`), and every problem with it (one per bad item): a malformed item, a name that
 * is not a tenant name, a tenant given twice, a running limit under 1.
 */
export function parseTenantLimits(text: string): {
  tenants: Map<string, Limits>;
  problems: string[];
} {
  const tenants = new Map<string, Limits>();
  const problems: string[] = [];
  const items = text
    .split(",")
    .map((i) => i.trim())
    .filter((i) => i !== "");
  for (const item of items) {
    const match = ITEM.exec(item);
    const shown = JSON.stringify(item.length > 40 ? `${item.slice(0, 40)}…` : item);
    if (match === null) {
      problems.push(`${shown} is not <tenant>=<running>/<queued> (e.g. "acme=8/200")`);
      continue;
    }
    const [, tenant = "", running = "", queued = ""] = match;
    const limits = { maxRunningRuns: Number(running), maxQueuedRuns: Number(queued) };
    if (!isTenantName(tenant)) {
      problems.push(
        `${shown}: "${tenant}" is not a tenant name (1-${MAX_TENANT_CHARS} lowercase letters or digits, groups joined by single "-")`,
      );
    } else if (tenants.has(tenant)) {
      problems.push(`${shown}: tenant "${tenant}" is given twice`);
    } else if (limits.maxRunningRuns < 1 || !Number.isSafeInteger(limits.maxQueuedRuns)) {
      problems.push(`${shown}: running runs must be at least 1 (queued may be 0)`);
    } else {
      tenants.set(tenant, limits);
    }
  }
  return { tenants, problems };
}
