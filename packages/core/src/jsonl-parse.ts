/**
 * JSON Lines parsing that keeps line numbers, so a validator can say "seeds.jsonl line 7" about a
 * row, and that reports every broken line at once instead of stopping at the first.
 */
import { type FileProblem, fileProblem } from "./file-problem.js";

/** One parsed line: its 1-based line number in the file and its JSON value. */
export interface JsonlRow {
  readonly line: number;
  readonly value: unknown;
}

/** Rows that parsed, and one problem per line that did not. */
export interface JsonlResult {
  readonly rows: readonly JsonlRow[];
  readonly problems: readonly FileProblem[];
}

/**
 * Parses JSONL text: one JSON value per line. Tolerates what editors and tools produce (a UTF-8 BOM,
 * CRLF line ends, a trailing newline, blank lines), which are skipped but still counted for line
 * numbers. A line that is not valid JSON becomes a problem naming its line; parsing goes on.
 * Pure: no I/O, so it serves files, uploads and request bodies alike.
 */
export function parseJsonl(text: string, fileName: string): JsonlResult {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const rows: JsonlRow[] = [];
  const problems: FileProblem[] = [];
  body.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    try {
      rows.push({ line, value: JSON.parse(raw) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      problems.push(
        fileProblem(
          { file: fileName, line },
          null,
          `not valid JSON (${reason}) — each line must hold one complete JSON object`,
        ),
      );
    }
  });
  return { rows, problems };
}
