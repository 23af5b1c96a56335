import { cutAtRoleKeyword, type Llm, ROLE_STOP_STRINGS, type Sampling } from "../index.js";

/** One conversation turn the model wrote: the text cut at the first role keyword. */
export interface Turn {
  readonly text: string;
  /** The model hit its token limit before it closed the turn. */
  readonly truncated: boolean;
}

/**
 * Asks the model to continue an ISARA prompt and returns the turn it wrote. Generation stops at the
 * role keywords (the model would otherwise go on to write the next speaker), and the text is cut there
 * too, since backends differ in whether stop strings are honoured exactly. Used for prompts, answers
 * and evaluation alike, so all three read the model's output the same way.
 */
export async function completeTurn(
  llm: Llm,
  request: {
    readonly sampling: Sampling;
    readonly prompt: string;
    readonly seed: number;
    readonly adapter?: string | undefined;
  },
  signal?: AbortSignal,
): Promise<Turn> {
  const completion = await llm.complete(
    {
      ...request.sampling,
      prompt: request.prompt,
      seed: request.seed,
      stop: ROLE_STOP_STRINGS,
      ...(request.adapter ? { adapter: request.adapter } : {}),
    },
    signal,
  );
  const truncated = completion.finishReason === "length";
  return { text: cutAtRoleKeyword(completion.text, { truncated }), truncated };
}
