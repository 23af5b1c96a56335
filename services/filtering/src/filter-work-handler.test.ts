/**
 * The filter handler without Kafka: a real artifact folder, the real retrieval service over gRPC
 * (LanceDB, test embedder), core's paper filters through the pipeline's filter step.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  decodeTopicMessage,
  runArtifacts,
  type SampleJudged,
  sampleFromWire,
  TOPICS,
} from "@isara/contracts";
import { type ArtifactStore, isIsaraError, type Sample, sampleId } from "@isara/core";
import type { OutgoingMessage } from "@isara/kafka-kit";
import { createMetrics } from "@isara/kit";
import { FsArtifactStore } from "@isara/store-fs";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import {
  FIXTURE_SLOTS,
  fixtureCandidates,
  fixtureFilterWork,
  fixtureJob,
  writeCandidates,
  writeFixtureRun,
} from "../testing/filter-fixture.js";
import { createFilterWorkHandler } from "./filter-work-handler.js";
import { createRetrievalClient, type RetrievalClient } from "./retrieval-client.js";
import { readSampleRows } from "./sample-rows.js";
import { createFilteringMetrics } from "./service-metrics.js";

const job = fixtureJob;

function judged(messages: readonly OutgoingMessage[]): SampleJudged[] {
  return messages.map((m) => {
    assert.equal(m.topic, TOPICS.sampleJudged.name);
    return decodeTopicMessage(TOPICS.sampleJudged, m.value);
  });
}

describe("the filter handler", () => {
  let dir: string;
  let artifacts: ArtifactStore;
  let retrieval: RetrievalServiceForTests;
  let client: RetrievalClient;
  let handle: ReturnType<typeof createFilterWorkHandler>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "isara-filtering-"));
    artifacts = new FsArtifactStore({ root: dir });
    retrieval = await startRetrievalService();
    client = createRetrievalClient({ address: retrieval.address, timeoutMs: 10_000 });
    handle = createFilterWorkHandler({
      artifacts,
      retrieval: client,
      metrics: createFilteringMetrics(createMetrics()),
    });
  });

  after(async () => {
    client?.close();
    await retrieval?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("judges every candidate with its reasons, stores the accepted ones in retrieval, writes both sets", async () => {
    await writeFixtureRun(artifacts, "run-a");
    await writeCandidates(artifacts, "run-a", fixtureCandidates("run-a"));
    const out = judged(await handle(fixtureFilterWork("run-a", { correlationId: "req-1" }), job()));

    assert.deepEqual(
      out.map((m) => m.sample?.slot),
      FIXTURE_SLOTS.map((_, slot) => slot),
      "one SampleJudged per candidate, in slot order",
    );
    for (const [slot, m] of out.entries()) {
      const expected = FIXTURE_SLOTS[slot]?.rejectedBy;
      assert.equal(m.idempotencyKey, sampleId("run-a", 1, slot));
      assert.deepEqual(m.context, { run: "run-a", domain: "tiny-truth", round: 1, correlationId: "req-1" });
      assert.equal(m.accepted, expected === undefined, `slot ${slot}`);
      const verdicts = m.sample?.lineage?.verdicts ?? [];
      assert.deepEqual(
        verdicts.map((v) => v.filter),
        ["exact-duplicate", "rouge-l", "min-words", "answer-in-prompt"],
        "every filter's verdict, in chain order",
      );
      assert.ok(
        verdicts.every((v) => v.reason !== ""),
        "each verdict says why",
      );
      const rejecting = verdicts.filter((v) => !v.accepted).map((v) => v.filter);
      assert.deepEqual(rejecting, expected === undefined ? [] : [expected], `slot ${slot}`);
    }
    const duplicate = out[1]?.sample?.lineage?.verdicts.find((v) => v.filter === "exact-duplicate");
    assert.equal(duplicate?.reason, "same prompt as slot 0, accepted earlier in this round");

    const stored = await client.listSamples(
      { run: "run-a", domain: "tiny-truth", round: 1, correlationId: "t" },
      { setIndex: 1 },
      new AbortController().signal,
    );
    assert.deepEqual(
      stored.map((s) => s.slot),
      [0, 5],
    );
    const accepted = (await readSampleRows(artifacts, runArtifacts("run-a").accepted(1))) ?? [];
    const rejected = (await readSampleRows(artifacts, runArtifacts("run-a").rejected(1))) ?? [];
    assert.deepEqual(
      stored,
      accepted,
      "retrieval holds exactly the accepted set, lineage and verdicts included",
    );
    assert.deepEqual(
      rejected.map((s) => s.slot),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      out.map((m) => sampleFromWire(m.sample ?? assert.fail("no sample"))),
      [...accepted, ...rejected].sort((a, b) => a.slot - b.slot),
      "SampleJudged carries the samples of the files",
    );
    assert.ok(accepted.every((s) => s.lineage.generatorModel === "tiny-model" && s.setIndex === 1));
  });

  test("a redelivered FilterWork republishes the same verdicts without calling retrieval", async () => {
    const first = await handle(fixtureFilterWork("run-a", { correlationId: "req-1" }), job());
    const upserts = await retrieval.okCalls("Upsert");
    const embeds = await retrieval.okCalls("Embed");
    assert.ok(upserts >= 1);
    const again = await handle(fixtureFilterWork("run-a", { correlationId: "req-1" }), job());
    assert.deepEqual(again, first);
    assert.equal(await retrieval.okCalls("Upsert"), upserts, "no second upsert");
    assert.equal(await retrieval.okCalls("Embed"), embeds, "no second embedding");
  });

  test("half-written outputs are not trusted: the pass runs again and repairs them", async () => {
    await writeFixtureRun(artifacts, "run-half");
    await writeCandidates(artifacts, "run-half", fixtureCandidates("run-half"));
    await artifacts.write(runArtifacts("run-half").rejected(1), "");
    const out = judged(await handle(fixtureFilterWork("run-half"), job()));
    assert.equal(out.filter((m) => m.accepted).length, 2);
    const rejected = await readSampleRows(artifacts, runArtifacts("run-half").rejected(1));
    assert.equal(rejected?.length, 4);
  });

  test("round 2 judges against the seeds and round 1's accepted set", async () => {
    const round1 = (await readSampleRows(artifacts, runArtifacts("run-a").accepted(1))) ?? [];
    const keeper = round1[0] ?? assert.fail("round 1 accepted nothing");
    const candidates: Sample[] = fixtureCandidates("run-a", 2).slice(0, 2);
    const [copy, fresh] = candidates;
    assert.ok(copy && fresh);
    candidates[0] = { ...copy, prompt: keeper.prompt };
    candidates[1] = { ...fresh, prompt: "Which habits help a careful reader spot a misleading chart?" };
    await writeCandidates(artifacts, "run-a", candidates, 2);
    const out = judged(await handle(fixtureFilterWork("run-a", { round: 2, count: 2 }), job()));
    const reason = out[0]?.sample?.lineage?.verdicts.find((v) => v.filter === "exact-duplicate")?.reason;
    assert.equal(reason, `same prompt as ${keeper.id} in set 1`);
    assert.deepEqual(
      out.map((m) => m.accepted),
      [false, true],
    );
  });

  test("candidates that do not match the work are refused as poison with the reason", async () => {
    await writeFixtureRun(artifacts, "run-bad");
    await writeCandidates(artifacts, "run-bad", fixtureCandidates("run-bad").slice(0, 3));
    await assert.rejects(handle(fixtureFilterWork("run-bad"), job()), (err: unknown) => {
      assert.ok(isIsaraError(err, "failed_precondition"));
      assert.match(err.message, /holds 3 candidates, but FilterWork says 6/);
      return true;
    });
    const mixed = fixtureCandidates("run-bad").map((c, i) =>
      i === 2 ? { ...c, lineage: { ...c.lineage, generatorModel: "other-model" } } : c,
    );
    await writeCandidates(artifacts, "run-bad", mixed);
    await assert.rejects(handle(fixtureFilterWork("run-bad"), job()), /written by different models/);
    await artifacts.write(runArtifacts("run-bad").candidates(1), "{not json\n");
    await assert.rejects(handle(fixtureFilterWork("run-bad"), job()), (err: unknown) =>
      isIsaraError(err, "invalid_argument"),
    );
    await assert.rejects(handle(fixtureFilterWork("run-nobody"), job()), (err: unknown) => {
      assert.ok(isIsaraError(err, "not_found"));
      assert.match(err.message, /run-nobody\/domain\/domain.json/);
      return true;
    });
    assert.equal(await artifacts.exists(runArtifacts("run-bad").accepted(1)), false, "nothing written");
  });

  test("a retrieval service that is down is a retryable failure, and nothing is written", async () => {
    await writeFixtureRun(artifacts, "run-down");
    await writeCandidates(artifacts, "run-down", fixtureCandidates("run-down"));
    const down = createRetrievalClient({ address: "127.0.0.1:1", timeoutMs: 5000 });
    const handleDown = createFilterWorkHandler({
      artifacts,
      retrieval: down,
      metrics: createFilteringMetrics(createMetrics()),
    });
    try {
      await assert.rejects(handleDown(fixtureFilterWork("run-down"), job()), (err: unknown) => {
        assert.ok(isIsaraError(err, "unavailable"), String(err));
        assert.equal(err.retryable, true);
        return true;
      });
    } finally {
      down.close();
    }
    assert.equal(await artifacts.exists(runArtifacts("run-down").accepted(1)), false);
    assert.equal(await artifacts.exists(runArtifacts("run-down").rejected(1)), false);
  });
});
