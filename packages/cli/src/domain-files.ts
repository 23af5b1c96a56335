import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Domain, decodeDomainFiles, IsaraError, parseDomainFiles } from "@isara/core";

/** The three files of a domain folder. */
export const DOMAIN_FILES = { config: "domain.json", seeds: "seeds.jsonl", eval: "eval.jsonl" } as const;

/** The texts of a domain folder's files, read as they are (for validation and the run's snapshot). */
export interface DomainTexts {
  readonly config: string;
  readonly seeds: string;
  readonly eval: string;
}

/** The paths of a domain folder's files, as messages name them. */
function domainPaths(dir: string): DomainTexts {
  return {
    config: join(dir, DOMAIN_FILES.config),
    seeds: join(dir, DOMAIN_FILES.seeds),
    eval: join(dir, DOMAIN_FILES.eval),
  };
}

/**
 * Reads a domain folder; a missing file is one clear error naming what the folder must hold, and a
 * file that is not UTF-8 is refused with its line and byte (core's strict decoding), never read as
 * replacement characters.
 */
export async function readDomainTexts(dir: string): Promise<DomainTexts> {
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new IsaraError(
        code === "ENOENT" || code === "ENOTDIR" ? "not_found" : "invalid_argument",
        `cannot read ${join(dir, name)} (${code ?? (err as Error).message}); a domain folder holds ${Object.values(DOMAIN_FILES).join(", ")} — see examples/domains/misconceptions`,
      );
    }
  };
  const bytes = {
    config: await read(DOMAIN_FILES.config),
    seeds: await read(DOMAIN_FILES.seeds),
    eval: await read(DOMAIN_FILES.eval),
  };
  return decodeDomainFiles(bytes, domainPaths(dir));
}

/** Reads and validates a domain folder; every problem of every file is reported at once. */
export async function loadDomain(dir: string): Promise<{ domain: Domain; texts: DomainTexts }> {
  const texts = await readDomainTexts(dir);
  const domain = parseDomainFiles(texts, domainPaths(dir));
  return { domain, texts };
}
