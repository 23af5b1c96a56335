/**
 * The filter handler with a judge: a run whose domain.json names `judge-score` is filtered with the
 * judge the service opens from its environment (`openJudgeChat` over HTTP, core's `SampleJudge` from
 * `createSampleJudge` with the quality rubric), beside the real retrieval service over gRPC. The judge
 * model behind the endpoint is a STAND-IN (a real judge model cannot run in a unit test): a loopback
 * server speaking the OpenAI chat API that rates an answer 9 when it cites sources and 3 otherwise,
 * so the test can tell which verdict each rating must give. The filter over a real model behind a
 * real OpenAI-compatible server is tests/src/evaluation/judge-over-http.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeTopicMessage, TOPICS } from "@isara/contracts";
import { type ArtifactStore, isIsaraError } from "@isara/core";
import { createSampleJudge } from "@isara/evaluators";
import { createMetrics } from "@isara/kit";
import { openJudgeChat } from "@isara/llm-backends/judge";
import type { OpenAiChat } from "@isara/llm-backends/openai";
import { FsArtifactStore } from "@isara/store-fs";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import {
  FIXTURE_DOMAIN,
  fixtureCandidates,
  fixtureFilterWork,
  fixtureJob,
  writeCandidates,
  writeFixtureRun,
} from "../testing/filter-fixture.js";
import { createFilterWorkHandler } from "./filter-work-handler.js";
import { createRetrievalClient, type RetrievalClient } from "./retrieval-client.js";
import { createFilteringMetrics } from "./service-metrics.js";

const job = fixtureJob;

/** The paper's chain, then the judge. */
const JUDGED_DOMAIN = {
  name: FIXTURE_DOMAIN,
  filters: [
    { name: "exact-duplicate" },
    { name: "rouge-l" },
    { name: "min-words" },
    { name: "answer-in-prompt" },
    { name: "judge-score", minScore: 6 },
  ],
};

/** STAND-IN judge model (see the module comment): rates by whether the reply asked about cites sources. */
async function startStandInJudge(): Promise<{ server: Server; baseUrl: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        model: string;
        messages: { content: string }[];
      };
      const question = body.messages.at(-1)?.content ?? "";
      asked.push(question);
      const answer = /\[Assistant reply\]\n([\s\S]*)\n\[End of assistant reply\]/.exec(question)?.[1];
      assert.ok(answer !== undefined, "the judge is asked about one reply");
      const content = /sources/.test(answer)
        ? "Reason: It names a way to check the claim.\nRating: 9"
        : "Reason: It does not say how to tell.\nRating: 3";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ choices: [{ message: { role: "assistant", content }, finish_reason: "stop" }] }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

describe("the filter handler with a judge", () => {
  let dir: string;
  let artifacts: ArtifactStore;
  let retrieval: RetrievalServiceForTests;
  let client: RetrievalClient;
  let judgeServer: Awaited<ReturnType<typeof startStandInJudge>>;
  let chat: OpenAiChat;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "isara-filtering-judge-"));
    artifacts = new FsArtifactStore({ root: dir });
    retrieval = await startRetrievalService();
    client = createRetrievalClient({ address: retrieval.address, timeoutMs: 10_000 });
    judgeServer = await startStandInJudge();
    chat = openJudgeChat({ baseUrl: judgeServer.baseUrl, model: "judge", apiKey: undefined, parallelism: 2 });
  });

  after(async () => {
    await chat?.close();
    judgeServer?.server.close();
    client?.close();
    await retrieval?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("judge-score keeps what the judge rates at least minScore and rejects the rest, quoting the rating", async () => {
    const handle = createFilterWorkHandler({
      artifacts,
      retrieval: client,
      metrics: createFilteringMetrics(createMetrics()),
      judge: createSampleJudge({ chat }),
    });
    await writeFixtureRun(artifacts, "run-judged", JUDGED_DOMAIN);
    await writeCandidates(artifacts, "run-judged", fixtureCandidates("run-judged"));
    const out = (await handle(fixtureFilterWork("run-judged"), job())).map((m) =>
      decodeTopicMessage(TOPICS.sampleJudged, m.value),
    );
    assert.equal(judgeServer.asked.length, out.length, "the judge rated every candidate once");
    const verdictOf = (slot: number) => {
      const verdicts = out[slot]?.sample?.lineage?.verdicts ?? [];
      assert.equal(verdicts.at(-1)?.filter, "judge-score", "the judge's verdict comes last, in chain order");
      return verdicts.at(-1);
    };
    // Slot 0 passes the paper's filters and cites sources; slot 5 passes them and does not.
    assert.equal(out[0]?.accepted, true);
    assert.equal(verdictOf(0)?.accepted, true);
    assert.equal(verdictOf(0)?.score, 9);
    assert.match(verdictOf(0)?.reason ?? "", /^judge with quality@1 rated 9\/10: It names a way/);
    assert.equal(out[5]?.accepted, false);
    assert.equal(verdictOf(5)?.accepted, false);
    assert.match(verdictOf(5)?.reason ?? "", /rated 3\/10: It does not say how to tell\. \(under 6\)/);
    assert.deepEqual(
      out.filter((m) => m.accepted).map((m) => m.sample?.slot),
      [0],
    );
  });

  test("without a judge the same run cannot be filtered, and the error says how to configure one", async () => {
    const handle = createFilterWorkHandler({
      artifacts,
      retrieval: client,
      metrics: createFilteringMetrics(createMetrics()),
    });
    await writeFixtureRun(artifacts, "run-unjudged", JUDGED_DOMAIN);
    await writeCandidates(artifacts, "run-unjudged", fixtureCandidates("run-unjudged"));
    await assert.rejects(handle(fixtureFilterWork("run-unjudged"), job()), (err: unknown) => {
      assert.ok(isIsaraError(err, "failed_precondition"), String(err));
      assert.match(err.message, /filter "judge-score" needs a judge/);
      assert.match(err.message, /JUDGE_URL and JUDGE_MODEL for the filtering service/);
      return true;
    });
  });
});
