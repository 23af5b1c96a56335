/**
 * Test support (not exported): small valid domains written as registered domain folders, the stores
 * of a controller over a temporary folder. Domains are tiny (8 seeds, 2 eval questions,
 * 4 prompts, 1 round) because the controller's behaviour does not depend on their size.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toJsonl } from "@isara/contracts";
import { parseRunState, type RunState, type RunStore } from "@isara/core";
import { FileRunStore, FsArtifactStore } from "@isara/store-fs";

/** The domain.json of a tiny domain named `name` (extra keys merged into `isara`). */
export function tinyConfig(name: string, isara: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, isara: { demos: 4, promptsPerRound: 4, rounds: 1, seed: 11, ...isara } };
}

/** Seeds of a tiny domain: 8 distinct pairs mentioning the domain. */
export function tinySeeds(name: string): { prompt: string; response: string }[] {
  return Array.from({ length: 8 }, (_, i) => ({
    prompt: `Question ${i + 1} about ${name}: what should a careful person know here?`,
    response: `Answer ${i + 1} about ${name}: a careful person checks the facts first.`,
  }));
}

/** Eval questions of a tiny domain. */
export function tinyEval(
  name: string,
): { id: string; prompt: string; correct: string[]; incorrect: string[] }[] {
  return [
    {
      id: "e1",
      prompt: `Is ${name} hard to learn?`,
      correct: ["It takes practice."],
      incorrect: ["Nobody can."],
    },
    { id: "e2", prompt: `Where does ${name} start?`, correct: ["With the basics."], incorrect: [] },
  ];
}

/** Writes domain `name` as a registered domain folder under `domainsDir`; `files` replaces any file's text. */
export async function writeDomain(
  domainsDir: string,
  name: string,
  files: { config?: string; seeds?: string; eval?: string } = {},
): Promise<void> {
  const dir = join(domainsDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "domain.json"), files.config ?? JSON.stringify(tinyConfig(name)));
  await writeFile(join(dir, "seeds.jsonl"), files.seeds ?? toJsonl(tinySeeds(name)));
  await writeFile(join(dir, "eval.jsonl"), files.eval ?? toJsonl(tinyEval(name)));
}

/** The artifact store and run store of a controller whose artifact root is `root`. */
export function controllerStores(root: string): { artifacts: FsArtifactStore; runStore: RunStore<RunState> } {
  return {
    artifacts: new FsArtifactStore({ root }),
    runStore: new FileRunStore({ dir: root, parse: parseRunState, layout: "folder-per-run" }),
  };
}
