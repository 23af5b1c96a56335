/**
 * Checking a CreateRun spec before anything is stored: the run id, the domain reference, the mode and
 * the overrides, every problem listed at once. The checked spec has one canonical form, so "the same
 * spec again" (idempotent CreateRun) and "another spec under the same id" (conflict) are decided by
 * comparing it, not by comparing protobuf bytes.
 */
import { type RunSpec, runModeFromWire } from "@isara/contracts";
import {
  baseModelSchema,
  DOMAIN_SLUG_PATTERN,
  type Domain,
  domainConfigSchema,
  IsaraError,
  isTenantName,
  MAX_BASE_MODEL_CHARS,
  MAX_TENANT_CHARS,
  type RunMode,
  type RunOverrides,
  TENANT_SEPARATOR,
  tenantOfRunId,
} from "@isara/core";

/** Run ids the controller accepts (the proto's rule): they name topics' keys, folders and labels. */
const RUN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Values that replace the domain's config for one run (core's run overrides; limits from core). */
export type RunOverrideValues = Readonly<RunOverrides>;

/** A CreateRun spec after checking, in canonical form. */
export interface CheckedSpec {
  /** The caller's run id; `undefined` when the controller is to make one. */
  readonly runId: string | undefined;
  readonly domain: string;
  /** Artifact key of a folder with the domain files; `""` = the registered domain of that name. */
  readonly source: string;
  readonly mode: RunMode;
  readonly overrides: RunOverrideValues;
  /**
   * The tenant the caller named (`spec.tenant`); `""` = none, and the run counts under its id's
   * `<tenant>--` prefix or the tenant `""` (admission.ts `resolveTenant`).
   */
  readonly tenant: string;
}

/**
 * The checked spec of a CreateRun request.
 * @throws IsaraError `invalid_argument` listing every problem (as `details`, one string each).
 */
export function checkSpec(spec: RunSpec | undefined): CheckedSpec {
  if (spec === undefined) {
    throw new IsaraError("invalid_argument", "CreateRun needs a spec: set spec.domain.name and spec.mode");
  }
  const problems: string[] = [];
  const runId = spec.runId === "" ? undefined : spec.runId;
  if (runId !== undefined && !RUN_ID.test(runId)) {
    problems.push(
      `spec.run_id ${JSON.stringify(runId.slice(0, 80))}: use 1-63 lowercase letters, digits or '-', starting with a letter or digit (or leave it empty)`,
    );
  }
  const tenant = spec.tenant ?? "";
  if (tenant !== "" && !isTenantName(tenant)) {
    problems.push(
      `spec.tenant ${JSON.stringify(tenant.slice(0, 80))}: use 1-${MAX_TENANT_CHARS} lowercase letters or digits in groups joined by single '-' (or leave it empty)`,
    );
  }
  const scope = runId === undefined ? undefined : tenantOfRunId(runId);
  if (tenant !== "" && scope !== undefined && scope !== tenant) {
    problems.push(
      `spec.run_id ${JSON.stringify(runId)} is scoped to tenant "${scope}", but spec.tenant is "${tenant}": a run id's "<tenant>--" prefix must name the run's tenant`,
    );
  }
  const domain = spec.domain?.name ?? "";
  if (!DOMAIN_SLUG_PATTERN.test(domain)) {
    problems.push(
      `spec.domain.name ${JSON.stringify(domain.slice(0, 80))}: name the domain by its slug (domain.json's name)`,
    );
  }
  let mode: RunMode = "isara";
  try {
    mode = runModeFromWire(spec.mode);
  } catch (err) {
    problems.push(`spec.mode: ${err instanceof Error ? err.message : String(err)}`);
  }
  const o = spec.overrides;
  const baseModel = o?.baseModel;
  if (baseModel !== undefined && !baseModelSchema.safeParse(baseModel).success) {
    problems.push(
      `spec.overrides.base_model: name a model (1-${MAX_BASE_MODEL_CHARS} characters) or leave it unset`,
    );
  }
  if (problems.length > 0) {
    throw new IsaraError(
      "invalid_argument",
      `the run spec is invalid:\n  ${problems.join("\n  ")}`,
      problems,
    );
  }
  const overrides: RunOverrideValues = {
    ...(o?.rounds === undefined ? {} : { rounds: o.rounds }),
    ...(o?.promptsPerRound === undefined ? {} : { promptsPerRound: o.promptsPerRound }),
    ...(o?.demos === undefined ? {} : { demos: o.demos }),
    ...(o?.seed === undefined ? {} : { seed: o.seed }),
    ...(baseModel === undefined ? {} : { baseModel }),
  };
  return { runId, domain, source: spec.domain?.source ?? "", mode, overrides, tenant };
}

/**
 * The canonical text of a spec without its run id and tenant: equal texts mean the same run (the
 * tenant is compared once resolved, see the reconciler).
 */
export function specFingerprint(spec: Omit<CheckedSpec, "runId" | "tenant">): string {
  const o = spec.overrides;
  return JSON.stringify([
    spec.domain,
    spec.source,
    spec.mode,
    o.rounds ?? null,
    o.promptsPerRound ?? null,
    o.demos ?? null,
    o.seed ?? null,
    o.baseModel ?? null,
  ]);
}

const OVERRIDE_FIELDS: Readonly<Record<string, string>> = {
  "isara.rounds": "spec.overrides.rounds",
  "isara.promptsPerRound": "spec.overrides.prompts_per_round",
  "isara.demos": "spec.overrides.demos",
  "isara.seed": "spec.overrides.seed",
};

/**
 * The domain with the spec's overrides in its config (the run's effective config, which the domain
 * snapshot records and the plan is made from).
 * @throws IsaraError `invalid_argument` naming each override out of range (e.g. rounds 0).
 */
export function applyOverrides(domain: Domain, overrides: RunOverrideValues): Domain {
  const { rounds, promptsPerRound, demos, seed } = overrides;
  if ([rounds, promptsPerRound, demos, seed].every((v) => v === undefined)) return domain;
  const isara = {
    ...domain.config.isara,
    ...(rounds === undefined ? {} : { rounds }),
    ...(promptsPerRound === undefined ? {} : { promptsPerRound }),
    ...(demos === undefined ? {} : { demos }),
    ...(seed === undefined ? {} : { seed }),
  };
  const parsed = domainConfigSchema.safeParse({ ...domain.config, isara });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.map(String).join(".");
      return `${OVERRIDE_FIELDS[path] ?? path}: ${i.message}`;
    });
    throw new IsaraError(
      "invalid_argument",
      `the overrides do not fit domain "${domain.config.name}":\n  ${problems.join("\n  ")}`,
      problems,
    );
  }
  return { ...domain, config: parsed.data };
}

/**
 * A run id for a spec that has none: the domain slug and 8 hex characters of `randomHex` (after
 * `<tenant>--` for a tenant's run), within the 63 characters a run id may have.
 */
export function generatedRunId(domain: string, randomHex: string, tenant = ""): string {
  const prefix = tenant === "" ? "" : `${tenant}${TENANT_SEPARATOR}`;
  return `${prefix}${domain.slice(0, 54 - prefix.length)}-${randomHex.slice(0, 8)}`;
}
