/**
 * JSON Lines as every run artifact holds them (prompts, candidates, accepted and rejected samples,
 * training datasets, eval results, checkpoints): one JSON value per line, each line ended by `\n`.
 * One writer and one reader for both modes, so every file reads the same wherever it was written.
 *
 * Readers split lines differently: JavaScript splits on `\n` only, but Python's `str.splitlines()`
 * (the trainer reads its dataset with it) also breaks at U+0085, U+2028 and U+2029, which
 * `JSON.stringify` leaves raw inside strings. The writer escapes those three, so a record is one line
 * for every reader; the values read back unchanged.
 */

/** Line breaks for some readers that `JSON.stringify` does not escape (it escapes every other one). */
const UNESCAPED_LINE_BREAKS = /[\u0085\u2028\u2029]/g;

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * Serialises rows as JSON Lines (one object per line, trailing newline; `""` for no rows), with
 * U+0085, U+2028 and U+2029 escaped (`\u2028`, ...) so that no reader can split a record in two.
 */
export function toJsonl(rows: readonly unknown[]): string {
  // Outside strings JSON.stringify writes ASCII only, so every match is inside a string literal.
  return rows.map((r) => `${`${JSON.stringify(r)}`.replace(UNESCAPED_LINE_BREAKS, escaped)}\n`).join("");
}

/**
 * Parses JSON Lines written by this program. A line that does not parse is the last line of a file
 * cut short by a crash; it is dropped (that slot is simply written again), never trusted. Blank lines
 * are skipped.
 */
export function fromJsonl<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      // a torn last line after kill -9; the slot is redone
    }
  }
  return rows;
}
