import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { sampleFromWire } from "@isara/contracts";
import { createHashingEmbedder } from "@isara/embedder-local";
import { type Loopback, startLoopback } from "../testing/loopback-for-tests.js";
import { context, generated, seeds, wire } from "../testing/samples-for-tests.js";
import { MAX_TEXT_CHARS } from "./request-checks.js";

/** A rejection with gRPC status `code` whose details match `details`. */
function refused(code: status, details: RegExp) {
  return (err: ServiceError) => {
    assert.equal(err.code, code, `status ${status[err.code]}: ${err.details}`);
    assert.match(err.details, details);
    return true;
  };
}
const invalid = (details: RegExp) => refused(status.INVALID_ARGUMENT, details);

describe("RetrievalService over loopback gRPC (LanceDB, test embedder)", () => {
  const embedder = createHashingEmbedder({ dimension: 16 });
  let svc: Loopback;
  before(async () => {
    svc = await startLoopback(embedder);
  });
  after(() => svc.close());

  it("Embed returns one unit vector per text, with the model id and dimension", async () => {
    const texts = ["How do tides work?", "Why is the sky blue?"];
    const res = await svc.embed({ context: context("embed-run"), texts });
    assert.equal(res.modelId, "feature-hashing");
    assert.equal(res.dimension, 16);
    const direct = await embedder.embed(texts);
    assert.deepEqual(
      res.vectors.map((v) => v.values),
      direct.map((v) => Array.from(v)),
    );
    for (const v of res.vectors) assert.ok(Math.abs(Math.hypot(...v.values) - 1) < 1e-5);
  });

  it("Upsert is idempotent: the same samples twice leave the same count, and a retry replaces", async () => {
    const run = "upsert-run";
    const samples = [...seeds(run, 5), ...generated(run, 1, 3)];
    const first = await svc.upsert({ context: context(run), samples: wire(samples), vectors: [] });
    assert.equal(first.upserted, 8);
    const again = await svc.upsert({ context: context(run), samples: wire(samples), vectors: [] });
    assert.equal(again.upserted, 8);
    const listed = await svc.listSamples({ context: context(run), pageSize: 0, pageToken: "" });
    assert.equal(listed.samples.length, 8);
    assert.deepEqual(
      listed.samples.map((s) => sampleFromWire(s)),
      [...samples].sort((a, b) => a.setIndex - b.setIndex || a.slot - b.slot),
      "samples come back whole, lineage included",
    );
  });

  it("Upsert stores caller-given vectors as they are", async () => {
    const run = "vectors-run";
    const [a, b] = seeds(run, 2);
    const e0 = Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0));
    const e1 = Array.from({ length: 16 }, (_, i) => (i === 1 ? 1 : 0));
    await svc.upsert({
      context: context(run),
      samples: wire([a, b].filter((s) => s !== undefined)),
      vectors: [{ values: e0 }, { values: e1 }],
    });
    const res = await svc.selectDemos({
      context: context(run),
      quotas: [1],
      strategy: { $case: "nearest", value: { prompt: "a new question", vector: { values: e1 } } },
    });
    assert.equal(res.picks[0]?.sample?.id, b?.id);
    assert.ok(Math.abs((res.picks[0]?.ref?.score ?? 0) - 1) < 1e-5);
  });

  it("lists in (setIndex, slot) order, one page at a time, with a filter by set", async () => {
    const run = "paging-run";
    const samples = [...generated(run, 2, 9), ...seeds(run, 7), ...generated(run, 1, 9)];
    await svc.upsert({ context: context(run), samples: wire(samples), vectors: [] });
    const pages: string[][] = [];
    let pageToken = "";
    do {
      const page = await svc.listSamples({ context: context(run), pageSize: 10, pageToken });
      pages.push(page.samples.map((s) => `${s.setIndex}/${s.slot}`));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    assert.deepEqual(
      pages.map((p) => p.length),
      [10, 10, 5],
    );
    const expected = [0, 1, 2].flatMap((set) =>
      Array.from({ length: set === 0 ? 7 : 9 }, (_, slot) => `${set}/${slot}`),
    );
    assert.deepEqual(pages.flat(), expected);
    const set1 = await svc.listSamples({ context: context(run), setIndex: 1, pageSize: 0, pageToken: "" });
    assert.deepEqual(
      set1.samples.map((s) => s.slot),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(set1.nextPageToken, "");
    const seedsOnly = await svc.listSamples({ context: context(run), round: 0, pageSize: 3, pageToken: "" });
    await assert.rejects(
      svc.listSamples({
        context: context(run),
        setIndex: 1,
        pageSize: 3,
        pageToken: seedsOnly.nextPageToken,
      }),
      invalid(/page_token belongs to a different run, set or round/),
    );
    await assert.rejects(
      svc.listSamples({ context: context(run), pageSize: 3, pageToken: "not-a-token" }),
      invalid(/page_token is not a token this service issued/),
    );
  });

  it("DeleteRunSamples removes one run's samples, says how many, and is harmless to repeat", async () => {
    const [gone, kept] = ["deleted-run", "kept-run"];
    await svc.upsert({
      context: context(gone),
      samples: wire([...seeds(gone, 3), ...generated(gone, 1, 2)]),
      vectors: [],
    });
    await svc.upsert({ context: context(kept), samples: wire(seeds(kept, 2)), vectors: [] });
    assert.deepEqual(await svc.deleteRunSamples({ context: context(gone) }), { deleted: 5 });
    const left = (run: string) => svc.listSamples({ context: context(run), pageSize: 0, pageToken: "" });
    assert.deepEqual((await left(gone)).samples, []);
    assert.equal((await left(kept)).samples.length, 2, "another run's samples stay");
    assert.deepEqual(await svc.deleteRunSamples({ context: context(gone) }), { deleted: 0 });
    await assert.rejects(svc.deleteRunSamples({ context: undefined }), invalid(/context is missing/));
    await assert.rejects(svc.deleteRunSamples({ context: context(" ") }), invalid(/context.run is empty/));
    assert.ok(
      svc.logs().some((l) => l.msg === "run samples deleted" && l.deleted === 5 && l.run === gone),
      "the deletion is logged with its run and count",
    );
  });

  it("refuses bad requests with INVALID_ARGUMENT and a message that says what to fix, storing nothing", async () => {
    const run = "bad-run";
    const samples = generated(run, 1, 2);
    const ctx = context(run);
    await assert.rejects(
      svc.embed({ context: ctx, texts: [] }),
      invalid(/^texts is empty; send at least one text/),
    );
    await assert.rejects(svc.embed({ context: ctx, texts: ["ok", "  "] }), invalid(/^texts\[1\] is empty/));
    await assert.rejects(
      svc.embed({ context: ctx, texts: ["x".repeat(MAX_TEXT_CHARS + 1)] }),
      invalid(/^texts\[0\] has 20001 characters; the limit is 20000, shorten it/),
    );
    await assert.rejects(
      svc.embed({ context: undefined, texts: ["hi"] }),
      invalid(/^context is missing; set context.run/),
    );
    await assert.rejects(
      svc.upsert({ context: context("other-run"), samples: wire(samples), vectors: [] }),
      invalid(/^samples\[0\]\.run is "bad-run" but context\.run is "other-run"; one call writes to one run/),
    );
    await assert.rejects(
      svc.upsert({ context: ctx, samples: wire(samples), vectors: [{ values: new Array(16).fill(0.25) }] }),
      invalid(/^got 1 vectors for 2 samples; send one vector per sample/),
    );
    await assert.rejects(
      svc.upsert({
        context: ctx,
        samples: wire(samples),
        vectors: [{ values: [1, 0, 0] }, { values: [0, 1, 0] }],
      }),
      invalid(/^vectors\[0\] has 3 values but the service's embedding model feature-hashing gives 16/),
    );
    const noLineage = { ...wire(samples)[0], lineage: undefined } as ReturnType<typeof wire>[number];
    await assert.rejects(
      svc.upsert({ context: ctx, samples: [noLineage], vectors: [] }),
      invalid(/has no lineage/),
    );
    await assert.rejects(
      svc.selectDemos({ context: ctx, quotas: [], strategy: { $case: "random", value: { seed: 1 } } }),
      invalid(/^quotas is empty; give one quota per set/),
    );
    await assert.rejects(
      svc.selectDemos({ context: ctx, quotas: [2], strategy: undefined }),
      invalid(/^strategy is missing; set random \(with a seed\)/),
    );
    await assert.rejects(
      svc.selectDemos({
        context: ctx,
        quotas: [2],
        strategy: { $case: "nearest", value: { prompt: "q", vector: { values: [1, 0] } } },
      }),
      invalid(/^nearest\.vector has 2 values/),
    );
    const listed = await svc.listSamples({ context: ctx, pageSize: 0, pageToken: "" });
    assert.deepEqual(listed.samples, [], "a refused request stored nothing");
  });

  it("logs a refused call with run, domain, round and request id from metadata and context", async () => {
    const metadata = new Metadata();
    metadata.set("x-request-id", "req-42");
    await assert.rejects(svc.embed({ context: context("log-run", 3), texts: [] }, metadata));
    const line = svc.logs().find((l) => l.msg === "call refused" && l.run === "log-run");
    assert.ok(line, "a log line for the refused call");
    assert.equal(line.requestId, "req-42");
    assert.equal(line.domain, "test-domain");
    assert.equal(line.round, 3);
    assert.equal(line.method, "Embed");
    assert.equal(line.code, "invalid_argument");
    await assert.rejects(
      svc.embed({ context: { run: "log-run-2", domain: "", round: 0, correlationId: "corr-7" }, texts: [] }),
    );
    assert.ok(
      svc.logs().some((l) => l.run === "log-run-2" && l.requestId === "corr-7"),
      "correlation id as request id",
    );
  });
});
