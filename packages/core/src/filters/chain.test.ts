import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { candidate } from "../../testing/filters/candidate.fixture.js";
import { isIsaraError } from "../errors.js";
import { runFilterChain } from "./chain.js";
import { createExactDuplicateFilter } from "./exact-duplicate.js";
import type { CandidateFilter, Filter, FilterCandidate, RoundFilter } from "./filter.js";
import { createMinWordsFilter } from "./min-words.js";

/** An async candidate-scope filter that answers later for lower slots, so completion order is reversed. */
function slowFilter(name: string, reject: (c: FilterCandidate) => boolean, total: number): CandidateFilter {
  return {
    name,
    scope: "candidate",
    async check(c) {
      await sleep((total - c.slot) * 2);
      return reject(c)
        ? { accepted: false, reason: `slot ${c.slot} rejected`, score: c.slot }
        : { accepted: true, reason: "ok" };
    },
  };
}

test("evaluates every filter for every candidate and keeps verdicts in filter order", async () => {
  const results = await runFilterChain(
    [candidate(0, { prompt: "Too short?", response: "No." })],
    [createMinWordsFilter(5), createExactDuplicateFilter(), slowFilter("judge", () => true, 1)],
    { earlier: [] },
  );
  const [only] = results;
  assert.deepEqual(
    only?.verdicts.map((v) => [v.filter, v.accepted]),
    [
      ["min-words", false],
      ["exact-duplicate", true],
      ["judge", false],
    ],
  );
  assert.equal(only?.accepted, false);
  assert.equal(only?.verdicts[2]?.score, 0);
});

test("gives the same verdicts whatever order async filters finish in", async () => {
  const prompt = "How can I keep my bicycle chain from rusting?";
  const candidates = [5, 3, 0, 4, 1, 2].map((slot) => candidate(slot, { prompt }));
  const filters: Filter[] = [slowFilter("judge", (c) => c.slot % 2 === 0, 6), createExactDuplicateFilter()];
  const first = await runFilterChain(candidates, filters, { earlier: [] }, { concurrency: 6 });
  const second = await runFilterChain(
    [...candidates].reverse(),
    filters,
    { earlier: [] },
    { concurrency: 1 },
  );
  assert.deepEqual(first, second);
  // Even slots fail the judge; slot 1 is the first to pass everything, so 3 and 5 are its copies.
  assert.deepEqual(
    first.map((r) => [r.candidate.slot, r.accepted]),
    [
      [0, false],
      [1, true],
      [2, false],
      [3, false],
      [4, false],
      [5, false],
    ],
  );
  assert.match(String(first[3]?.verdicts[1]?.reason), /same prompt as slot 1/);
});

test("runs candidate-scope filters at most `concurrency` candidates at a time", async () => {
  let inFlight = 0;
  let most = 0;
  const counting: CandidateFilter = {
    name: "counting",
    scope: "candidate",
    async check() {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(1);
      inFlight--;
      return { accepted: true, reason: "ok" };
    },
  };
  const candidates = Array.from({ length: 10 }, (_, i) => candidate(i));
  await runFilterChain(candidates, [counting], { earlier: [] }, { concurrency: 3 });
  assert.equal(most, 3);
});

test("round-scope filters see only earlier accepted candidates, in slot order", async () => {
  const seen: number[][] = [];
  const recorder: RoundFilter = {
    name: "recorder",
    scope: "round",
    async check(c, view) {
      seen.push(view.accepted.map((a) => a.slot));
      return { accepted: c.slot !== 1, reason: "recorded" };
    },
  };
  await runFilterChain([candidate(2), candidate(0), candidate(1)], [recorder], { earlier: [] });
  assert.deepEqual(seen, [[], [0], [0]]);
});

test("refuses candidates that share a slot or have an invalid one", async () => {
  await assert.rejects(
    runFilterChain([candidate(1), candidate(1)], [], { earlier: [] }),
    (err) => isIsaraError(err, "invalid_argument") && /two candidates have slot 1/.test(err.message),
  );
  await assert.rejects(
    runFilterChain([candidate(-1)], [], { earlier: [] }),
    (err) => isIsaraError(err, "invalid_argument") && /non-negative integer, got -1/.test(err.message),
  );
});

test("refuses two filters with the same name and a bad concurrency", async () => {
  await assert.rejects(
    runFilterChain([candidate(0)], [createMinWordsFilter(1), createMinWordsFilter(2)], { earlier: [] }),
    (err) => isIsaraError(err, "invalid_argument") && /two filters are named "min-words"/.test(err.message),
  );
  await assert.rejects(
    runFilterChain([candidate(0)], [], { earlier: [] }, { concurrency: 0 }),
    (err) => isIsaraError(err, "invalid_argument") && /concurrency/.test(err.message),
  );
});

test("a failing filter rejects the whole call, and an abort stops it", async () => {
  const failing: CandidateFilter = {
    name: "judge",
    scope: "candidate",
    async check() {
      throw new Error("judge backend unavailable");
    },
  };
  await assert.rejects(
    runFilterChain([candidate(0)], [failing], { earlier: [] }),
    /judge backend unavailable/,
  );
  const controller = new AbortController();
  controller.abort(new Error("run cancelled"));
  await assert.rejects(
    runFilterChain([candidate(0)], [createMinWordsFilter(5)], { earlier: [] }, { signal: controller.signal }),
    /run cancelled/,
  );
});

test("an empty round gives no results", async () => {
  assert.deepEqual(await runFilterChain([], [createExactDuplicateFilter()], { earlier: [] }), []);
});
