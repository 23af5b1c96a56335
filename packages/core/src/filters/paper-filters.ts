import { type FilterSettings, filterSettingsSchema } from "../domain.js";
import { IsaraError } from "../errors.js";
import { createAnswerInPromptFilter } from "./answer-in-prompt.js";
import { createDemoRougeFilter } from "./demo-rouge.js";
import { createExactDuplicateFilter } from "./exact-duplicate.js";
import type { Filter } from "./filter.js";
import { createMinWordsFilter } from "./min-words.js";

/**
 * The four filters of the ISARA paper, in the paper's order: exact duplicates, ROUGE-L against the
 * prompt's own demos, minimum words in prompt and answer, answer contained in the prompt. All are
 * synchronous and pure; append more filters (async ones included) to the returned array to extend
 * the chain. Settings come from the domain config (`filter` block); invalid ones are refused with
 * every problem listed.
 */
export function createPaperFilters(settings: FilterSettings): Filter[] {
  const parsed = filterSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`);
    throw new IsaraError("invalid_argument", `invalid filter settings: ${problems.join("; ")}`, problems);
  }
  return [
    createExactDuplicateFilter(),
    createDemoRougeFilter(parsed.data.rougeLThreshold),
    createMinWordsFilter(parsed.data.minWords),
    createAnswerInPromptFilter(),
  ];
}
