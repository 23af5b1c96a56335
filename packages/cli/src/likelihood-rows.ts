/**
 * The likelihood metrics (`mc2`, `likelihood_acc`) in `isara compare`. Unlike the answer-based
 * metrics they cannot be re-scored from stored answers (they need the model), so they are read from
 * each round's per-item eval log, where the evaluation wrote them, and compared with the base model
 * item by item: the mean and a 95% paired-bootstrap interval of the difference, so a row says not only
 * how much better it is, but whether that is more than which questions happen to be in the set.
 */
import { LIKELIHOOD_ACC_METRIC, MC2_METRIC, pairedBootstrap } from "@isara/core";
import type { ComparisonRow, MetricColumn } from "@isara/embedded/report";
import type { RowSource } from "./comparison-rows.js";

const METRICS = [
  { key: MC2_METRIC, header: "MC2" },
  { key: LIKELIHOOD_ACC_METRIC, header: "likelihood acc" },
] as const;

/** Per-item values of `metric` by item id, from a row's stored eval log. */
function perItem(source: RowSource, metric: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const a of source.answers) {
    const v = a.scores[metric];
    if (v !== undefined) values.set(a.id, v);
  }
  return values;
}

/**
 * `rows` (from `scoreRows`, in `sources` order) with each likelihood metric the eval logs hold: its
 * mean (`mc2`), and against the base row (the first) on the items both have, the paired difference
 * (`mc2_vs_base`) with its interval (`mc2_vs_base_low`, `mc2_vs_base_high`). Rows without the
 * metric (runs evaluated before it existed, or on a server that returns no log-probabilities) keep
 * their metrics as they were.
 */
export function withLikelihoodMetrics(
  sources: readonly RowSource[],
  rows: readonly ComparisonRow[],
): ComparisonRow[] {
  const base = sources[0];
  return rows.map((row, i) => {
    const source = sources[i];
    if (source === undefined || base === undefined) return row;
    const metrics: Record<string, number> = { ...row.metrics };
    for (const { key } of METRICS) {
      const own = perItem(source, key);
      if (own.size === 0) continue;
      metrics[key] = [...own.values()].reduce((s, v) => s + v, 0) / own.size;
      if (source === base) continue;
      const baseValues = perItem(base, key);
      const shared = [...own.keys()].filter((id) => baseValues.has(id));
      if (shared.length === 0) continue;
      const d = pairedBootstrap(
        shared.map((id) => own.get(id) ?? 0),
        shared.map((id) => baseValues.get(id) ?? 0),
        { seed: 1 },
      );
      metrics[`${key}_vs_base`] = d.mean;
      metrics[`${key}_vs_base_low`] = d.low;
      metrics[`${key}_vs_base_high`] = d.high;
    }
    return { ...row, metrics };
  });
}

/** Table columns for the likelihood metrics some row has (none when no run recorded them), x100. */
export function likelihoodColumns(rows: readonly ComparisonRow[]): MetricColumn[] {
  return METRICS.filter(({ key }) => rows.some((r) => r.metrics[key] !== undefined)).flatMap(
    ({ key, header }) => [
      { key, header: `${header} x100`, scale: 100, digits: 1 },
      { key: `${key}_vs_base`, header: `${header} vs base x100`, scale: 100, digits: 2 },
      { key: `${key}_vs_base_low`, header: "95% CI low", scale: 100, digits: 2 },
      { key: `${key}_vs_base_high`, header: "95% CI high", scale: 100, digits: 2 },
    ],
  );
}
