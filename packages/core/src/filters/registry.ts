/**
 * The filter registry: every filter a domain's `filters` list may name, and the one way a filter
 * chain is built from a run's config. The embedded pipeline's filter step and the distributed
 * filtering service both build their chain here, from the same domain.json, so they cannot drift.
 *
 * Adding a filter: write `filters/<name>.ts` (its settings schema, its name, its function, exported
 * as a {@link FilterDefinition} with `defineFilter`) and its test, then add it to
 * {@link FILTER_REGISTRY}. Nothing else changes: domain.json can name it, `parseDomain` checks its
 * settings, both modes run it, and its rejections are counted under its name.
 */
import {
  DEFAULT_FILTER_PRESET,
  type DomainConfig,
  type FilterEntry,
  type FilterPreset,
  type FilterSettings,
  filterSettingsSchema,
} from "../domain.js";
import { IsaraError } from "../errors.js";
import { planFor, type RunMode } from "../run-modes.js";
import { didYouMean, type FieldProblem, issueProblem } from "../schema-issues.js";
import { ANSWER_IN_PROMPT, answerInPromptFilter } from "./answer-in-prompt.js";
import { FILTER_PORT_FIXES, type FilterDefinition, type FilterPorts } from "./definition.js";
import { ROUGE_L, rougeLFilter } from "./demo-rouge.js";
import { EXACT_DUPLICATE, exactDuplicateFilter } from "./exact-duplicate.js";
import type { Filter } from "./filter.js";
import { GIBBERISH, gibberishFilter } from "./gibberish.js";
import { judgeScoreFilter } from "./judge-score.js";
import { LENGTH_RATIO, lengthRatioFilter } from "./length-ratio.js";
import { MIN_WORDS, minWordsFilter } from "./min-words.js";
import { NEAR_DUPLICATE, nearDuplicateFilter } from "./near-duplicate.js";
import { RELEVANCE, relevanceFilter } from "./relevance.js";
import { ROLE_LEAK, roleLeakFilter } from "./role-leak.js";
import { UNFINISHED, unfinishedFilter } from "./unfinished.js";

/** What of a domain config names its chain; `filterPreset` may be missing in a config made in code. */
export type ChainConfig = Pick<DomainConfig, "filter" | "filters"> & { readonly filterPreset?: FilterPreset };

/** The filters a chain can be built from, each name once. */
export type FilterRegistry = readonly FilterDefinition[];

/** Every filter domain.json may name, one line each. */
export const FILTER_REGISTRY: FilterRegistry = [
  exactDuplicateFilter,
  rougeLFilter,
  minWordsFilter,
  answerInPromptFilter,
  roleLeakFilter,
  gibberishFilter,
  unfinishedFilter,
  nearDuplicateFilter,
  relevanceFilter,
  lengthRatioFilter,
  judgeScoreFilter,
];

/**
 * The paper's four filters in the paper's order with the given thresholds: the `paper` preset, and the
 * start of the `quality` one. This is how the `filter` block's keys translate into
 * entries (`rougeLThreshold` → rouge-l's `threshold`, `minWords` → min-words' `minWords`), so a
 * domain.json written before the registry existed keeps its thresholds.
 */
export function paperFilterEntries(settings: FilterSettings): FilterEntry[] {
  return [
    { name: EXACT_DUPLICATE },
    { name: ROUGE_L, threshold: settings.rougeLThreshold },
    { name: MIN_WORDS, minWords: settings.minWords },
    { name: ANSWER_IN_PROMPT },
  ];
}

/**
 * The `quality` preset: the paper's four, then the filters that keep a small model's junk out of its
 * training data (role leaks, capital-letter gibberish, answers cut mid-sentence, paraphrased prompts,
 * answers off the question, answers far longer or shorter than the seeds'), each with its defaults.
 * Why each exists and what it measured: docs/filters.md.
 */
export function qualityFilterEntries(settings: FilterSettings): FilterEntry[] {
  return [
    ...paperFilterEntries(settings),
    { name: ROLE_LEAK },
    { name: GIBBERISH },
    { name: UNFINISHED },
    { name: NEAR_DUPLICATE },
    { name: RELEVANCE },
    { name: LENGTH_RATIO },
  ];
}

/** The entries of a preset, with the `filter` block's thresholds for the paper's filters. */
export function presetFilterEntries(preset: FilterPreset, settings: FilterSettings): FilterEntry[] {
  return preset === "paper" ? paperFilterEntries(settings) : qualityFilterEntries(settings);
}

/**
 * The chain a config names, unchecked: its `filters` list, or its `filterPreset`'s chain (default
 * `quality`) with its `filter` thresholds. A config made in code without `filterPreset` gets the default.
 */
export function filterEntriesOf(config: ChainConfig): FilterEntry[] {
  return config.filters === undefined
    ? presetFilterEntries(config.filterPreset ?? DEFAULT_FILTER_PRESET, config.filter)
    : [...config.filters];
}

/** A chain checked against a registry: its entries with settings parsed (defaults filled), or why not. */
export interface CheckedFilterChain {
  /** The chain's entries in order, each `{name, ...settings}` with every setting's default filled. */
  readonly entries: FilterEntry[];
  /** Each problem with its field (`filters[1].threshold`) and what to do; empty when the chain is valid. */
  readonly problems: FieldProblem[];
}

/** A checked entry with what builds it. */
interface ResolvedEntry {
  readonly definition: FilterDefinition;
  readonly settings: Record<string, unknown>;
}

const DEFAULT_FILTER_SETTINGS: FilterSettings = filterSettingsSchema.parse({});

/** Whether `settings` differs from the `filter` block's defaults (a `filter` block a person wrote). */
function customFilterSettings(settings: FilterSettings): boolean {
  return (Object.keys(DEFAULT_FILTER_SETTINGS) as (keyof FilterSettings)[]).some(
    (key) => settings[key] !== DEFAULT_FILTER_SETTINGS[key],
  );
}

function cap(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function settingProblems(definition: FilterDefinition, settings: object, at: string): FieldProblem[] {
  const allowed = Object.keys(definition.settings.shape);
  return Object.keys(settings)
    .filter((key) => !allowed.includes(key))
    .map((key) => {
      const guess = didYouMean(key, allowed);
      const subject = `"${at}.${key}" is not a setting of filter "${definition.name}"`;
      const takes = allowed.length === 0 ? "it takes no settings" : `its settings: ${allowed.join(", ")}`;
      return {
        field: `${at}.${key}`,
        problem:
          guess === null ? `${subject}; ${takes}` : `${subject} — did you mean "${guess}"? ${cap(takes)}`,
      };
    });
}

function resolve(
  config: ChainConfig,
  registry: FilterRegistry,
): { resolved: ResolvedEntry[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const resolved: ResolvedEntry[] = [];
  const names = registry.map((d) => d.name);
  // A parsed config always has a `filter` block (defaults filled), so only one that says something
  // else conflicts with a list.
  if (
    config.filters !== undefined &&
    config.filterPreset !== undefined &&
    config.filterPreset !== DEFAULT_FILTER_PRESET
  ) {
    problems.push({
      field: "filterPreset",
      problem: `"filterPreset" chooses the chain when "filters" is unset, and "filters" is given — remove one of them`,
    });
  }
  if (config.filters !== undefined && customFilterSettings(config.filter)) {
    problems.push({
      field: "filter",
      problem:
        '"filter" only sets the thresholds of the default chain, and "filters" is given — move them into the list ' +
        `({"name": "${ROUGE_L}", "threshold": …}, {"name": "${MIN_WORDS}", "minWords": …}) and remove "filter"`,
    });
  }
  const seen = new Set<string>();
  for (const [i, entry] of filterEntriesOf(config).entries()) {
    const at = `filters[${i}]`;
    const { name, ...settings } = entry;
    const definition = registry.find((d) => d.name === name);
    if (definition === undefined) {
      const guess = didYouMean(name, names);
      const subject = `"${at}.name" is "${name}", which is not a registered filter`;
      const known = `registered filters: ${names.join(", ")}`;
      problems.push({
        field: `${at}.name`,
        problem:
          guess === null ? `${subject}; ${known}` : `${subject} — did you mean "${guess}"? ${cap(known)}`,
      });
      continue;
    }
    if (seen.has(name)) {
      problems.push({
        field: `${at}.name`,
        problem: `"${at}.name": filter "${name}" is listed twice; list each filter once (its verdicts are counted by name)`,
      });
      continue;
    }
    seen.add(name);
    const unknown = settingProblems(definition, settings, at);
    problems.push(...unknown);
    const parsed = definition.settings.safeParse(settings);
    if (!parsed.success) {
      const input = { filters: { [i]: settings } };
      for (const issue of parsed.error.issues) {
        problems.push(issueProblem({ ...issue, path: ["filters", i, ...issue.path] }, input));
      }
    } else if (unknown.length === 0) {
      resolved.push({ definition, settings: parsed.data });
    }
  }
  return { resolved, problems };
}

/**
 * Checks the chain `config` names against `registry`: every name registered and listed once, every
 * entry's settings valid for its filter (no unknown keys), and no `filter` thresholds beside a
 * `filters` list (they would be silently ignored). `parseDomain` reports these problems with the
 * rest of domain.json's, so a run with a chain it cannot build is refused before it starts.
 */
export function checkFilterChain(
  config: ChainConfig,
  registry: FilterRegistry = FILTER_REGISTRY,
): CheckedFilterChain {
  const { resolved, problems } = resolve(config, registry);
  return { entries: resolved.map((r) => ({ ...r.settings, name: r.definition.name })), problems };
}

/**
 * What the chain `config` names needs that `ports` lacks: one line per missing port, naming the
 * filter and how to configure it; empty when the chain can run. A runner calls this when a run is
 * created or started, so a chain that needs a judge nobody configured is refused at the door and
 * not when round 1 is filtered. `ports` may hold the ports or only what will configure them (a
 * port counts as present when its value is not `undefined`). Problems of the chain itself are {@link checkFilterChain}'s.
 */
export function missingFilterPorts(
  config: ChainConfig,
  ports: { readonly [K in keyof FilterPorts]?: unknown },
  registry: FilterRegistry = FILTER_REGISTRY,
): string[] {
  return resolve(config, registry).resolved.flatMap(({ definition }) =>
    (definition.needs ?? [])
      .filter((port) => ports[port] === undefined)
      .map(
        (port) =>
          `filter "${definition.name}" needs a ${port} and this runner has none; ${FILTER_PORT_FIXES[port]}, or remove "${definition.name}" from "filters"`,
      ),
  );
}

/**
 * Refuses a run in `mode` whose filter chain needs a port `ports` lacks (a `judge-score` filter where
 * no judge is configured), before anything runs, instead of failing when round 1 is filtered. Modes
 * that never filter do not run the chain and are not refused. `ports` holds the ports or only what
 * will configure them, as for {@link missingFilterPorts}: the embedded runner and the CLI pass the
 * judge or its options, the controller whether the filtering service has one.
 * @throws IsaraError `failed_precondition` with {@link missingFilterPorts}' lines (its `details`).
 */
export function checkFilterPorts(
  config: DomainConfig,
  mode: RunMode,
  ports: { readonly [K in keyof FilterPorts]?: unknown },
  registry: FilterRegistry = FILTER_REGISTRY,
): void {
  if (!planFor(mode, config).rounds.some((r) => r.phases.includes("filter"))) return;
  const missing = missingFilterPorts(config, ports, registry);
  if (missing.length > 0) throw new IsaraError("failed_precondition", missing.join("; "), missing);
}

/**
 * Builds the filter chain of a run's config from `registry` (default {@link FILTER_REGISTRY}), in
 * the config's order, with the runner's `ports`: what `filterStep` runs in both modes. A config that
 * `parseDomain` accepted (with the same registry) always builds when {@link missingFilterPorts} is empty.
 * @throws IsaraError `invalid_argument` listing every problem of {@link checkFilterChain} (its
 *   `details` is the list), e.g. for a config made in code that names a filter the registry lacks;
 *   `failed_precondition` when a filter's port is missing.
 */
export function createFilterChain(
  config: ChainConfig,
  registry: FilterRegistry = FILTER_REGISTRY,
  ports: FilterPorts = {},
): Filter[] {
  const { resolved, problems } = resolve(config, registry);
  if (problems.length > 0) {
    const lines = problems.map((p) => p.problem);
    throw new IsaraError("invalid_argument", `invalid filter chain: ${lines.join("; ")}`, lines);
  }
  const missing = missingFilterPorts(config, ports, registry);
  if (missing.length > 0) throw new IsaraError("failed_precondition", missing.join("; "), missing);
  return resolved.map(({ definition, settings }) => {
    const filter = definition.create(settings, ports);
    if (filter.name !== definition.name) {
      // Verdicts and the report name the filter; a name other than the registered one breaks both.
      throw new IsaraError(
        "internal",
        `filter definition "${definition.name}" built a filter named "${filter.name}"; a filter's name must be its registry name`,
      );
    }
    return filter;
  });
}
