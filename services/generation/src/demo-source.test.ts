/**
 * The retrieval client on the wire: a real gRPC connection on loopback to an in-test server that
 * implements only SelectDemos (a test double standing for the retrieval service's transport
 * behaviour: it records what arrives and answers as each test scripts it, including statuses and
 * calls that never end). Selection itself is the real retrieval service's business, tested with it
 * in slot-handlers.test.ts and app.kafka.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  status as GrpcStatus,
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
} from "@grpc/grpc-js";
import {
  DropFrom,
  RetrievalServiceService,
  type SelectDemosRequest,
  type SelectDemosResponse,
  sampleToWire,
} from "@isara/contracts";
import { IsaraError, isIsaraError } from "@isara/core";
import { waitFor } from "@isara/testkit";
import { fixtureSeeds } from "../testing/slot-fixture.js";
import { createRetrievalDemoSource, type DemoSource } from "./demo-source.js";

type Answer = (
  call: ServerUnaryCall<SelectDemosRequest, SelectDemosResponse>,
  cb: sendUnaryData<SelectDemosResponse>,
) => void;

const received: { request: SelectDemosRequest; metadata: Record<string, unknown> }[] = [];
let answer: Answer = (_call, cb) => cb(null, { picks: [], dropFrom: DropFrom.END });
const server = new Server();
let source: DemoSource;
let address = "";

const selectDemos: handleUnaryCall<SelectDemosRequest, SelectDemosResponse> = (call, cb) => {
  received.push({ request: call.request, metadata: call.metadata.getMap() });
  answer(call, cb);
};

before(async () => {
  server.addService(RetrievalServiceService, { selectDemos });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  address = `127.0.0.1:${port}`;
  source = createRetrievalDemoSource({ address, timeoutMs: 10_000 });
});
after(() => {
  source?.close();
  server.forceShutdown();
});

const context = { run: "run-w", domain: "tiny-gen", round: 2, correlationId: "req-wire" };
const seeds = fixtureSeeds("run-w");
const live = () => new AbortController().signal;

test("sends the work's context as metadata and its quotas and strategy; answers core's selection", async () => {
  const [a, b] = seeds;
  assert.ok(a && b);
  answer = (_call, cb) =>
    cb(null, {
      picks: [
        { sample: sampleToWire(a), ref: { id: a.id, setIndex: 0, score: undefined } },
        { sample: sampleToWire(b), ref: { id: b.id, setIndex: 1, score: undefined } },
      ],
      dropFrom: DropFrom.UNSPECIFIED,
    });
  const selection = await source.selectDemos(
    { context, quotas: [3, 1], strategy: { kind: "random", seed: 42 } },
    live(),
  );
  const last = received.at(-1);
  assert.ok(last);
  assert.deepEqual(last.request.quotas, [3, 1]);
  assert.deepEqual(last.request.strategy, { $case: "random", value: { seed: 42 } });
  assert.equal(last.metadata["x-request-id"], "req-wire");
  assert.equal(last.metadata["x-isara-run"], "run-w");
  assert.equal(last.metadata["x-isara-domain"], "tiny-gen");
  assert.equal(last.metadata["x-isara-round"], "2");
  assert.deepEqual(
    selection.picks.map((p) => p.ref),
    [
      { id: a.id, setIndex: 0, score: null },
      { id: b.id, setIndex: 1, score: null },
    ],
  );
  assert.deepEqual(selection.picks[0]?.sample, a);
  assert.equal(selection.dropFrom, "end", "unspecified reads as the random strategy's own order");
});

test("statuses become the platform's codes: a down service is retryable, a refused request is not", async () => {
  const ask = () =>
    source.selectDemos({ context, quotas: [1], strategy: { kind: "nearest", prompt: "why?" } }, live());
  answer = (_call, cb) => cb({ code: GrpcStatus.UNAVAILABLE, details: "store is restarting" });
  await assert.rejects(ask(), (err: unknown) => {
    assert.ok(isIsaraError(err, "unavailable"));
    assert.equal(err.retryable, true);
    assert.match(
      err.message,
      /retrieval SelectDemos failed \(UNAVAILABLE\): store is restarting; retry later/,
    );
    return true;
  });
  answer = (_call, cb) =>
    cb({ code: GrpcStatus.FAILED_PRECONDITION, details: "run has no seed samples stored" });
  await assert.rejects(ask(), (err: unknown) => isIsaraError(err, "failed_precondition") && !err.retryable);
  answer = (_call, cb) => cb({ code: GrpcStatus.INVALID_ARGUMENT, details: "quotas has 1 entry" });
  await assert.rejects(ask(), (err: unknown) => isIsaraError(err, "invalid_argument"));
});

test("a call past its deadline is deadline_exceeded (retried); a call of cancelled work is cancelled", async () => {
  answer = () => {};
  const quick = createRetrievalDemoSource({ address, timeoutMs: 50 });
  try {
    await assert.rejects(
      quick.selectDemos({ context, quotas: [1], strategy: { kind: "random", seed: 1 } }, live()),
      (err: unknown) => isIsaraError(err, "deadline_exceeded") && err.retryable,
    );
  } finally {
    quick.close();
  }
  const abort = new AbortController();
  const pending = source.selectDemos(
    { context, quotas: [1], strategy: { kind: "random", seed: 1 } },
    abort.signal,
  );
  const calls = received.length;
  await waitFor("the call to arrive", () => received.length > calls);
  abort.abort();
  await assert.rejects(pending, (err: unknown) => isIsaraError(err, "cancelled"));
});

test("a pick without its sample is a retrieval bug, not retried", async () => {
  answer = (_call, cb) =>
    cb(null, { picks: [{ sample: undefined, ref: { id: "x", setIndex: 0 } }], dropFrom: DropFrom.START });
  await assert.rejects(
    source.selectDemos({ context, quotas: [1], strategy: { kind: "random", seed: 1 } }, live()),
    (err: unknown) =>
      err instanceof IsaraError && err.code === "internal" && /pick 0 without its sample/.test(err.message),
  );
});

test("readiness passes while the service is reachable and fails while it is not", async () => {
  assert.match(source.readiness(), /^retrieval at 127\.0\.0\.1:\d+: (IDLE|CONNECTING|READY)$/);
  const nowhere = createRetrievalDemoSource({ address: "127.0.0.1:1", timeoutMs: 1000 });
  try {
    await waitFor("the unreachable address to fail readiness", () => {
      try {
        nowhere.readiness();
        return false;
      } catch (err) {
        return /cannot be reached \(TRANSIENT_FAILURE\)/.test((err as Error).message);
      }
    });
  } finally {
    nowhere.close();
  }
});
