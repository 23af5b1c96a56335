import {
  createRng,
  type DemoRef,
  type DomainConfig,
  demoQuotas,
  deriveSeed,
  fitDemos,
  type Llm,
  pickedRefs,
  pickedSamples,
  questionPrompt,
  type Sample,
  selectRandomDemos,
  type Tokenizer,
} from "@isara/core";
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
      const fitted = fitDemos(
        selection.picks,
        (kept) => questionPrompt(pickedSamples(kept)),
        ports.tokenizer,
        isara.promptBudgetTokens,
        { dropFrom: selection.dropFrom },
      );
      const turn = await completeTurn(
        ports.llm,
        {
          sampling: isara.promptSampling,
          prompt: fitted.prompt,
          seed: deriveSeed(isara.seed, "prompt-sampling", input.round, slot),
          adapter: input.adapter,
        },
        signal,
      );
      const written: WrittenPrompt = {
        slot,
        prompt: turn.text,
        promptDemos: pickedRefs(fitted.kept),
        droppedDemos: fitted.dropped.length,
        truncated: turn.truncated,
      };
      await onDone?.(written);
      return written;
    },
    signal,
  );
}
