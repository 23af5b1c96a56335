import {
  type CompletionSampling,
  cutAtRoleKeyword,
  findRoleKeyword,
  type Llm,
  ROLE_STOP_STRINGS,
  type Sampling,
  trimToLastSentence,
} from "../index.js";

/**
 * How a turn is written: the backend's sampling fields, and optionally the penalty's window (unset:
 * the whole context) and what happens to an unfinished turn (unset: `keep`). A domain's parsed
 * `Sampling` always has both.
 */
export type TurnSampling = CompletionSampling & Partial<Pick<Sampling, "repetitionWindow" | "unfinished">>;

/** One conversation turn the model wrote: the text cut at the first role keyword. */
export interface Turn {
  readonly text: string;
  /** The model hit its token limit before it closed the turn. */
  readonly truncated: boolean;
}

/**
 * The text of a turn the token limit cut off, by `sampling.unfinished`: trimmed back to its last
 * complete sentence, dropped (empty), or kept as written. A turn the model closed itself (a role
 * keyword or its end-of-text token) is kept whole: it is finished whatever its last character.
 */
export function endTurn(
  text: string,
  truncated: boolean,
  unfinished: Sampling["unfinished"] = "keep",
): string {
  if (!truncated || unfinished === "keep") return text;
  return unfinished === "drop" ? "" : trimToLastSentence(text);
}

/**
 * Asks the model to continue an ISARA prompt and returns the turn it wrote. Generation stops at the
 * role keywords in any case (the model would otherwise go on to write the next speaker): exact stop
 * strings for every backend, and `stopAt` with core's keyword rule for in-process ones. The text is
 * cut there again, since HTTP backends cannot take the rule and differ in how they honour stop
 * strings, then ended by `sampling.unfinished` ({@link endTurn}). Used for prompts, answers and
 * evaluation alike, so all three read the model's output the same way.
 */
export async function completeTurn(
  llm: Llm,
  request: {
    readonly sampling: TurnSampling;
    readonly prompt: string;
    readonly seed: number;
    readonly adapter?: string | undefined;
  },
  signal?: AbortSignal,
): Promise<Turn> {
  const { unfinished, ...sampling } = request.sampling;
  const completion = await llm.complete(
    {
      ...sampling,
      prompt: request.prompt,
      seed: request.seed,
      stop: ROLE_STOP_STRINGS,
      stopAt: findRoleKeyword,
      ...(request.adapter ? { adapter: request.adapter } : {}),
    },
    signal,
  );
  const truncated = completion.finishReason === "length";
  const text = cutAtRoleKeyword(completion.text, { truncated });
  return { text: endTurn(text, truncated, unfinished), truncated };
}
