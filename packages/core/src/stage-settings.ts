/**
 * What a generation slot and a training run take from the run's config. The embedded mode reads them
 * from the domain it runs; the distributed stages read them from the run's domain snapshot (work
 * messages carry no copies of the run's settings). Both go through these functions, so a slot or a
 * training run of either mode gets the same values from the same config.
 */
import type { DomainConfig, Sampling } from "./domain.js";
import type { Tokenizer, TrainSpec } from "./ports.js";
import type { ConversationPair } from "./prompt-format.js";

/** Which text a generation slot writes. */
export type SlotKind = "prompt" | "answer";

/** How a slot's completion is written: its sampling and the token budget of its demos. */
export interface SlotSettings {
  /** `isara.promptSampling` for prompts, `isara.answerSampling` for answers. */
  readonly sampling: Sampling;
  /** `isara.promptBudgetTokens`: demos that overflow it are dropped. */
  readonly budgetTokens: number;
}

/** What sizes a slot's token limit from the seeds (`isara.tokenLimits: "seeds"`). */
export interface SeedSizing {
  /** The domain's seed pairs (set 0). */
  readonly seeds: readonly ConversationPair[];
  /** The generating model's tokenizer: the limit is in its tokens. */
  readonly tokenizer: Tokenizer;
}

/** Fewest tokens a sized limit allows, so a domain of one-word seeds still gets a sentence. */
export const MIN_SIZED_TOKENS = 16;

const sizedLimits = new WeakMap<readonly ConversationPair[], Map<string, number>>();

/**
 * The token limit the seeds need for `kind`: 1.5 × the 90th percentile of the seeds' prompt (or
 * answer) token counts, rounded up, at least {@link MIN_SIZED_TOKENS} and at most `ceiling`. Cached
 * per seed list, since every slot of a run asks.
 */
export function seedTokenLimit(sizing: SeedSizing, kind: SlotKind, ceiling: number): number {
  let cache = sizedLimits.get(sizing.seeds);
  if (cache === undefined) {
    cache = new Map();
    sizedLimits.set(sizing.seeds, cache);
  }
  let need = cache.get(kind);
  if (need === undefined) {
    const counts = sizing.seeds
      .map((s) => sizing.tokenizer.countTokens(kind === "prompt" ? s.prompt : s.response))
      .sort((a, b) => a - b);
    const p90 = counts[Math.min(counts.length - 1, Math.ceil(0.9 * counts.length) - 1)] ?? ceiling;
    need = Math.max(MIN_SIZED_TOKENS, Math.ceil(1.5 * p90));
    cache.set(kind, need);
  }
  return Math.min(ceiling, need);
}

/**
 * The sampling and demo token budget of a `kind` slot of a run with `config`. With `sizing` and
 * `isara.tokenLimits: "seeds"`, `maxTokens` is lowered to what the seeds need ({@link seedTokenLimit});
 * both modes pass the run's seeds and the generating model's tokenizer, so they size alike.
 */
export function slotSettings(config: DomainConfig, kind: SlotKind, sizing?: SeedSizing): SlotSettings {
  const { isara } = config;
  const sampling = kind === "prompt" ? isara.promptSampling : isara.answerSampling;
  const sized =
    sizing !== undefined && isara.tokenLimits === "seeds" && sizing.seeds.length > 0
      ? { ...sampling, maxTokens: seedTokenLimit(sizing, kind, sampling.maxTokens) }
      : sampling;
  return { sampling: sized, budgetTokens: isara.promptBudgetTokens };
}

/**
 * The trainer settings that are the same for every round of a run (the learning rate, epochs and
 * seed are the round's own and are not among them).
 */
export type RunTrainingSettings = Pick<
  TrainSpec,
  "method" | "batchSize" | "maxSequenceLength" | "loraRank" | "loraAlpha" | "loraDropout"
>;

/** The per-run trainer settings of a run with `config` (its `training` section). */
export function runTrainingSettings(config: DomainConfig): RunTrainingSettings {
  const t = config.training;
  return {
    method: t.method,
    batchSize: t.batchSize,
    maxSequenceLength: t.maxSequenceLength,
    loraRank: t.loraRank,
    loraAlpha: t.loraAlpha,
    loraDropout: t.loraDropout,
  };
}
