/**
 * Strict UTF-8 decoding of the files people hand in. `readFile(path, "utf8")`, `Buffer#toString` and a
 * default `TextDecoder` all turn bytes that are not UTF-8 into U+FFFD without a word, so a seed saved
 * as Latin-1 would be trained on as "caf\uFFFD" and nobody would learn why the outputs look odd. Here
 * such bytes are refused instead, located by line, column and byte offset so a person can find them
 * in an editor, with the fix (re-save the file as UTF-8). Pure: bytes in, text or a problem out, so the
 * CLI, the controller and the gateway all decode through this one function.
 */
import { type FileProblem, fileProblem, problemsError } from "./file-problem.js";

/** Where bytes stop being UTF-8. */
export interface Utf8Fault {
  /** 1-based line; lines end at the byte 0x0A, which never occurs inside a UTF-8 sequence. */
  readonly line: number;
  /** 1-based column of that line, in characters (code points), as editors count it. */
  readonly column: number;
  /** 0-based offset of the bad sequence's first byte from the start of the bytes. */
  readonly offset: number;
  /** The bad sequence's first byte. */
  readonly byte: number;
}

/** A fresh fatal decoder; it keeps a BOM in the text, as `readFile(path, "utf8")` did. */
const strictDecoder = () => new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Index and column of the first bad sequence in one line, fed byte by byte to a streaming decoder. */
function faultInLine(line: Uint8Array): { index: number; column: number } | undefined {
  const decoder = strictDecoder();
  let pendingStart = 0;
  let column = 1;
  for (let i = 0; i < line.length; i++) {
    let out: string;
    try {
      out = decoder.decode(line.subarray(i, i + 1), { stream: true });
    } catch {
      return { index: pendingStart, column };
    }
    if (out !== "") {
      column += [...out].length;
      pendingStart = i + 1;
    }
  }
  try {
    decoder.decode();
  } catch {
    return { index: pendingStart, column };
  }
  return undefined;
}

/**
 * The first place where `bytes` are not UTF-8, or `undefined` when they all are. Valid input costs one
 * fatal decode; only a refused input is scanned line by line to say where.
 */
export function findUtf8Fault(bytes: Uint8Array): Utf8Fault | undefined {
  try {
    strictDecoder().decode(bytes);
    return undefined;
  } catch {
    // Located below.
  }
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const fault = faultInLine(bytes.subarray(start, end));
    if (fault !== undefined) {
      const offset = start + fault.index;
      return { line, column: fault.column, offset, byte: bytes[offset] ?? 0 };
    }
    start = end + 1;
  }
  return undefined;
}

/** Where a fault sits within its line, for messages: `column 12 (byte offset 57, byte 0xE9)`. */
export function utf8FaultPlace(fault: Utf8Fault): string {
  const hex = fault.byte.toString(16).toUpperCase().padStart(2, "0");
  return `column ${fault.column} (byte offset ${fault.offset}, byte 0x${hex})`;
}

/** The {@link FileProblem} of `file` when its bytes are not UTF-8, else `undefined`. */
export function utf8Problem(bytes: Uint8Array, file: string): FileProblem | undefined {
  const fault = findUtf8Fault(bytes);
  if (fault === undefined) return undefined;
  return fileProblem(
    { file, line: fault.line },
    null,
    `not valid UTF-8 at ${utf8FaultPlace(fault)} — re-save the file as UTF-8 ` +
      "(it was probably saved as Latin-1 or Windows-1252)",
  );
}

/**
 * The text of `file`'s bytes (a BOM is kept, as `readFile(path, "utf8")` keeps it).
 * @throws IsaraError `invalid_argument` naming the file, line, column and byte offset of the first
 *   bytes that are not UTF-8, with the problem as `details`, as other bad input files are reported.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return strictDecoder().decode(bytes);
  } catch {
    const problem = utf8Problem(bytes, file) ?? fileProblem({ file }, null, "not valid UTF-8");
    throw problemsError(`cannot read ${file}`, [problem]);
  }
}
