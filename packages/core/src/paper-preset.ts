/**
 * The `paper` preset of domain.json: the ISARA paper's values for every setting this project changed
 * by measurement, filled in under what a domain.json says (its own values win). It keeps the paper's
 * setup one word away, so an ablation can start from it and add one change at a time
 * (bench/sample-quality.mjs, docs/results.md).
 */

/** The paper's sampling of one kind (the authors' code: 1.05 for prompts, 1.2 for answers, the HF rule). */
function paperSampling(maxTokens: number, repetitionPenalty: number) {
  return {
    maxTokens,
    temperature: 0.7,
    topP: 0.9,
    repetitionPenalty,
    repetitionWindow: 0,
    unfinished: "keep",
  };
}

/** What `"preset": "paper"` fills in. */
export const PAPER_PRESET = {
  isara: {
    promptSampling: paperSampling(200, 1.05),
    answerSampling: paperSampling(100, 1.2),
    tokenLimits: "fixed",
  },
  filterPreset: "paper",
} as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `over` deep-merged onto `under`: objects merge key by key, anything else in `over` wins. */
function merge(under: unknown, over: unknown): unknown {
  if (!isObject(under) || !isObject(over)) return over === undefined ? under : over;
  const out: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) out[key] = merge(under[key], value);
  return out;
}

/**
 * A raw domain.json object with its preset applied: for `"preset": "paper"`, {@link PAPER_PRESET}
 * under the file's own values; anything else is returned as it is (the schema reports a bad name).
 */
export function withPreset(config: Record<string, unknown>): Record<string, unknown> {
  return config.preset === "paper" ? (merge(PAPER_PRESET, config) as Record<string, unknown>) : config;
}
