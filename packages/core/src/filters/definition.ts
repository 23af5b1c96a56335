/**
 * What the filter registry knows about one filter: the name a domain's `filters` list uses for it,
 * the zod schema of its settings there, and how to build it from them. A filter file exports one
 * {@link FilterDefinition} next to its factory, so a filter is one file plus one registry line.
 */
import type { z } from "zod";
import type { SampleJudge } from "../ports.js";
import type { Filter } from "./filter.js";

/**
 * Services a filter may need beyond the texts, given by whoever runs the chain (the embedded runner
 * from `isara run`'s options, the filtering service from its environment). Most filters need none.
 */
export interface FilterPorts {
  /** A judge model (`judge-score`); present only when one is configured. */
  readonly judge?: SampleJudge;
}

/** How to configure each port, quoted when a chain names a filter whose port is missing. */
export const FILTER_PORT_FIXES: Readonly<Record<keyof FilterPorts, string>> = {
  judge:
    "configure an OpenAI-compatible judge: `isara run --judge-url <base URL> --judge-model <name>`; in distributed mode JUDGE_URL and JUDGE_MODEL for the filtering service and FILTER_JUDGE=true for the controller (chart: `judge.url` and `judge.model` set both)",
};

/**
 * One registered filter. The name is also its reason code: every verdict it gives carries it
 * (`FilterVerdict.filter`) and the round report counts its rejections under it (`rejectedBy`), so a
 * registry never holds two definitions with one name.
 */
export interface FilterDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Lowercase slug, e.g. `rouge-l`: the entry's `name` in domain.json and the verdicts' filter name. */
  readonly name: string;
  /**
   * The entry's other keys in domain.json (`{"name": "rouge-l", "threshold": 0.7}` → `threshold`),
   * defaults included, so `{"name": "rouge-l"}` means the paper's setting. Unknown keys are refused.
   */
  readonly settings: S;
  /** Ports the filter cannot run without; a chain that names it is refused where one is missing. */
  readonly needs?: readonly (keyof FilterPorts)[];
  /**
   * Builds the filter from its parsed settings and the runner's ports (those in `needs` are
   * present); the filter's `name` must be the definition's.
   */
  create(settings: z.output<S>, ports: FilterPorts): Filter;
}

/**
 * Types a definition's `create` by its settings schema and returns it as the registry holds it
 * (settings erased), so the registry can list definitions of different settings in one array.
 */
export function defineFilter<S extends z.ZodObject>(definition: FilterDefinition<S>): FilterDefinition {
  return definition as unknown as FilterDefinition;
}
