import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ArtifactStore, IsaraError } from "@isara/core";
import { loadRunDomain } from "./run-domain.js";
import { runArtifacts } from "./run-folder.js";

/** An in-memory artifact store (test double for the shared volume). */
function memoryStore(files: Record<string, string>): ArtifactStore {
  const data = new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]));
  return {
    write: async (key, value) =>
      void data.set(key, typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value)),
    read: async (key) => data.get(key),
    exists: async (key) => data.has(key),
    locate: (key) => `/memory/${key}`,
  };
}

const seeds = Array.from({ length: 8 }, (_, i) =>
  JSON.stringify({
    prompt: `Is myth number ${i} true?`,
    response: `No, myth number ${i} is false because of reason ${i}.`,
  }),
).join("\n");
const evalItems = JSON.stringify({ id: "e1", prompt: "Do we use only 10% of our brains?", correct: ["No."] });

function snapshot(run: string, name: string): Record<string, string> {
  const keys = runArtifacts(run);
  return {
    [keys.domainConfig]: JSON.stringify({ name }),
    [keys.domainSeeds]: `${seeds}\n`,
    [keys.domainEval]: `${evalItems}\n`,
  };
}

describe("loadRunDomain", () => {
  it("reads and validates the run's snapshot", async () => {
    const domain = await loadRunDomain(memoryStore(snapshot("r1", "myths")), "r1", "myths");
    assert.equal(domain.config.name, "myths");
    assert.equal(domain.seeds.length, 8);
    assert.equal(domain.eval.length, 1);
  });

  it("says which file is missing and why that usually happens (not_found)", async () => {
    const files = snapshot("r1", "myths");
    delete files[runArtifacts("r1").domainSeeds];
    await assert.rejects(loadRunDomain(memoryStore(files), "r1", "myths"), (err: unknown) => {
      assert.ok(err instanceof IsaraError);
      assert.equal(err.code, "not_found");
      assert.match(err.message, /seeds\.jsonl.*is the run id right\?/);
      return true;
    });
  });

  it("names every missing file in a fixed order, whichever read ends first (an unknown run)", async () => {
    const keys = runArtifacts("nobody");
    // A store that answers the later files first, as a busy disk may.
    const slowFirst: ArtifactStore = {
      ...memoryStore({}),
      read: async (key) => {
        await new Promise((resolve) => setTimeout(resolve, key === keys.domainConfig ? 20 : 0));
        return undefined;
      },
    };
    await assert.rejects(loadRunDomain(slowFirst, "nobody", "myths"), (err: unknown) => {
      assert.ok(err instanceof IsaraError);
      assert.equal(err.code, "not_found");
      assert.match(
        err.message,
        /^run nobody has no nobody\/domain\/domain\.json, nobody\/domain\/seeds\.jsonl, nobody\/domain\/eval\.jsonl in/,
      );
      return true;
    });
  });

  it("refuses a snapshot of another domain than the work names (invalid_argument)", async () => {
    await assert.rejects(
      loadRunDomain(memoryStore(snapshot("r1", "myths")), "r1", "recipes"),
      /run r1 is a run of domain "myths", but the work names domain "recipes"/,
    );
  });

  it("refuses seeds that do not validate, naming the file", async () => {
    const files = { ...snapshot("r1", "myths"), [runArtifacts("r1").domainSeeds]: "not json\n" };
    await assert.rejects(loadRunDomain(memoryStore(files), "r1", "myths"), /seeds\.jsonl/);
  });
});
