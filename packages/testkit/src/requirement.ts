/**
 * What a test needs from outside the repo (a data folder, a Python interpreter), resolved once: either
 * the path to use, or the reason the test must skip. Passing `skip` straight to node:test's
 * `{ skip }` option makes a missing prerequisite show up as a skipped test with a plain message,
 * never as a silent pass or a confusing failure.
 */
export type Requirement =
  | { readonly ok: true; readonly path: string; readonly skip: false }
  | { readonly ok: false; readonly path: undefined; readonly skip: string };

/** A met requirement at `path`. */
export function found(path: string): Requirement {
  return { ok: true, path, skip: false };
}

/** An unmet requirement; `reason` says what is missing and how to provide it. */
export function missing(reason: string): Requirement {
  return { ok: false, path: undefined, skip: reason };
}

/**
 * The first unmet requirement's reason, or `false` when all are met: the value for node:test's
 * `{ skip }` when a test needs several things at once.
 */
export function firstSkip(...requirements: readonly Requirement[]): string | false {
  for (const r of requirements) if (!r.ok) return r.skip;
  return false;
}

/**
 * The path of a met requirement. Throws when it is unmet, which only happens when a test body runs
 * although its `{ skip }` said otherwise; the error names the reason so that mistake is obvious.
 */
export function pathOf(requirement: Requirement): string {
  if (!requirement.ok) throw new Error(`requirement not met: ${requirement.skip}`);
  return requirement.path;
}
