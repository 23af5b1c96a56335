/**
 * Where the earliest of `stops` begins in `text`, or `undefined` when none occurs. Completions are
 * cut there, so the stop string and everything after it never reach the caller (the contract of
 * `CompletionRequest.stop`), and "earliest" matters when one stop string appears inside the text
 * before another one completes.
 */
export function findStop(text: string, stops: readonly string[]): number | undefined {
  let earliest: number | undefined;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}

/**
 * Where generation stops in `text`: the earliest of the first stop string ({@link findStop}) and the
 * place `stopAt` names (a non-negative index), or `undefined` when neither says stop.
 */
export function stopIn(
  text: string,
  stops: readonly string[],
  stopAt?: (text: string) => number,
): number | undefined {
  const exact = findStop(text, stops);
  const at = stopAt?.(text) ?? -1;
  if (at < 0) return exact;
  return exact === undefined ? at : Math.min(exact, at);
}
