/**
 * A filter added the registry way (one file, shouting-filter-for-tests.ts, and one registry line
 * below) is run by both modes from the same domain.json: by the embedded mode's filter step
 * (`@isara/core/pipeline`'s `filterStep` over a LanceDB store, as `isara run` calls it) and by this
 * service's handler (over the real retrieval service), with the same verdicts. No Kafka needed.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeTopicMessage, sampleFromWire, TOPICS } from "@isara/contracts";
import {
  type ArtifactStore,
  type Embedder,
  FILTER_REGISTRY,
  isIsaraError,
  parseDomainFiles,
  type Sample,
  seedSamples,
} from "@isara/core";
import { type Candidate, filterStep } from "@isara/core/pipeline";
import type { StageJob } from "@isara/kafka-kit";
import { createMetrics, createRootLogger } from "@isara/kit";
import { FsArtifactStore } from "@isara/store-fs";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import {
  FIXTURE_DOMAIN,
  FIXTURE_GENERATOR,
  fixtureCandidates,
  fixtureDomainTexts,
  fixtureFilterWork,
  writeCandidates,
  writeFixtureRun,
} from "../testing/filter-fixture.js";
import { shoutingFilter } from "../testing/shouting-filter-for-tests.js";
import { createFilterWorkHandler } from "./filter-work-handler.js";
import { createRetrievalClient, type RetrievalClient } from "./retrieval-client.js";
import { createFilteringMetrics } from "./service-metrics.js";

/** The registry line: core's filters and the new one. */
const registry = [...FILTER_REGISTRY, shoutingFilter];

/** One domain.json for both modes: a chain of two core filters and the new one, in this order. */
const DOMAIN_JSON = {
  name: FIXTURE_DOMAIN,
  filters: [{ name: "exact-duplicate" }, { name: "shouting", maxCapitals: 2 }, { name: "min-words" }],
};

/** The fixture round, with slot 0's answer shouting (5 capitals). */
function shoutingRound(run: string): Sample[] {
  return fixtureCandidates(run).map((c) =>
    c.slot === 0 ? { ...c, response: "They LOOK for two sources and read past the headline first." } : c,
  );
}

/** The filter names of every verdict, and the rejecting ones, per slot. */
function verdictsBySlot(samples: readonly Sample[]) {
  return [...samples]
    .sort((a, b) => a.slot - b.slot)
    .map((s) => ({
      slot: s.slot,
      chain: s.lineage.verdicts.map((v) => v.filter),
      rejectedBy: s.lineage.verdicts.filter((v) => !v.accepted).map((v) => v.filter),
    }));
}

const EXPECTED = [
  // Rejected by the new filter; so slot 1, the same prompt, is no longer a copy of an accepted one.
  { slot: 0, rejectedBy: ["shouting"] },
  { slot: 1, rejectedBy: [] },
  { slot: 2, rejectedBy: ["min-words"] },
  // rouge-l and answer-in-prompt are not in this chain: slots 3 and 4 pass.
  { slot: 3, rejectedBy: [] },
  { slot: 4, rejectedBy: [] },
  { slot: 5, rejectedBy: [] },
].map((e) => ({ ...e, chain: ["exact-duplicate", "shouting", "min-words"] }));

/** The embedded side's embedder: any fixed vectors do, no filter reads them. */
const embedder: Embedder = {
  modelId: "fixed-vectors",
  dimension: 4,
  embed: async (texts) => texts.map((t) => Float32Array.from([1, t.length % 7, 0, 1])),
  close: async () => {},
};

const stageJob = (): StageJob => ({
  signal: new AbortController().signal,
  logger: createRootLogger({ level: "silent", name: "filtering" }),
  attempt: 1,
  source: { topic: TOPICS.filterWork.name, partition: 0, offset: "0" },
});

describe("a filter added with one file and one registry line", () => {
  let dir: string;
  let artifacts: ArtifactStore;
  let retrieval: RetrievalServiceForTests;
  let client: RetrievalClient;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "isara-filter-registry-"));
    artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
    retrieval = await startRetrievalService();
    client = createRetrievalClient({ address: retrieval.address, timeoutMs: 10_000 });
  });

  after(async () => {
    client?.close();
    await retrieval?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("is applied by the embedded mode's filter step", async () => {
    const domain = parseDomainFiles(fixtureDomainTexts(DOMAIN_JSON), {}, { filters: registry });
    const store = await openLanceVectorStore({ dir: join(dir, "lancedb"), dimension: embedder.dimension });
    try {
      const run = "run-embedded";
      const candidates = shoutingRound(run).map(
        (s): Candidate => ({
          slot: s.slot,
          prompt: s.prompt,
          response: s.response,
          promptDemos: s.lineage.promptDemos,
          answerDemos: s.lineage.answerDemos,
          truncated: false,
        }),
      );
      const result = await filterStep(
        {
          run,
          domain: domain.config.name,
          config: domain.config,
          round: 1,
          candidates,
          earlier: seedSamples(run, domain.config.name, domain.seeds),
          generatorModel: FIXTURE_GENERATOR,
          filterRegistry: registry,
        },
        { embedder, store },
      );
      assert.deepEqual(verdictsBySlot([...result.accepted, ...result.rejected]), EXPECTED);
      assert.deepEqual(result.report.rejectedBy, { "exact-duplicate": 0, shouting: 1, "min-words": 1 });
    } finally {
      await store.close();
    }
  });

  test("is applied by the filtering service's handler, from the run's domain snapshot", async () => {
    const run = "run-distributed";
    await writeFixtureRun(artifacts, run, DOMAIN_JSON);
    await writeCandidates(artifacts, run, shoutingRound(run));
    const handle = createFilterWorkHandler({
      artifacts,
      retrieval: client,
      metrics: createFilteringMetrics(createMetrics()),
      filterRegistry: registry,
    });
    const out = (await handle(fixtureFilterWork(run), stageJob())).map((m) =>
      decodeTopicMessage(TOPICS.sampleJudged, m.value),
    );
    const samples = out.map((m) => sampleFromWire(m.sample ?? assert.fail("no sample")));
    assert.deepEqual(verdictsBySlot(samples), EXPECTED);
    assert.deepEqual(
      out.map((m) => m.accepted),
      EXPECTED.map((e) => e.rejectedBy.length === 0),
    );
    const shouted = samples[0]?.lineage.verdicts.find((v) => v.filter === "shouting");
    assert.deepEqual(shouted, { filter: "shouting", accepted: false, reason: "5 capitals > 2", score: 5 });
  });

  test("without the registry line, the run's domain.json is refused as poison, naming the filter", async () => {
    const run = "run-unregistered";
    await writeFixtureRun(artifacts, run, DOMAIN_JSON);
    await writeCandidates(artifacts, run, shoutingRound(run));
    const handle = createFilterWorkHandler({
      artifacts,
      retrieval: client,
      metrics: createFilteringMetrics(createMetrics()),
    });
    await assert.rejects(handle(fixtureFilterWork(run), stageJob()), (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /"filters\[1\]\.name" is "shouting", which is not a registered filter/);
      return true;
    });
  });
});
