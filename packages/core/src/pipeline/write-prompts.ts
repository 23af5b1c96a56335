import {
  createRng,
  type DemoRef,
  type DemoSelection,
  type DomainConfig,
  demoQuotas,
  deriveSeed,
  fitDemos,
  type Llm,
  pickedRefs,
  pickedSamples,
  questionPrompt,
  type Sample,
  type Sampling,
  selectRandomDemos,
  slotSettings,
  type Tokenizer,
} from "../index.js";
import { completeTurn } from "./complete-turn.js";
import { mapPool } from "./pool.js";

/** A new prompt written by the model, before it has an answer. */
export interface WrittenPrompt {
  readonly slot: number;
  readonly prompt: string;
  readonly promptDemos: readonly DemoRef[];
  /** Demos that did not fit the token budget. */
  readonly droppedDemos: number;
  /** The model hit its token limit before closing the prompt. */
  readonly truncated: boolean;
}

/** What one prompt-writing pass needs to know. */
export interface WritePromptsInput {
  readonly config: DomainConfig;
  readonly round: number;
  /** Slots to write, e.g. `[0, 1, …, N-1]`, or the missing ones when a phase resumes. */
  readonly slots: readonly number[];
  /** Accepted sets so far: `sets[0]` = seeds, `sets[t]` = accepted samples of round t. */
  readonly sets: readonly (readonly Sample[])[];
  /** Adapter of the current model (none = base model). */
  readonly adapter?: string;
}

/** Ports the step uses. */
export interface WritePromptsPorts {
  readonly llm: Llm;
  readonly tokenizer: Tokenizer;
}

/**
 * Step 1 of a round: the model writes new prompts. Each slot shows K demos drawn at random with the
 * paper's per-set quotas (K-(t-1) seeds, one from each earlier set), so the prompts stay diverse; the
 * choice and the sampling seed derive from (run seed, round, slot) alone, so a slot written again after a
 * crash gets the same demos. `onDone` fires per finished slot (for progress and checkpointing).
 */
export async function writePrompts(
  input: WritePromptsInput,
  ports: WritePromptsPorts,
  onDone?: (p: WrittenPrompt) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<WrittenPrompt[]> {
  const { isara } = input.config;
  const { sampling, budgetTokens } = slotSettings(input.config, "prompt", {
    seeds: input.sets[0] ?? [],
    tokenizer: ports.tokenizer,
  });
  const quotas = demoQuotas(
    input.round,
    isara.demos,
    input.sets.map((s) => s.length),
  );
  return mapPool(
    input.slots,
    ports.llm.parallelism,
    async (slot) => {
      const rng = createRng(deriveSeed(isara.seed, "prompt-demos", input.round, slot));
      const selection = selectRandomDemos(input.sets, quotas, rng);
      const written = await writePromptForSlot(
        {
          slot,
          selection,
          sampling,
          seed: deriveSeed(isara.seed, "prompt-sampling", input.round, slot),
          budgetTokens,
          adapter: input.adapter,
        },
        ports,
        signal,
      );
      await onDone?.(written);
      return written;
    },
    signal,
  );
}

/** What writing the prompt of one slot needs, once its demos are chosen. */
export interface PromptSlotInput {
  readonly slot: number;
  /** The slot's random demos (core's `selectRandomDemos`, or the retrieval service's `SelectDemos`). */
  readonly selection: DemoSelection;
  /** Sampling for writing prompts (the domain's `promptSampling`). */
  readonly sampling: Sampling;
  /** Seed of the completion: `deriveSeed(isara.seed, "prompt-sampling", round, slot)`. */
  readonly seed: number;
  /** Token budget of the demos (`isara.promptBudgetTokens`); demos that overflow are dropped. */
  readonly budgetTokens: number;
  /** Adapter of the current model (none = base model). */
  readonly adapter?: string | undefined;
}

/**
 * The model writes the prompt of one slot: the chosen demos are fitted into the token budget
 * (dropping from the selection's least valuable end), rendered as the open `USER:` conversation, and
 * the model's turn is cut at the first role keyword. The embedded `writePrompts` and the distributed
 * generation service both write every prompt through this, so the two modes write identical prompts
 * from the same demos and seed.
 */
export async function writePromptForSlot(
  input: PromptSlotInput,
  ports: WritePromptsPorts,
  signal?: AbortSignal,
): Promise<WrittenPrompt> {
  const fitted = fitDemos(
    input.selection.picks,
    (kept) => questionPrompt(pickedSamples(kept)),
    ports.tokenizer,
    input.budgetTokens,
    { dropFrom: input.selection.dropFrom },
  );
  const turn = await completeTurn(
    ports.llm,
    { sampling: input.sampling, prompt: fitted.prompt, seed: input.seed, adapter: input.adapter },
    signal,
  );
  return {
    slot: input.slot,
    prompt: turn.text,
    promptDemos: pickedRefs(fitted.kept),
    droppedDemos: fitted.dropped.length,
    truncated: turn.truncated,
  };
}
