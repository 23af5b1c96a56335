import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  credentials,
  status as grpcStatus,
  type handleServerStreamingCall,
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServiceError,
} from "@grpc/grpc-js";
import { grpcStatusFor } from "@isara/kit";
import {
  ControllerServiceClient,
  ControllerServiceService,
  RunLifecycle,
  type RunStatus,
  type WatchRunRequest,
  type WatchRunResponse,
} from "./gen/isara/v1/controller.js";
import { Phase } from "./gen/isara/v1/phase.js";
import {
  type EmbedRequest,
  type EmbedResponse,
  RetrievalServiceClient,
  RetrievalServiceService,
} from "./gen/isara/v1/retrieval.js";
import { RunMode } from "./gen/isara/v1/run_mode.js";

// In-test services: the smallest real implementations that exercise the generated definitions over a
// real HTTP/2 connection on loopback (serialisation, routing by path, status codes, streaming).

/** Embeds a text as the unit vector of (characters, words); refuses an empty request as a real server would. */
const embed: handleUnaryCall<EmbedRequest, EmbedResponse> = (call, callback) => {
  const { texts } = call.request;
  if (texts.length === 0) {
    const details = "texts is empty; send at least one text to embed";
    callback({ code: grpcStatusFor("invalid_argument"), details });
    return;
  }
  const vectors = texts.map((text) => {
    const raw = [text.length, text.split(/\s+/).filter(Boolean).length];
    const norm = Math.hypot(...raw) || 1;
    return { values: raw.map((x) => x / norm) };
  });
  callback(null, { vectors, modelId: "test-embedder", dimension: 2 });
};

function status(lifecycle: RunLifecycle, phase: Phase, stopReason?: string): RunStatus {
  return {
    runId: "run-1",
    domain: "truthful",
    mode: RunMode.ISARA,
    lifecycle,
    round: 1,
    phase,
    plannedRounds: 1,
    progress: undefined,
    rounds: [],
    stopReason,
    error: undefined,
  };
}

/** Streams the run's current status, then its final one, then ends. */
const watchRun: handleServerStreamingCall<WatchRunRequest, WatchRunResponse> = (call) => {
  call.write({ run: status(RunLifecycle.RUNNING, Phase.TRAIN) });
  call.write({ run: status(RunLifecycle.DONE, Phase.EVALUATE, "reached the last round (1)") });
  call.end();
};

const server = new Server();
let address = "";

before(async () => {
  server.addService(RetrievalServiceService, { embed });
  server.addService(ControllerServiceService, { watchRun });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  address = `127.0.0.1:${port}`;
});

after(() => server.forceShutdown());

function callEmbed(client: RetrievalServiceClient, texts: string[]): Promise<EmbedResponse> {
  const context = { run: "run-1", domain: "truthful", round: 1, correlationId: "req-1" };
  return new Promise((resolve, reject) =>
    client.embed({ context, texts }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

test("RetrievalService.Embed answers over a loopback connection with one vector per text", async () => {
  const client = new RetrievalServiceClient(address, credentials.createInsecure());
  try {
    const res = await callEmbed(client, ["three word text", "x"]);
    assert.equal(res.modelId, "test-embedder");
    assert.equal(res.dimension, 2);
    assert.equal(res.vectors.length, 2);
    const [first] = res.vectors;
    const expected = [15 / Math.hypot(15, 3), 3 / Math.hypot(15, 3)].map(Math.fround);
    assert.deepEqual(first?.values, expected);
  } finally {
    client.close();
  }
});

test("a refused request reaches the client as INVALID_ARGUMENT with the server's message", async () => {
  const client = new RetrievalServiceClient(address, credentials.createInsecure());
  try {
    await assert.rejects(
      callEmbed(client, []),
      (err: ServiceError) =>
        err.code === grpcStatus.INVALID_ARGUMENT &&
        err.details === "texts is empty; send at least one text to embed",
    );
  } finally {
    client.close();
  }
});

test("ControllerService.WatchRun streams status updates until the run is final", async () => {
  const client = new ControllerServiceClient(address, credentials.createInsecure());
  try {
    const updates: WatchRunResponse[] = [];
    for await (const update of client.watchRun({ runId: "run-1" })) updates.push(update as WatchRunResponse);
    assert.deepEqual(
      updates.map((u) => [u.run?.lifecycle, u.run?.phase, u.run?.stopReason]),
      [
        [RunLifecycle.RUNNING, Phase.TRAIN, undefined],
        [RunLifecycle.DONE, Phase.EVALUATE, "reached the last round (1)"],
      ],
    );
  } finally {
    client.close();
  }
});
