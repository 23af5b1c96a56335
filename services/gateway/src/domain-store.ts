/**
 * Tenants' domains on the shared artifact store, one folder each at `tenants/<tenant>/domains/<name>/`
 * holding `domain.json`, `seeds.jsonl` and `eval.jsonl`: the layout the controller reads a run's domain
 * from (`DomainRef.source`), so creating a run passes a folder, not the data. Domains are stored as
 * validated (defaults filled, fields trimmed), so what a caller reads back is what a run will use.
 *
 * `domain.json` is written last: its presence marks a complete domain, so a crash halfway through a
 * write leaves no half domain visible. Writes of one domain are serialised within this process; two
 * gateway replicas writing the same new domain at the same moment may interleave (the README says so).
 */
import { readdir } from "node:fs/promises";
import { toJsonl } from "@isara/contracts";
import { type ArtifactStore, type Domain, IsaraError, parseDomainFiles } from "@isara/core";
import { domainFolder } from "./tenant-scope.js";

/** A domain as listed: enough to choose one without reading its data. */
export interface DomainSummary {
  readonly name: string;
  readonly description: string;
  readonly seeds: number;
  readonly evalItems: number;
}

/** What {@link DomainStore.save} did. */
export type SaveOutcome = "created" | "unchanged";

interface DomainTexts {
  readonly config: string;
  readonly seeds: string;
  readonly eval: string;
}

const countLines = (text: string) => text.split("\n").filter((l) => l.trim() !== "").length;

function textsOf(domain: Domain): DomainTexts {
  return {
    config: `${JSON.stringify(domain.config, null, 2)}\n`,
    seeds: toJsonl(domain.seeds.map(({ prompt, response }) => ({ prompt, response }))),
    eval: toJsonl(
      domain.eval.map(({ id, prompt, correct, incorrect }) => ({ id, prompt, correct, incorrect })),
    ),
  };
}

/**
 * Domains per tenant on an artifact store (see the module comment). Reads and writes go through the
 * `ArtifactStore` port; the port cannot list keys, so {@link DomainStore.list} reads the folder that
 * `locate` names, which needs a store that keeps artifacts as local files (the shared volume's
 * `FsArtifactStore`).
 */
export class DomainStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly artifacts: ArtifactStore) {}

  /** Artifact folder of a tenant's domain, as `DomainRef.source` names it. */
  folder(tenant: string, name: string): string {
    return domainFolder(tenant, name);
  }

  private keys(tenant: string, name: string) {
    const folder = this.folder(tenant, name);
    return {
      config: `${folder}/domain.json`,
      seeds: `${folder}/seeds.jsonl`,
      eval: `${folder}/eval.jsonl`,
    };
  }

  private async readText(key: string): Promise<string | undefined> {
    const bytes = await this.artifacts.read(key);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  private async readTexts(tenant: string, name: string): Promise<DomainTexts | undefined> {
    const keys = this.keys(tenant, name);
    const config = await this.readText(keys.config);
    if (config === undefined) return undefined;
    return {
      config,
      seeds: (await this.readText(keys.seeds)) ?? "",
      eval: (await this.readText(keys.eval)) ?? "",
    };
  }

  /**
   * Stores a validated domain under its config name. Saving the same content again is `unchanged`
   * (a retried request is harmless).
   * @throws IsaraError `conflict` when the tenant already has a domain of that name with other content:
   *   the stored one is left exactly as it was.
   */
  async save(tenant: string, domain: Domain): Promise<SaveOutcome> {
    const name = domain.config.name;
    const lockKey = `${tenant}/${name}`;
    const previous = this.locks.get(lockKey) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.saveNow(tenant, domain));
    this.locks.set(lockKey, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(lockKey) === next) this.locks.delete(lockKey);
    }
  }

  private async saveNow(tenant: string, domain: Domain): Promise<SaveOutcome> {
    const name = domain.config.name;
    const texts = textsOf(domain);
    const existing = await this.readTexts(tenant, name);
    if (existing !== undefined) {
      const same =
        existing.config === texts.config && existing.seeds === texts.seeds && existing.eval === texts.eval;
      if (same) return "unchanged";
      throw new IsaraError(
        "conflict",
        `domain "${name}" already exists with different content; runs rely on it, so it is not replaced — give the new version another name in config.name`,
      );
    }
    const keys = this.keys(tenant, name);
    await this.artifacts.write(keys.seeds, texts.seeds);
    await this.artifacts.write(keys.eval, texts.eval);
    await this.artifacts.write(keys.config, texts.config);
    return "created";
  }

  /**
   * The tenant's domain `name`, or `undefined` when it has none of that name.
   * @throws IsaraError `internal` when the stored files no longer validate (edited by hand).
   */
  async load(tenant: string, name: string): Promise<Domain | undefined> {
    const texts = await this.readTexts(tenant, name);
    if (texts === undefined) return undefined;
    try {
      return parseDomainFiles(texts);
    } catch (err) {
      throw new IsaraError(
        "internal",
        `stored domain ${this.folder(tenant, name)} no longer validates`,
        undefined,
        {
          cause: err,
        },
      );
    }
  }

  /** The tenant's complete domains, by name. */
  async list(tenant: string): Promise<DomainSummary[]> {
    let names: string[];
    try {
      const entries = await readdir(this.artifacts.locate(`tenants/${tenant}/domains`), {
        withFileTypes: true,
      });
      names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as { code?: unknown }).code === "ENOENT") return [];
      throw err;
    }
    const summaries: DomainSummary[] = [];
    for (const name of names.sort()) {
      const texts = await this.readTexts(tenant, name);
      if (texts === undefined) continue;
      const config = JSON.parse(texts.config) as { description?: unknown };
      summaries.push({
        name,
        description: typeof config.description === "string" ? config.description : "",
        seeds: countLines(texts.seeds),
        evalItems: countLines(texts.eval),
      });
    }
    return summaries;
  }
}
