/**
 * What the filter registry knows about one filter: the name a domain's `filters` list uses for it,
 * the zod schema of its settings there, and how to build it from them. A filter file exports one
 * {@link FilterDefinition} next to its factory, so a filter is one file plus one registry line.
 */
import type { z } from "zod";
import type { Filter } from "./filter.js";

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
  /** Builds the filter from its parsed settings; the filter's `name` must be the definition's. */
  create(settings: z.output<S>): Filter;
}

/**
 * Types a definition's `create` by its settings schema and returns it as the registry holds it
 * (settings erased), so the registry can list definitions of different settings in one array.
 */
export function defineFilter<S extends z.ZodObject>(definition: FilterDefinition<S>): FilterDefinition {
  return definition as unknown as FilterDefinition;
}
