import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runArtifacts } from "@isara/contracts";
import { type Sample, sampleId } from "@isara/core";
import { AUTH, domainBody, type GatewayFixture, seedPairs, startGateway } from "./gateway-fixture.js";
import type { SampleView } from "./sample-pages.js";

let fx: GatewayFixture;
const RUN = "acme--lineage";

interface Page {
  samples: SampleView[];
  nextCursor: string | null;
}

/** A round-1 sample as the filtering service writes it: demos, verdicts and their reasons. */
function generated(slot: number, accepted: boolean): Sample {
  return {
    id: sampleId(RUN, 1, slot),
    run: RUN,
    domain: "habits",
    round: 1,
    setIndex: 1,
    slot,
    prompt: `Generated question ${slot}: how do I keep a habit going?`,
    response: `Generated answer ${slot}: start small and repeat it daily.`,
    lineage: {
      promptDemos: [{ id: sampleId(RUN, 0, 2), setIndex: 0, score: null }],
      answerDemos: [{ id: sampleId(RUN, 0, 5), setIndex: 0, score: 0.83 }],
      promptTemplateVersion: "isara-conv-v1",
      generatorModel: "smollm2",
      verdicts: [
        { filter: "exact-duplicate", accepted: true, reason: "prompt is new" },
        accepted
          ? { filter: "rouge-l", accepted: true, reason: "ROUGE-L 0.21 <= 0.7", score: 0.21 }
          : {
              filter: "rouge-l",
              accepted: false,
              reason: "ROUGE-L 0.82 > 0.7 against demo sd-3",
              score: 0.82,
            },
      ],
    },
  };
}

const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

before(async () => {
  fx = await startGateway();
  await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: AUTH.acme,
    payload: domainBody("habits"),
  });
  const run = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs",
    headers: AUTH.acme,
    payload: { domain: "habits", runId: "lineage" },
  });
  assert.equal(run.statusCode, 201);
  const keys = runArtifacts(RUN);
  await fx.artifacts.write(keys.accepted(1), jsonl([0, 1, 3].map((slot) => generated(slot, true))));
  await fx.artifacts.write(keys.rejected(1), jsonl([2, 4].map((slot) => generated(slot, false))));
  fx.controller.update(RUN, { round: 1 });
});
after(() => fx.close());

async function page(query: string): Promise<Page> {
  const res = await fx.app.server.inject({
    method: "GET",
    url: `/v1/runs/lineage/samples${query}`,
    headers: AUTH.acme,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Page;
}

test("all samples: the seeds (round 0), then round 1's accepted, then its rejected, with lineage", async () => {
  const { samples, nextCursor } = await page("");
  assert.equal(nextCursor, null);
  assert.deepEqual(
    samples.map((s) => [s.round, s.slot, s.accepted]),
    [
      ...seedPairs().map((_, slot) => [0, slot, true]),
      [1, 0, true],
      [1, 1, true],
      [1, 3, true],
      [1, 2, false],
      [1, 4, false],
    ],
  );
  const seed = samples[0];
  assert.equal(seed?.id, sampleId(RUN, 0, 0), "seed ids are the ones every service derives");
  assert.equal(seed?.prompt, seedPairs()[0]?.prompt);
  assert.equal(seed?.lineage.generatorModel, "human");
  const rejected = samples.find((s) => !s.accepted);
  assert.deepEqual(rejected?.lineage, {
    promptDemos: [{ id: sampleId(RUN, 0, 2), setIndex: 0, score: null }],
    answerDemos: [{ id: sampleId(RUN, 0, 5), setIndex: 0, score: 0.83 }],
    promptTemplateVersion: "isara-conv-v1",
    generatorModel: "smollm2",
    verdicts: [
      { filter: "exact-duplicate", accepted: true, reason: "prompt is new", score: null },
      { filter: "rouge-l", accepted: false, reason: "ROUGE-L 0.82 > 0.7 against demo sd-3", score: 0.82 },
    ],
    trainedBy: null,
  });
});

test("filters: one round, accepted only, rejected only", async () => {
  assert.deepEqual(
    (await page("?round=1&accepted=false")).samples.map((s) => s.slot),
    [2, 4],
  );
  assert.deepEqual(
    (await page("?round=1&accepted=true")).samples.map((s) => s.slot),
    [0, 1, 3],
  );
  assert.equal((await page("?round=0")).samples.length, 8);
  assert.equal((await page("?accepted=false")).samples.length, 2);
  assert.deepEqual((await page("?round=7")).samples, [], "a round not reached yet has no samples");
});

test("pages of 3 walk every sample exactly once, across files", async () => {
  const all = (await page("")).samples.map((s) => s.id);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const next: Page = await page(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
    assert.ok(next.samples.length <= 3);
    seen.push(...next.samples.map((s) => s.id));
    cursor = next.nextCursor;
    pages++;
  } while (cursor !== null && pages < 20);
  assert.deepEqual(seen, all);
});

test("bad queries are 400 naming the parameter", async () => {
  for (const [query, pattern] of [
    ["?accepted=maybe", /query parameter "accepted" must be true or false, got "maybe"/],
    ["?round=-1", /query parameter "round" must be at least 0/],
    ["?limit=501", /query parameter "limit" must be at most 500/],
    ["?cursor=eyJyIjo5LCJhIjoxLCJpIjowfQ", /cursor is not one this list issued/],
  ] as const) {
    const res = await fx.app.server.inject({
      method: "GET",
      url: `/v1/runs/lineage/samples${query}`,
      headers: AUTH.acme,
    });
    assert.equal(res.statusCode, 400, query);
    assert.match((res.json() as { error: { message: string } }).error.message, pattern);
  }
});
