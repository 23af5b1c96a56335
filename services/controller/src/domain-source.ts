/**
 * Where a run's domain comes from: a domain registered with the controller (a folder per domain
 * under DOMAINS_DIR, as `isara run` reads one) or a folder on the artifact volume named by
 * `DomainRef.source`. Either way the three files are read as bytes, decoded as strict UTF-8 and validated
 * with core's `decodeDomainFiles` and `parseDomainFiles`, so a distributed run refuses exactly the
 * domains the embedded mode refuses, with every problem listed.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  type Domain,
  type DomainBytes,
  decodeDomainFiles,
  IsaraError,
  parseDomainFiles,
} from "@isara/core";

/** The three files of a domain folder. */
export const DOMAIN_FILES = { config: "domain.json", seeds: "seeds.jsonl", eval: "eval.jsonl" } as const;

/** The texts of a domain's files, as read (the snapshot keeps the seed and eval texts as they are). */
export interface DomainTexts {
  readonly config: string;
  readonly seeds: string;
  readonly eval: string;
}

/** A validated domain with the texts it was read from. */
export interface LoadedDomain {
  readonly domain: Domain;
  readonly texts: DomainTexts;
}

/** Where registered domains and referenced domain folders are read from. */
export interface DomainSources {
  readonly artifacts: ArtifactStore;
  /** Folder holding one folder per registered domain; `undefined` = none registered. */
  readonly domainsDir: string | undefined;
}

async function readRegistered(dir: string, name: string): Promise<DomainBytes> {
  const folder = join(dir, name);
  const read = async (file: string) => {
    try {
      return await readFile(join(folder, file));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        throw new IsaraError(
          "not_found",
          `domain "${name}" is not registered with this controller (no ${file} in its domains folder); ` +
            "register it there, or upload the domain folder and name it in spec.domain.source",
          { domain: name, file },
        );
      }
      throw new IsaraError(
        "unavailable",
        `cannot read ${file} of registered domain "${name}" (${code ?? "error"})`,
      );
    }
  };
  return {
    config: await read(DOMAIN_FILES.config),
    seeds: await read(DOMAIN_FILES.seeds),
    eval: await read(DOMAIN_FILES.eval),
  };
}

async function readUploaded(artifacts: ArtifactStore, source: string): Promise<DomainBytes> {
  const folder = source.replace(/\/+$/, "");
  const read = async (file: string) => {
    const bytes = await artifacts.read(`${folder}/${file}`);
    if (bytes === undefined) {
      throw new IsaraError(
        "not_found",
        `spec.domain.source "${source}" has no ${file}; a domain folder holds ${Object.values(DOMAIN_FILES).join(", ")}`,
        { source, file },
      );
    }
    return bytes;
  };
  return {
    config: await read(DOMAIN_FILES.config),
    seeds: await read(DOMAIN_FILES.seeds),
    eval: await read(DOMAIN_FILES.eval),
  };
}

/**
 * Reads and validates the domain `name` from `source` (an artifact key of a domain folder) or, when
 * `source` is empty, from the registered domains.
 * @throws IsaraError `invalid_argument` listing every problem of the files (file, line, field, fix;
 *   bytes that are not UTF-8 with their line and byte offset),
 *   or when the files name another domain; `not_found` for a domain that is not there;
 *   `failed_precondition` when no domains are registered and no source is given.
 */
export async function loadDomain(
  ref: { name: string; source: string },
  sources: DomainSources,
): Promise<LoadedDomain> {
  let bytes: DomainBytes;
  let where: string;
  if (ref.source !== "") {
    bytes = await readUploaded(sources.artifacts, ref.source);
    where = ref.source.replace(/\/+$/, "");
  } else if (sources.domainsDir !== undefined) {
    bytes = await readRegistered(sources.domainsDir, ref.name);
    where = ref.name;
  } else {
    throw new IsaraError(
      "failed_precondition",
      `this controller has no registered domains (DOMAINS_DIR is not set); upload domain "${ref.name}" and name its folder in spec.domain.source`,
    );
  }
  const names = {
    config: `${where}/${DOMAIN_FILES.config}`,
    seeds: `${where}/${DOMAIN_FILES.seeds}`,
    eval: `${where}/${DOMAIN_FILES.eval}`,
  };
  const texts = decodeDomainFiles(bytes, names);
  const domain = parseDomainFiles(texts, names);
  if (domain.config.name !== ref.name) {
    throw new IsaraError(
      "invalid_argument",
      `spec.domain.name is "${ref.name}", but ${where}/${DOMAIN_FILES.config} names the domain "${domain.config.name}"; use one name for both`,
    );
  }
  return { domain, texts };
}
