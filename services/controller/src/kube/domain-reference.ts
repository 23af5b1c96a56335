/**
 * Reads the three files of an AlignmentRun's domain from where its spec points: a ConfigMap in the
 * run's namespace, a folder on the controller's domains volume (a PVC), an http(s) URL, or, with none
 * of these, the controller's registered domain of that name. Files and URLs are read as bytes and
 * decoded as strict UTF-8 (a file that is not UTF-8 is refused with its line, not read as replacement
 * characters); the texts are returned as read; the caller merges the spec's settings and core validates
 * them, so a Kubernetes run refuses exactly the domains `isara run` refuses.
 */
import { readFile } from "node:fs/promises";
import { join, normalize } from "node:path";
import { type DomainBytes, decodeDomainFiles, IsaraError } from "@isara/core";
import { DOMAIN_FILES, type DomainTexts } from "../domain-source.js";
import type { DomainReference } from "./alignment-run.js";

/** Reads a ConfigMap's `data` (the Kubernetes adapter; a test may pass any function). */
export type ReadConfigMap = (
  namespace: string,
  name: string,
) => Promise<Readonly<Record<string, string>> | undefined>;

/** What the resolver reads from. */
export interface DomainReferenceSources {
  readonly readConfigMap: ReadConfigMap;
  /** Root of the domains volume (`DOMAINS_DIR`); `undefined` = none mounted. */
  readonly domainsDir: string | undefined;
  /** HTTP client for `url` references (default global fetch). */
  readonly fetch?: typeof fetch;
  /** Longest wait for one file over HTTP. Default 30 s. */
  readonly fetchTimeoutMs?: number;
}

const FILES = [DOMAIN_FILES.config, DOMAIN_FILES.seeds, DOMAIN_FILES.eval] as const;

function texts(read: Record<string, string>): DomainTexts {
  return {
    config: read[DOMAIN_FILES.config] ?? "",
    seeds: read[DOMAIN_FILES.seeds] ?? "",
    eval: read[DOMAIN_FILES.eval] ?? "",
  };
}

async function fromConfigMap(sources: DomainReferenceSources, namespace: string, name: string) {
  const data = await sources.readConfigMap(namespace, name);
  if (data === undefined) {
    throw new IsaraError(
      "not_found",
      `ConfigMap ${namespace}/${name} (spec.domain.configMap) does not exist; create it with ` +
        `kubectl create configmap ${name} --from-file=<domain folder>/`,
    );
  }
  const missing = FILES.filter((f) => data[f] === undefined);
  if (missing.length > 0) {
    throw new IsaraError(
      "invalid_argument",
      `ConfigMap ${namespace}/${name} has no key ${missing.join(", ")}; a domain ConfigMap holds ${FILES.join(", ")}`,
    );
  }
  return texts({ ...data });
}

/** Decodes the files read from `where` (a folder or URL), naming each as `where/file` in problems. */
function decoded(read: Record<string, Uint8Array>, where: string): DomainTexts {
  const empty = new Uint8Array();
  const bytes: DomainBytes = {
    config: read[DOMAIN_FILES.config] ?? empty,
    seeds: read[DOMAIN_FILES.seeds] ?? empty,
    eval: read[DOMAIN_FILES.eval] ?? empty,
  };
  return decodeDomainFiles(bytes, {
    config: `${where}/${DOMAIN_FILES.config}`,
    seeds: `${where}/${DOMAIN_FILES.seeds}`,
    eval: `${where}/${DOMAIN_FILES.eval}`,
  });
}

async function fromPath(domainsDir: string | undefined, path: string): Promise<DomainTexts> {
  if (domainsDir === undefined) {
    throw new IsaraError(
      "failed_precondition",
      "spec.domain.path needs a domains volume on the controller (DOMAINS_DIR is not set); use spec.domain.configMap or url instead",
    );
  }
  const folder = normalize(path);
  if (folder.startsWith("..") || folder.startsWith("/")) {
    throw new IsaraError(
      "invalid_argument",
      `spec.domain.path "${path}" leaves the domains volume; give a folder inside it`,
    );
  }
  const read: Record<string, Uint8Array> = {};
  for (const file of FILES) {
    try {
      read[file] = await readFile(join(domainsDir, folder, file));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new IsaraError(
        code === "ENOENT" || code === "ENOTDIR" ? "not_found" : "unavailable",
        `spec.domain.path "${path}": cannot read ${file} on the domains volume (${code ?? "error"})`,
      );
    }
  }
  return decoded(read, folder);
}

async function fromUrl(sources: DomainReferenceSources, url: string): Promise<DomainTexts> {
  const get = sources.fetch ?? fetch;
  const base = url.replace(/\/+$/, "");
  const read: Record<string, Uint8Array> = {};
  for (const file of FILES) {
    let res: Response;
    try {
      res = await get(`${base}/${file}`, { signal: AbortSignal.timeout(sources.fetchTimeoutMs ?? 30_000) });
    } catch (err) {
      throw new IsaraError(
        "unavailable",
        `spec.domain.url: cannot fetch ${base}/${file} (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (!res.ok) {
      throw new IsaraError(
        res.status === 404 ? "not_found" : "unavailable",
        `spec.domain.url: ${base}/${file} answered HTTP ${res.status}; the URL must name a folder holding ${FILES.join(", ")}`,
      );
    }
    read[file] = new Uint8Array(await res.arrayBuffer());
  }
  return decoded(read, base);
}

/**
 * The texts of the domain `ref` points to, for a run in `namespace`.
 * @throws IsaraError `not_found` (no such ConfigMap, file or URL), `invalid_argument` (a ConfigMap
 *   without a file, a path outside the volume, a file that is not UTF-8), `failed_precondition` (no
 *   domains volume), `unavailable` (a read that may work later); each message names the field and the fix.
 */
export async function readDomainReference(
  ref: DomainReference,
  namespace: string,
  sources: DomainReferenceSources,
): Promise<DomainTexts> {
  if (ref.configMap !== undefined) return fromConfigMap(sources, namespace, ref.configMap.name);
  if (ref.url !== undefined) return fromUrl(sources, ref.url);
  if (ref.path !== undefined) return fromPath(sources.domainsDir, ref.path);
  if (sources.domainsDir === undefined) {
    throw new IsaraError(
      "failed_precondition",
      `spec.domain names no configMap, path or url, and this controller has no registered domains (DOMAINS_DIR is not set); point spec.domain at the domain's files`,
    );
  }
  return fromPath(sources.domainsDir, ref.name);
}
