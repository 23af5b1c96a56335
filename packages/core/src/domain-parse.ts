/**
 * Validation of a domain as a person writes it (`domain.json`, `seeds.jsonl`, `eval.jsonl`) into a
 * {@link Domain} with every default filled. It collects ALL problems, each naming file, line and field
 * and saying how to fix it, and throws them as one `invalid_argument` error: a domain is refused at the
 * edge, before anything is stored or any model runs.
 */
import { type Domain, type DomainConfig, domainConfigSchema } from "./domain.js";
import { checkEval, checkSeeds } from "./domain-rows.js";
import { type FileProblem, fileProblem, problemsError } from "./file-problem.js";
import { checkFilterChain, FILTER_REGISTRY, type FilterRegistry } from "./filters/registry.js";
import { parseJsonl } from "./jsonl-parse.js";
import { withPreset } from "./paper-preset.js";
import { issueProblem, unknownKeys } from "./schema-issues.js";

/** The three parts of a domain, as parsed JSON values (rows of the JSONL files in order). */
export interface DomainInput {
  readonly config: unknown;
  readonly seeds: readonly unknown[];
  readonly eval: readonly unknown[];
}

/** How to name the inputs in messages. Without line numbers, rows are named by 1-based position. */
export interface DomainSources {
  /** Default `domain.json`. */
  readonly config?: string;
  /** Default `seeds.jsonl`. */
  readonly seeds?: string;
  /** Default `eval.jsonl`. */
  readonly eval?: string;
  /** Line of `seeds[i]` in its file, e.g. from {@link parseJsonl}. */
  readonly seedLines?: readonly number[];
  /** Line of `eval[i]` in its file. */
  readonly evalLines?: readonly number[];
}

/** How a domain is checked beyond its schema. */
export interface DomainParseOptions {
  /**
   * The filters `domain.json`'s `filters` list may name (default core's `FILTER_REGISTRY`); pass the
   * registry the run's filter step builds its chain from, when it is not the default.
   */
  readonly filters?: FilterRegistry;
}

function configProblems(
  config: unknown,
  file: string,
  problems: FileProblem[],
  registry: FilterRegistry,
): DomainConfig | undefined {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    problems.push(fileProblem({ file }, null, 'must be a JSON object, at least {"name": "my-domain"}'));
    return undefined;
  }
  for (const p of unknownKeys(domainConfigSchema, config))
    problems.push(fileProblem({ file }, p.field, p.problem));
  const parsed = domainConfigSchema.safeParse(withPreset(config as Record<string, unknown>));
  if (parsed.success) {
    // The chain is checked here, with the rest of the file, so no stage meets a filter it cannot
    // build; a given list is stored with its defaults filled, as every other section is.
    const chain = checkFilterChain(parsed.data, registry);
    for (const p of chain.problems) problems.push(fileProblem({ file }, p.field, p.problem));
    if (chain.problems.length > 0) return undefined;
    return parsed.data.filters === undefined ? parsed.data : { ...parsed.data, filters: chain.entries };
  }
  for (const issue of parsed.error.issues) {
    const { field, problem } = issueProblem(issue, config, {
      name: "it names the domain in runs and folders",
    });
    problems.push(fileProblem({ file }, field, problem));
  }
  return undefined;
}

/** What {@link parseDomainFiles} already knows from parsing: whether the config parsed, how many seed lines did not. */
interface ParseOutcome {
  readonly configParsed: boolean;
  readonly brokenSeedLines: number;
}

function collect(
  input: DomainInput,
  sources: DomainSources,
  problems: FileProblem[],
  options: DomainParseOptions,
  outcome: ParseOutcome = { configParsed: true, brokenSeedLines: 0 },
): Domain | undefined {
  const files = fileNames(sources);
  const registry = options.filters ?? FILTER_REGISTRY;
  const config = outcome.configParsed
    ? configProblems(input.config, files.config, problems, registry)
    : undefined;
  const seedSource = { file: files.seeds, lines: sources.seedLines };
  const seeds = checkSeeds(input.seeds, seedSource, outcome.brokenSeedLines, problems);
  const evalSource = { file: files.eval, lines: sources.evalLines };
  const items = checkEval(input.eval, evalSource, input.seeds, seedSource, problems);
  if (problems.length > 0 || config === undefined) return undefined;
  return { config, seeds, eval: items };
}

function fileNames(sources: Pick<DomainSources, "config" | "seeds" | "eval">) {
  return {
    config: sources.config ?? "domain.json",
    seeds: sources.seeds ?? "seeds.jsonl",
    eval: sources.eval ?? "eval.jsonl",
  };
}

function failure(input: DomainInput, problems: readonly FileProblem[]) {
  const name = (input.config as { name?: unknown } | null)?.name;
  const title =
    typeof name === "string" && name !== "" ? `domain "${name}" is invalid` : "the domain is invalid";
  return problemsError(title, problems);
}

/**
 * Validates a domain and fills every default from the paper. Throws one `invalid_argument` error whose
 * message lists every problem (file, line or row, field, how to fix) and whose `details` is the
 * {@link FileProblem} list. Checks: config types and ranges, unknown config keys (with "did you mean"),
 * MIN_SEEDS..MAX_SEEDS seeds, empty or oversized fields, duplicate seed prompts, duplicate eval ids,
 * eval prompts that are also seed prompts, at least one eval item, and a filter chain the registry
 * can build (`options.filters`, default core's `FILTER_REGISTRY`).
 */
export function parseDomain(
  input: DomainInput,
  sources: DomainSources = {},
  options: DomainParseOptions = {},
): Domain {
  const problems: FileProblem[] = [];
  const domain = collect(input, sources, problems, options);
  if (domain === undefined) throw failure(input, problems);
  return domain;
}

/**
 * {@link parseDomain} from file texts: `domain.json` text and the two JSONL texts. JSON syntax errors
 * are reported with their line, together with every validation problem of the lines that did parse.
 */
export function parseDomainFiles(
  texts: { readonly config: string; readonly seeds: string; readonly eval: string },
  names: Pick<DomainSources, "config" | "seeds" | "eval"> = {},
  options: DomainParseOptions = {},
): Domain {
  const files = fileNames(names);
  const problems: FileProblem[] = [];
  let config: unknown;
  let configParsed = true;
  try {
    config = JSON.parse(texts.config.replace(/^\uFEFF/, ""));
  } catch (err) {
    configParsed = false;
    problems.push(
      fileProblem(
        { file: files.config },
        null,
        `not valid JSON (${(err as Error).message}) — check quotes, commas and braces`,
      ),
    );
  }
  const seeds = parseJsonl(texts.seeds, files.seeds);
  const items = parseJsonl(texts.eval, files.eval);
  problems.push(...seeds.problems, ...items.problems);
  const input: DomainInput = {
    config,
    seeds: seeds.rows.map((r) => r.value),
    eval: items.rows.map((r) => r.value),
  };
  const sources: DomainSources = {
    ...files,
    seedLines: seeds.rows.map((r) => r.line),
    evalLines: items.rows.map((r) => r.line),
  };
  const domain = collect(input, sources, problems, options, {
    configParsed,
    brokenSeedLines: seeds.problems.length,
  });
  if (domain === undefined) throw failure(input, problems);
  return domain;
}
