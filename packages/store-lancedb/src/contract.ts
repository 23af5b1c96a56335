import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { isIsaraError, type Lineage, type Sample, sampleId, type VectorStore } from "@isara/core";

/** Builds a fresh, empty store for `dimension`-d vectors; each case gets its own. */
export type MakeVectorStore = (dimension: number) => Promise<VectorStore>;

/** Extra hooks for {@link vectorStoreContract}. */
export interface VectorStoreContractOptions {
  /** Runs once after all cases (e.g. removes temp folders or test collections). */
  readonly cleanup?: () => Promise<void>;
}

const DIM = 4;

const lineage = (n: number): Lineage => ({
  promptDemos: [{ id: `demo-${n}`, setIndex: 0, score: null }],
  answerDemos: [{ id: `demo-${n + 1}`, setIndex: 1, score: 0.25 * n }],
  promptTemplateVersion: "v1",
  generatorModel: "tiny-model+round-1",
  verdicts: [{ filter: "rouge-l", accepted: true, reason: `ROUGE-L 0.${n} <= 0.7`, score: n / 10 }],
  ...(n % 2 === 0 ? { trainedBy: "train-round-1" } : {}),
});

/** A sample of `run` at (round, setIndex, slot), with a deterministic id and a distinct lineage. */
function sample(run: string, round: number, slot: number, setIndex = round): Sample {
  return {
    id: sampleId(run, round, slot),
    run,
    domain: "truthfulqa",
    round,
    setIndex,
    slot,
    prompt: `prompt ${run} r${round} s${slot} — "quoted" 'single' ünïcode`,
    response: `response ${slot}`,
    lineage: lineage(slot),
  };
}

const vec = (...xs: number[]) => Float32Array.from(xs);
const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
};
/** Samples as JSON would carry them (drops `undefined` fields), for comparing what comes back. */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
const invalid = (err: unknown) => isIsaraError(err, "invalid_argument");

/**
 * The behaviour every VectorStore adapter must show, as node:test cases: idempotent upserts by id,
 * lineage kept whole, cosine scores (independent of vector length), filters by run, set and round
 * that treat run names literally, deleting one run's samples and nothing else, listing in (setIndex, slot) order, and clear errors for vectors
 * of the wrong dimension. LanceDB runs it here; the Qdrant adapter runs the same cases, so both
 * wirings of ISARA select the same demos from the same data.
 */
export function vectorStoreContract(
  name: string,
  makeStore: MakeVectorStore,
  options: VectorStoreContractOptions = {},
): void {
  describe(`VectorStore contract: ${name}`, () => {
    const open: VectorStore[] = [];
    const fresh = async () => {
      const store = await makeStore(DIM);
      open.push(store);
      return store;
    };
    after(async () => {
      for (const store of open) await store.close();
      await options.cleanup?.();
    });

    it("lists what was upserted, lineage intact, in (setIndex, slot) order", async () => {
      const store = await fresh();
      const samples = [
        sample("r", 1, 2),
        sample("r", 0, 1),
        sample("r", 1, 0),
        sample("r", 0, 0),
        sample("r", 2, 0),
      ];
      await store.upsert(
        samples,
        samples.map((_, i) => vec(1, i, 0, 0)),
      );
      const listed = await store.list({ run: "r" });
      assert.deepEqual(
        listed.map((s) => [s.setIndex, s.slot]),
        [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 2],
          [2, 0],
        ],
      );
      const byId = new Map(samples.map((s) => [s.id, s]));
      for (const s of listed) assert.deepEqual(plain(s), plain(byId.get(s.id)));
    });

    it("upserts idempotently by id: a retry replaces, never duplicates", async () => {
      const store = await fresh();
      const first = [sample("r", 1, 0), sample("r", 1, 1)];
      await store.upsert(first, [vec(1, 0, 0, 0), vec(0, 1, 0, 0)]);
      await store.upsert(first, [vec(1, 0, 0, 0), vec(0, 1, 0, 0)]);
      const changed = { ...sample("r", 1, 1), response: "a better answer" };
      await store.upsert([changed], [vec(0, 0, 1, 0)]);
      const listed = await store.list({ run: "r" });
      assert.equal(listed.length, 2);
      assert.equal(listed[1]?.response, "a better answer");
      const [best] = await store.search(vec(0, 0, 1, 0), 1, { run: "r" });
      assert.equal(best?.sample.id, changed.id, "the replaced vector is the one searched");
    });

    it("keeps the last copy when one upsert repeats an id", async () => {
      const store = await fresh();
      const a = sample("r", 1, 0);
      await store.upsert([a, { ...a, prompt: "second copy" }], [vec(1, 0, 0, 0), vec(0, 1, 0, 0)]);
      assert.deepEqual(
        (await store.list({ run: "r" })).map((s) => s.prompt),
        ["second copy"],
      );
    });

    it("returns the k nearest by cosine similarity, best first, with the cosine as score", async () => {
      const store = await fresh();
      const vectors = [
        vec(1, 0, 0, 0),
        vec(1, 1, 0, 0),
        vec(0, 1, 0, 0),
        vec(-1, 0, 0, 0),
        vec(1, 0.1, 0.1, 0),
      ];
      // Lengths differ on purpose: cosine ranks by angle, where L2 or dot product would not.
      const scaled = vectors.map((v, i) => v.map((x) => x * (i + 1) * 3));
      const samples = vectors.map((_, i) => sample("r", 1, i));
      await store.upsert(samples, scaled);
      const query = vec(1, 0.1, 0.1, 0);
      const hits = await store.search(query, 3, { run: "r" });
      assert.deepEqual(
        hits.map((h) => h.sample.slot),
        [4, 0, 1],
      );
      hits.forEach((h) => {
        const expected = cosine(query, scaled[h.sample.slot] ?? vec());
        assert.ok(Math.abs(h.score - expected) < 1e-4, `score ${h.score} is the cosine ${expected}`);
      });
      assert.deepEqual(plain(hits[0]?.sample), plain(samples[4]));
      const all = await store.search(query, 10, { run: "r" });
      assert.equal(all.length, 5, "k beyond the matches returns every match");
      assert.ok(
        Math.abs((all[4]?.score ?? 0) - cosine(query, vec(-1, 0, 0, 0))) < 1e-4,
        "an opposite vector scores about -1",
      );
      assert.deepEqual(await store.search(query, 0, { run: "r" }), []);
    });

    it("filters search and list by run, set and round", async () => {
      const store = await fresh();
      const samples = [
        sample("a", 0, 0),
        sample("a", 0, 1),
        sample("a", 1, 0),
        sample("a", 2, 0),
        sample("a", 2, 1, 1),
        sample("b", 0, 0),
        sample("b", 1, 0),
      ];
      await store.upsert(
        samples,
        samples.map(() => vec(1, 0, 0, 0)),
      );
      const ids = (xs: readonly Sample[]) => xs.map((s) => `${s.run}:${s.round}/${s.setIndex}/${s.slot}`);
      assert.deepEqual(ids(await store.list({ run: "b" })), ["b:0/0/0", "b:1/1/0"]);
      assert.deepEqual(ids(await store.list({ run: "a", setIndex: 1 })), ["a:1/1/0", "a:2/1/1"]);
      assert.deepEqual(ids(await store.list({ run: "a", round: 2 })), ["a:2/1/1", "a:2/2/0"]);
      assert.deepEqual(ids(await store.list({ run: "a", round: 2, setIndex: 2 })), ["a:2/2/0"]);
      assert.deepEqual(await store.list({ run: "c" }), []);
      const hits = await store.search(vec(1, 0, 0, 0), 10, { run: "a", setIndex: 0 });
      assert.deepEqual(hits.map((h) => h.sample.slot).sort(), [0, 1]);
      assert.ok(hits.every((h) => h.sample.run === "a" && h.sample.setIndex === 0));
    });

    it("treats run names literally: quotes and SQL in a name match only that run", async () => {
      const store = await fresh();
      const runs = ["o'brien", "x' OR '1'='1", "back\\slash", 'dq"', "%_*", "a"];
      const samples = runs.map((run) => sample(run, 0, 0));
      await store.upsert(
        samples,
        samples.map(() => vec(0, 0, 0, 1)),
      );
      for (const run of runs) {
        assert.deepEqual(
          (await store.list({ run })).map((s) => s.run),
          [run],
          `run ${run}`,
        );
        const hits = await store.search(vec(0, 0, 0, 1), 10, { run });
        assert.deepEqual(
          hits.map((h) => h.sample.run),
          [run],
        );
      }
      assert.deepEqual(await store.list({ run: "x" }), []);
    });

    it("lists every match, not a first page", async () => {
      const store = await fresh();
      const samples = Array.from({ length: 60 }, (_, i) => sample("big", 1, i));
      await store.upsert(
        samples,
        samples.map((_, i) => vec(1, i, 0, 0)),
      );
      const listed = await store.list({ run: "big" });
      assert.deepEqual(
        listed.map((s) => s.slot),
        samples.map((s) => s.slot),
      );
    });

    it("deletes one run's samples, leaving every other run whole", async () => {
      const store = await fresh();
      const samples = [
        sample("gone", 0, 0),
        sample("gone", 1, 0),
        sample("gone", 1, 1),
        sample("kept", 0, 0),
        sample("gone'", 0, 0),
      ];
      await store.upsert(
        samples,
        samples.map(() => vec(1, 0, 0, 0)),
      );
      assert.equal(await store.deleteRun("gone"), 3);
      assert.deepEqual(await store.list({ run: "gone" }), []);
      assert.deepEqual(await store.search(vec(1, 0, 0, 0), 10, { run: "gone" }), []);
      assert.deepEqual(
        (await store.list({ run: "kept" })).map((s) => s.id),
        [sampleId("kept", 0, 0)],
      );
      assert.equal((await store.list({ run: "gone'" })).length, 1, "a run whose name extends it stays");
      assert.equal(await store.deleteRun("gone"), 0, "deleting again finds nothing and is no error");
      await store.upsert([sample("gone", 2, 0)], [vec(0, 1, 0, 0)]);
      assert.deepEqual(
        (await store.list({ run: "gone" })).map((s) => s.round),
        [2],
        "a run id can be used again after its deletion",
      );
      await assert.rejects(store.deleteRun(""), invalid);
    });

    it("searches an empty store without error", async () => {
      const store = await fresh();
      assert.deepEqual(await store.search(vec(1, 0, 0, 0), 5, { run: "none" }), []);
      assert.deepEqual(await store.list({ run: "none" }), []);
    });

    it("refuses vectors of the wrong dimension and mismatched inputs, storing nothing", async () => {
      const store = await fresh();
      const s = sample("r", 1, 0);
      await assert.rejects(store.upsert([s], [vec(1, 0, 0)]), invalid);
      await assert.rejects(
        store.upsert([s, sample("r", 1, 1)], [vec(1, 0, 0, 0), vec(1, 0, 0, 0, 0)]),
        invalid,
      );
      await assert.rejects(store.upsert([s], []), invalid);
      await assert.rejects(store.upsert([s], [vec(1, Number.NaN, 0, 0)]), invalid);
      await assert.rejects(store.search(vec(1, 0, 0, 0, 0), 1, { run: "r" }), invalid);
      await assert.rejects(store.search(vec(1, 0, 0, 0), -1, { run: "r" }), invalid);
      await assert.rejects(store.search(vec(1, 0, 0, 0), 1, { run: "r", setIndex: 1.5 }), invalid);
      await assert.rejects(store.list({ run: "" }), invalid);
      assert.deepEqual(await store.list({ run: "r" }), []);
    });
  });
}
