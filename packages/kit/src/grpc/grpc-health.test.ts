import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Client,
  type ClientReadableStream,
  credentials,
  makeGenericClientConstructor,
  Server,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { createGrpcHealth, type GrpcHealth, healthServiceDefinition } from "./grpc-health.js";
import { bindGrpcServer, stopGrpcServer } from "./grpc-server.js";

const SERVICE = "isara.v1.TestService";

/** A grpc.health.v1 client, typed for what the tests call. */
interface HealthClient extends Client {
  check(
    request: { service: string },
    cb: (err: ServiceError | null, res: { status: string }) => void,
  ): unknown;
  list(
    request: Record<string, never>,
    cb: (err: ServiceError | null, res: { statuses: Record<string, { status: string }> }) => void,
  ): unknown;
  watch(request: { service: string }): ClientReadableStream<{ status: string }>;
}

/** A server with only the health service, bound to a free loopback port, and a client for it. */
async function start(): Promise<{ server: Server; health: GrpcHealth; client: HealthClient }> {
  const server = new Server();
  const health = createGrpcHealth([SERVICE]);
  health.addToServer(server);
  const port = await bindGrpcServer(server, "127.0.0.1:0");
  const Ctor = makeGenericClientConstructor(healthServiceDefinition, "Health");
  const client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as HealthClient;
  return { server, health, client };
}

function check(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    client.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))),
  );
}

/** The next `count` statuses a Watch stream sends. */
function nextStatuses(stream: ClientReadableStream<{ status: string }>, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const onData = (msg: { status: string }) => {
      seen.push(msg.status);
      if (seen.length === count) {
        stream.off("data", onData);
        resolve(seen);
      }
    };
    stream.on("data", onData);
    stream.once("error", reject);
  });
}

describe("createGrpcHealth", () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  before(async () => {
    ctx = await start();
  });
  after(async () => {
    ctx.client.close();
    ctx.health.closeWatches();
    await stopGrpcServer(ctx.server, 1000);
  });

  it("starts NOT_SERVING for the server and each named service, then serves after setStatus", async () => {
    assert.equal(ctx.health.status, "NOT_SERVING");
    assert.equal(await check(ctx.client, ""), "NOT_SERVING");
    assert.equal(await check(ctx.client, SERVICE), "NOT_SERVING");
    ctx.health.setStatus("SERVING");
    assert.equal(ctx.health.status, "SERVING");
    assert.equal(await check(ctx.client, ""), "SERVING");
    assert.equal(await check(ctx.client, SERVICE), "SERVING");
  });

  it("answers NOT_FOUND naming the known services for a name it does not cover", async () => {
    await assert.rejects(check(ctx.client, "isara.v1.Nope"), (err: ServiceError) => {
      assert.equal(err.code, status.NOT_FOUND);
      assert.match(err.details, /no health status for service "isara\.v1\.Nope"/);
      assert.match(err.details, /isara\.v1\.TestService/);
      return true;
    });
  });

  it("lists the status of every covered name", async () => {
    ctx.health.setStatus("SERVING");
    const statuses = await new Promise<Record<string, { status: string }>>((resolve, reject) =>
      ctx.client.list({}, (err, res) => (err ? reject(err) : resolve(res.statuses))),
    );
    assert.deepEqual(Object.keys(statuses).sort(), ["", SERVICE]);
    assert.equal(statuses[SERVICE]?.status, "SERVING");
  });

  it("sends watchers the current status, then each change; unknown names get SERVICE_UNKNOWN", async () => {
    ctx.health.setStatus("SERVING");
    const watch = ctx.client.watch({ service: SERVICE });
    const unknown = ctx.client.watch({ service: "isara.v1.Nope" });
    try {
      assert.deepEqual(await nextStatuses(watch, 1), ["SERVING"]);
      assert.deepEqual(await nextStatuses(unknown, 1), ["SERVICE_UNKNOWN"]);
      const changes = nextStatuses(watch, 2);
      ctx.health.setStatus("NOT_SERVING");
      ctx.health.setStatus("SERVING");
      assert.deepEqual(await changes, ["NOT_SERVING", "SERVING"]);
    } finally {
      watch.cancel();
      unknown.cancel();
    }
  });
});

describe("closeWatches", () => {
  it("ends open Watch streams so the server stops gracefully instead of being forced", async () => {
    const { server, health, client } = await start();
    health.setStatus("SERVING");
    const watch = client.watch({ service: "" });
    watch.on("error", () => {});
    await nextStatuses(watch, 1);
    const ended = new Promise<void>((resolve) => watch.on("end", () => resolve()));
    health.setStatus("NOT_SERVING");
    health.closeWatches();
    await ended;
    assert.equal(await stopGrpcServer(server, 5000), "graceful");
    client.close();
  });

  it("without it, an open Watch holds the server until the stop deadline forces it", async () => {
    const { server, health, client } = await start();
    const watch = client.watch({ service: "" });
    const failed = new Promise<ServiceError>((resolve) => watch.on("error", resolve));
    await nextStatuses(watch, 1);
    assert.equal(await stopGrpcServer(server, 200), "forced");
    const err = await failed;
    assert.ok([status.CANCELLED, status.UNAVAILABLE].includes(err.code), `got ${status[err.code]}`);
    health.closeWatches();
    client.close();
  });
});
