/**
 * A domain's three files as bytes, decoded as strict UTF-8 before anything parses them. Every reader
 * of domain files (the CLI, the controller's registered and uploaded domains, AlignmentRun references)
 * reads bytes and comes through here, so a file that is not UTF-8 is refused the same way everywhere:
 * file, line, column and byte offset, with the fix, all files at once.
 */
import { type FileProblem, fileProblem, problemsError } from "./file-problem.js";
import { utf8Problem } from "./utf8-text.js";

/** The bytes of `domain.json`, `seeds.jsonl` and `eval.jsonl`, as read. */
export interface DomainBytes {
  readonly config: Uint8Array;
  readonly seeds: Uint8Array;
  readonly eval: Uint8Array;
}

/** The texts of a domain's files, as {@link parseDomainFiles} takes them. */
export interface DomainFileTexts {
  readonly config: string;
  readonly seeds: string;
  readonly eval: string;
}

/** How to name the files in messages (defaults `domain.json`, `seeds.jsonl`, `eval.jsonl`). */
export interface DomainFileNames {
  readonly config?: string;
  readonly seeds?: string;
  readonly eval?: string;
}

/**
 * Decodes a domain's files. A BOM stays in the text (the parsers skip it), so the texts are the
 * files exactly as written.
 * @throws IsaraError `invalid_argument` titled like {@link parseDomainFiles}' errors, with one problem
 *   per file that is not UTF-8 (its first bad byte: line, column, byte offset and the fix).
 */
export function decodeDomainFiles(bytes: DomainBytes, names: DomainFileNames = {}): DomainFileTexts {
  const files = {
    config: names.config ?? "domain.json",
    seeds: names.seeds ?? "seeds.jsonl",
    eval: names.eval ?? "eval.jsonl",
  };
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const problems: FileProblem[] = [];
  const decode = (part: keyof DomainBytes): string => {
    try {
      return decoder.decode(bytes[part]);
    } catch {
      const file = files[part];
      problems.push(utf8Problem(bytes[part], file) ?? fileProblem({ file }, null, "not valid UTF-8"));
      return "";
    }
  };
  const texts = { config: decode("config"), seeds: decode("seeds"), eval: decode("eval") };
  if (problems.length > 0) throw problemsError("the domain is invalid", problems);
  return texts;
}
