import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ServiceError, status } from "@grpc/grpc-js";
import type { SelectDemosResponse } from "@isara/contracts";
import { createRng, type Sample, selectRandomDemos } from "@isara/core";
import { createHashingEmbedder } from "@isara/embedder-local";
import { type Loopback, startLoopback } from "../testing/loopback-for-tests.js";
import { context, generated, seeds, wire } from "../testing/samples-for-tests.js";

const DIM = 16;
/** The unit vector at `degrees` from the first axis towards the second. */
const at = (degrees: number) => {
  const values = new Array<number>(DIM).fill(0);
  values[0] = Math.cos((degrees * Math.PI) / 180);
  values[1] = Math.sin((degrees * Math.PI) / 180);
  return { values };
};
const cos = (degrees: number) => Math.cos((degrees * Math.PI) / 180);
const perSet = (res: SelectDemosResponse) => {
  const counts = new Map<number, number>();
  for (const p of res.picks) counts.set(p.ref?.setIndex ?? -1, (counts.get(p.ref?.setIndex ?? -1) ?? 0) + 1);
  return Object.fromEntries(counts);
};

describe("SelectDemos over loopback gRPC (LanceDB, test embedder)", () => {
  let svc: Loopback;
  before(async () => {
    svc = await startLoopback(createHashingEmbedder({ dimension: DIM }));
  });
  after(() => svc.close());

  describe("random", () => {
    const run = "random-run";
    const sets: Sample[][] = [seeds(run, 10), generated(run, 1, 4), generated(run, 2, 4)];
    const random = (quotas: number[], seed: number) =>
      svc.selectDemos({ context: context(run, 3), quotas, strategy: { $case: "random", value: { seed } } });
    before(() => svc.upsert({ context: context(run), samples: wire(sets.flat()), vectors: [] }));

    it("is reproducible from the seed and picks what core's selector picks from the same sets", async () => {
      const first = await random([3, 1, 1], 1234);
      const second = await random([3, 1, 1], 1234);
      const ids = (r: SelectDemosResponse) => r.picks.map((p) => p.sample?.id);
      assert.deepEqual(ids(first), ids(second));
      const expected = selectRandomDemos(sets, [3, 1, 1], createRng(1234));
      assert.deepEqual(
        ids(first),
        expected.picks.map((p) => p.sample.id),
      );
      const others = await Promise.all([1, 2, 3, 4, 5].map((seed) => random([3, 1, 1], seed)));
      assert.ok(
        others.some((r) => JSON.stringify(ids(r)) !== JSON.stringify(ids(first))),
        "other seeds pick other demos",
      );
    });

    it("respects the quota of every set and records random picks without a score", async () => {
      const res = await random([3, 1, 1], 7);
      assert.deepEqual(perSet(res), { 0: 3, 1: 1, 2: 1 });
      for (const pick of res.picks) {
        assert.equal(pick.ref?.score, undefined, "random picks carry no score");
        assert.equal(pick.ref?.id, pick.sample?.id);
        assert.equal(pick.sample?.setIndex, pick.ref?.setIndex);
      }
      assert.equal(res.dropFrom, 2, "random picks drop from the end");
      assert.deepEqual(perSet(await random([2, 0, 9], 7)), { 0: 2, 2: 4 }, "a small set gives all it has");
    });

    it("answers FAILED_PRECONDITION when the run has no seeds stored", async () => {
      await assert.rejects(
        svc.selectDemos({
          context: context("empty-run"),
          quotas: [4],
          strategy: { $case: "random", value: { seed: 1 } },
        }),
        (err: ServiceError) =>
          err.code === status.FAILED_PRECONDITION &&
          /"empty-run" has no seed samples stored/.test(err.details),
      );
    });
  });

  describe("nearest", () => {
    const run = "nearest-run";
    const question = "What is the question?";
    // Seed 0 repeats the question (after trimming) and is the nearest of all: it must be skipped.
    const seedSet = seeds(run, 5, [`  ${question}  `, "s1", "s2", "s3", "s4"]);
    const seedAngles = [0, 10, 20, 40, 80];
    // Set 1: twelve copies of the question (more than the search asks for at first), then two others.
    const copies = Array.from({ length: 12 }, () => question);
    const set1 = generated(run, 1, 14, [...copies, "g12", "g13"]);
    const set1Angles = [...copies.map(() => 0), 30, 50];
    before(() =>
      svc.upsert({
        context: context(run),
        samples: wire([...seedSet, ...set1]),
        vectors: [...seedAngles, ...set1Angles].map(at),
      }),
    );
    const nearest = (quotas: number[]) =>
      svc.selectDemos({
        context: context(run, 2),
        quotas,
        strategy: { $case: "nearest", value: { prompt: question, vector: at(0) } },
      });

    it("takes the most similar per set, skips the exact prompt, and puts the best demo last", async () => {
      const res = await nearest([2]);
      assert.deepEqual(
        res.picks.map((p) => p.sample?.prompt),
        ["s2", "s1"],
      );
      const scores = res.picks.map((p) => p.ref?.score ?? Number.NaN);
      assert.ok(Math.abs((scores[0] ?? 0) - cos(20)) < 1e-4 && Math.abs((scores[1] ?? 0) - cos(10)) < 1e-4);
      assert.equal(res.dropFrom, 1, "nearest picks drop from the start, the least similar");
    });

    it("searches deeper when skipped hits fill the first search, so the quota is still met", async () => {
      const res = await nearest([1, 2]);
      assert.deepEqual(perSet(res), { 0: 1, 1: 2 });
      assert.deepEqual(
        res.picks.map((p) => p.sample?.prompt),
        ["g13", "g12", "s1"],
        "ordered by similarity across sets: 50°, 30°, 10°",
      );
    });

    it("embeds the prompt itself when no vector is sent", async () => {
      const res = await svc.selectDemos({
        context: context(run, 2),
        quotas: [3],
        strategy: { $case: "nearest", value: { prompt: "s3", vector: undefined } },
      });
      assert.equal(res.picks.length, 3);
      assert.ok(
        res.picks.every((p) => p.sample?.prompt !== "s3"),
        "the question's own prompt is skipped",
      );
    });
  });
});
