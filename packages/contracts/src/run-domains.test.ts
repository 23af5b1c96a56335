import assert from "node:assert/strict";
import { test } from "node:test";
import { type ArtifactStore, isIsaraError } from "@isara/core";
import { createRunDomains } from "./run-domains.js";
import { runArtifacts } from "./run-folder.js";

const FIXTURE_DOMAIN = "myths";

const seeds = Array.from({ length: 8 }, (_, i) =>
  JSON.stringify({
    prompt: `Is myth number ${i} true?`,
    response: `No, myth number ${i} is false because of reason ${i}.`,
  }),
).join("\n");
const evalItems = JSON.stringify({ id: "e1", prompt: "Do we use only 10% of our brains?", correct: ["No."] });

/** Writes the domain snapshot of `run` as the controller does when the run starts. */
async function writeFixtureRun(
  artifacts: ArtifactStore,
  run: string,
  config: Record<string, unknown> = { name: FIXTURE_DOMAIN },
): Promise<void> {
  const keys = runArtifacts(run);
  await artifacts.write(keys.domainConfig, JSON.stringify(config));
  await artifacts.write(keys.domainSeeds, `${seeds}\n`);
  await artifacts.write(keys.domainEval, `${evalItems}\n`);
}

/** An in-memory artifact store that counts reads per key. */
function countingStore(): ArtifactStore & { reads(key: string): number } {
  const data = new Map<string, Uint8Array>();
  const reads = new Map<string, number>();
  return {
    write: async (key, value) =>
      void data.set(key, typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value)),
    read: async (key) => {
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return data.get(key);
    },
    exists: async (key) => data.has(key),
    locate: (key) => `/memory/${key}`,
    reads: (key) => reads.get(key) ?? 0,
  };
}

test("a run's snapshot is read once, however many rounds ask", async () => {
  const artifacts = countingStore();
  await writeFixtureRun(artifacts, "run-a", { name: FIXTURE_DOMAIN, filter: { minWords: 3 } });
  const domains = createRunDomains(artifacts);
  const [first, second] = await Promise.all([
    domains.get("run-a", FIXTURE_DOMAIN),
    domains.get("run-a", FIXTURE_DOMAIN),
  ]);
  const third = await domains.get("run-a", FIXTURE_DOMAIN);
  assert.equal(first.config.filter.minWords, 3);
  assert.equal(second, first);
  assert.equal(third, first);
  assert.equal(artifacts.reads(runArtifacts("run-a").domainConfig), 1);
});

test("a failed read is not kept, and another domain's name is refused, not answered from the cache", async () => {
  const artifacts = countingStore();
  const domains = createRunDomains(artifacts);
  await assert.rejects(domains.get("run-late", FIXTURE_DOMAIN), (err) => isIsaraError(err, "not_found"));
  await writeFixtureRun(artifacts, "run-late");
  assert.equal((await domains.get("run-late", FIXTURE_DOMAIN)).config.name, FIXTURE_DOMAIN);
  await assert.rejects(domains.get("run-late", "other-domain"), (err) =>
    isIsaraError(err, "invalid_argument"),
  );
});

test("keeps at most `capacity` runs, dropping the least recently used", async () => {
  const artifacts = countingStore();
  for (const run of ["run-1", "run-2", "run-3"]) await writeFixtureRun(artifacts, run);
  const domains = createRunDomains(artifacts, { capacity: 2 });
  await domains.get("run-1", FIXTURE_DOMAIN);
  await domains.get("run-2", FIXTURE_DOMAIN);
  await domains.get("run-1", FIXTURE_DOMAIN);
  await domains.get("run-3", FIXTURE_DOMAIN);
  await domains.get("run-1", FIXTURE_DOMAIN);
  await domains.get("run-2", FIXTURE_DOMAIN);
  const reads = (run: string) => artifacts.reads(runArtifacts(run).domainConfig);
  assert.deepEqual([reads("run-1"), reads("run-2"), reads("run-3")], [1, 2, 1]);
});
