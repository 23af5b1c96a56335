/**
 * Reading a run's domain snapshot (`<run>/domain/{domain.json,seeds.jsonl,eval.jsonl}`, written by the
 * controller when the run starts) back from the shared artifact store, held to the same validation as
 * the embedded mode (core's `parseDomainFiles`), so every stage of a distributed run works on exactly
 * the domain an embedded run of the same folder would. One implementation for every stage that needs
 * the domain (filtering, training-dispatch, evaluation).
 */
import {
  type ArtifactStore,
  type Domain,
  type DomainParseOptions,
  IsaraError,
  parseDomainFiles,
} from "@isara/core";
import { runArtifacts } from "./run-folder.js";

/** The file's text, or undefined when the store does not hold it; a store failure keeps its code. */
async function readText(artifacts: ArtifactStore, key: string): Promise<string | undefined> {
  const bytes = await artifacts.read(key);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/**
 * The validated domain of `run`, checked to be the domain the work names. `options.filters` is the
 * filter registry the snapshot's chain is checked against: the one the caller builds its chain from.
 * @throws IsaraError `not_found` when a snapshot file is missing (unknown run, or a snapshot not
 *   written yet); `invalid_argument` when the files do not validate or name another domain than
 *   `domain`. Both are poison for the message that asked. Store failures keep their code
 *   (`unavailable` is retried).
 */
export async function loadRunDomain(
  artifacts: ArtifactStore,
  run: string,
  domain: string,
  options: DomainParseOptions = {},
): Promise<Domain> {
  const keys = runArtifacts(run);
  const files = [keys.domainConfig, keys.domainSeeds, keys.domainEval];
  const [config, seeds, evalText] = await Promise.all(files.map((key) => readText(artifacts, key)));
  // Every missing file, in a fixed order: the message must not depend on which read finished first.
  const missing = files.filter((_, i) => [config, seeds, evalText][i] === undefined);
  if (config === undefined || seeds === undefined || evalText === undefined) {
    throw new IsaraError(
      "not_found",
      `run ${run} has no ${missing.join(", ")} in the artifact store; the controller writes the run's ` +
        "domain snapshot (domain.json, seeds.jsonl, eval.jsonl under <run>/domain/) when the run starts — " +
        "is the run id right?",
      { keys: missing },
    );
  }
  const parsed = parseDomainFiles(
    { config, seeds, eval: evalText },
    { config: keys.domainConfig, seeds: keys.domainSeeds, eval: keys.domainEval },
    options,
  );
  if (parsed.config.name !== domain) {
    throw new IsaraError(
      "invalid_argument",
      `run ${run} is a run of domain "${parsed.config.name}", but the work names domain "${domain}"`,
    );
  }
  return parsed;
}
