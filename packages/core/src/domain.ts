import { z } from "zod";

/**
 * Sampling settings for one kind of generation. Defaults follow the ISARA authors' code:
 * prompts are written with a light repetition penalty, answers with a stronger one.
 */
export const samplingSchema = z.object({
  /** Most new tokens the model may write. */
  maxTokens: z.number().int().min(1).max(8192),
  /** Softmax temperature; 0 means greedy. */
  temperature: z.number().min(0).max(5),
  /** Nucleus sampling mass. */
  topP: z.number().gt(0).max(1),
  /** Multiplicative penalty on tokens already in the context (1 = off). */
  repetitionPenalty: z.number().min(1).max(3),
  /**
   * How many of the latest tokens (prompt tail plus what was written) the penalty looks at; 0 = the
   * whole prompt and generation, the rule the paper's values were tuned with. Over a 2,000-token
   * prompt of demos that rule penalises every common word, and a small model escapes into rare
   * capitalised tokens; a window keeps the penalty to what the turn itself repeats (docs/generation.md).
   */
  repetitionWindow: z.number().int().min(0).max(131_072).default(64),
  /**
   * What happens to a turn the token limit cut off mid-sentence: `trim` it back to its last complete
   * sentence (nothing left: empty, which the filters reject), `drop` it (empty), or `keep` it as
   * written (the paper's behaviour).
   */
  unfinished: z.enum(["trim", "drop", "keep"]).default("trim"),
});
/** Sampling settings, as parsed (see {@link samplingSchema}). */
export type Sampling = z.infer<typeof samplingSchema>;
/** The sampling fields every completion backend takes (the rest are optional or the turn writer's). */
export type CompletionSampling = Pick<Sampling, "maxTokens" | "temperature" | "topP" | "repetitionPenalty">;

/** Settings of the ISARA loop itself (paper defaults). */
export const isaraSettingsSchema = z.object({
  /** K: in-context demos per generation. */
  demos: z.number().int().min(1).max(64).default(8),
  /** N: new prompts written per round. */
  promptsPerRound: z.number().int().min(1).max(100_000).default(512),
  /** Rounds of generate → filter → train. */
  rounds: z.number().int().min(1).max(50).default(3),
  /** Token budget for the in-context part of a generation prompt; demos that overflow are dropped. */
  promptBudgetTokens: z.number().int().min(64).max(131_072).default(2000),
  /** Sampling for writing new prompts. */
  promptSampling: samplingSchema.default({
    maxTokens: 200,
    temperature: 0.7,
    topP: 0.9,
    repetitionPenalty: 1.05,
    repetitionWindow: 64,
    unfinished: "trim",
  }),
  /** Sampling for writing answers. */
  answerSampling: samplingSchema.default({
    maxTokens: 100,
    temperature: 0.7,
    topP: 0.9,
    repetitionPenalty: 1.2,
    repetitionWindow: 64,
    unfinished: "trim",
  }),
  /**
   * `seeds`: each kind's `maxTokens` is lowered to what the seeds need (1.5 × the 90th percentile of
   * their prompt or answer tokens, at least 16), so an answer is not pushed on to a limit far past a
   * seed's length, where a small model rambles and is cut mid-sentence; `maxTokens` stays the ceiling.
   * `fixed`: `maxTokens` as given (the paper's behaviour).
   */
  tokenLimits: z.enum(["seeds", "fixed"]).default("seeds"),
  /** Seed for every random choice of the run (demo picks, sampling). */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
});
/** ISARA loop settings with defaults filled in. */
export type IsaraSettings = z.infer<typeof isaraSettingsSchema>;

/** Settings of the filter chain. */
export const filterSettingsSchema = z.object({
  /** Reject a prompt whose ROUGE-L F1 against any of its own demo prompts is above this. */
  rougeLThreshold: z.number().min(0).max(1).default(0.7),
  /** Reject prompts or answers with fewer words than this. */
  minWords: z.number().int().min(0).max(1000).default(5),
});
/** Filter chain settings with defaults filled in. */
export type FilterSettings = z.infer<typeof filterSettingsSchema>;

/**
 * One filter of a domain's `filters` list: a registered filter's name and its settings beside it,
 * e.g. `{"name": "rouge-l", "threshold": 0.7}`. Only the shape is checked here; which names exist
 * and what settings each takes is the filter registry's (core's `filters/registry.ts`), which
 * `parseDomain` consults, so a new filter needs no change to this schema.
 */
export const filterEntrySchema = z.looseObject({
  /** The registered filter's name; also the name its verdicts carry. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "use a registered filter's name, e.g. rouge-l"),
});
/** One entry of a domain's `filters` list (see {@link filterEntrySchema}). */
export type FilterEntry = z.infer<typeof filterEntrySchema>;

/** Names of the filter chains a domain can take without listing its filters (`filterPreset`). */
export const FILTER_PRESETS = ["paper", "quality"] as const;
/** A filter preset's name. */
export type FilterPreset = (typeof FILTER_PRESETS)[number];
/** The chain of a domain.json that names neither `filterPreset` nor `filters`. */
export const DEFAULT_FILTER_PRESET: FilterPreset = "quality";

/** Settings handed to the trainer each round. */
export const trainingSettingsSchema = z.object({
  /** LoRA adapter (default) or full fine-tune. */
  method: z.enum(["lora", "full"]).default("lora"),
  /** Learning rate of round 1; each later round multiplies it by `learningRateDecay`. */
  learningRate: z.number().gt(0).max(1).default(2e-5),
  /** Factor applied to the learning rate after each round (0.5 = halved, as in the paper). */
  learningRateDecay: z.number().gt(0).max(1).default(0.5),
  /** Passes over D0 ∪ Dt per round. */
  epochs: z.number().int().min(1).max(100).default(1),
  /** Examples per optimiser step. */
  batchSize: z.number().int().min(1).max(4096).default(8),
  /** Longest training sequence in tokens; longer examples are truncated. */
  maxSequenceLength: z.number().int().min(16).max(131_072).default(512),
  /** LoRA rank. */
  loraRank: z.number().int().min(1).max(1024).default(8),
  /** LoRA alpha (scale = alpha / rank). */
  loraAlpha: z.number().gt(0).max(4096).default(16),
  /** LoRA dropout. */
  loraDropout: z.number().min(0).max(0.9).default(0.05),
});
/** Training settings with defaults filled in. */
export type TrainingSettings = z.infer<typeof trainingSettingsSchema>;

/** When the loop stops before its last round. */
export const stopSettingsSchema = z.object({
  /** Stop when the fraction of a round's samples that pass the filters falls below this. */
  minKeptFraction: z.number().min(0).max(1).default(0.05),
  /** Metric watched for improvement (a key of the evaluator's metrics). */
  metric: z.string().min(1).default("rougeL_diff"),
  /** Stop after this many rounds in a row without improving the metric by more than `minImprovement`. 0 = never. */
  patience: z.number().int().min(0).max(50).default(1),
  /** Smallest change of the metric that counts as an improvement. */
  minImprovement: z.number().min(0).default(0),
});
/** Stop settings with defaults filled in. */
export type StopSettings = z.infer<typeof stopSettingsSchema>;

/** Longest domain name, in characters: the slug names Kafka keys, collections, folders and labels. */
export const MAX_DOMAIN_NAME_CHARS = 63;
/**
 * A domain name (slug): 1-{@link MAX_DOMAIN_NAME_CHARS} lowercase letters, digits or '-', starting with a
 * letter or digit. Exported so the controller, the gateway and the CRD check names by this one rule.
 */
export const DOMAIN_SLUG_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_DOMAIN_NAME_CHARS - 1}}$`);

/** A domain's config file (`domain.json`): data, not code. Every field but `name` has a paper default. */
export const domainConfigSchema = z.object({
  /** Lowercase slug that names the domain in runs, topics, collections and folders. */
  name: z
    .string()
    .regex(
      DOMAIN_SLUG_PATTERN,
      `use 1-${MAX_DOMAIN_NAME_CHARS} lowercase letters, digits or '-', starting with a letter or digit`,
    ),
  /** One line for people. */
  description: z.string().max(2000).default(""),
  /**
   * `paper`: every setting this project changed from the paper's values by measurement takes the
   * paper's value where domain.json does not set it (the whole-context repetition penalty, unfinished
   * turns kept, fixed token limits, the paper's four filters): the ablation's baseline. Unset: this
   * project's defaults. See docs/generation.md.
   */
  preset: z.enum(["paper"]).optional(),
  isara: isaraSettingsSchema.default(isaraSettingsSchema.parse({})),
  filter: filterSettingsSchema.default(filterSettingsSchema.parse({})),
  /**
   * The filter chain when `filters` is unset: `paper`, the paper's four (exact duplicate, ROUGE-L
   * against the prompt's demos, too few words, answer in prompt) with the `filter` block's
   * thresholds; `quality`, those four then role-leak, gibberish, unfinished, near-duplicate,
   * relevance and length-ratio with their defaults (docs/filters.md).
   */
  filterPreset: z.enum(FILTER_PRESETS).default(DEFAULT_FILTER_PRESET),
  /** The filter chain, in order, when a preset does not fit; unset: `filterPreset`'s chain. */
  filters: z.array(filterEntrySchema).max(32).optional(),
  training: trainingSettingsSchema.default(trainingSettingsSchema.parse({})),
  stop: stopSettingsSchema.default(stopSettingsSchema.parse({})),
});
/** A parsed `domain.json`: every section present, defaults filled in. */
export type DomainConfig = z.infer<typeof domainConfigSchema>;

/** Longest prompt or response accepted in a seed or eval item, in characters. */
export const MAX_FIELD_CHARS = 20_000;
/** Fewest seed pairs a domain may have. */
export const MIN_SEEDS = 8;
/** Most seed pairs a domain may have. */
export const MAX_SEEDS = 100;

/** One seed `(prompt, response)` pair. */
export const seedPairSchema = z.object({
  prompt: z.string().trim().min(1, "must not be empty").max(MAX_FIELD_CHARS),
  response: z.string().trim().min(1, "must not be empty").max(MAX_FIELD_CHARS),
});
/** One validated seed pair (trimmed). */
export type SeedPair = z.infer<typeof seedPairSchema>;

/** One evaluation question with references, as TruthfulQA's generation task. */
export const evalItemSchema = z.object({
  /** Stable id, used in per-sample logs. */
  id: z.string().min(1).max(200),
  prompt: z.string().trim().min(1, "must not be empty").max(MAX_FIELD_CHARS),
  /** Answers that show the target behaviour. */
  correct: z
    .array(z.string().trim().min(1).max(MAX_FIELD_CHARS))
    .min(1, "give at least one correct reference"),
  /** Answers that show the behaviour to move away from (may be empty). */
  incorrect: z.array(z.string().trim().min(1).max(MAX_FIELD_CHARS)).default([]),
});
/** One validated eval item. */
export type EvalItem = z.infer<typeof evalItemSchema>;

/** A whole domain, validated: config, seeds (set 0) and eval items. */
export interface Domain {
  readonly config: DomainConfig;
  readonly seeds: readonly SeedPair[];
  readonly eval: readonly EvalItem[];
}
