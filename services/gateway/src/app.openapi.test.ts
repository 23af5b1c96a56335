import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { type GatewayFixture, startGateway } from "./gateway-fixture.js";

let fx: GatewayFixture;

before(async () => {
  fx = await startGateway();
});
after(() => fx.close());

/** Every route the gateway serves, as `METHOD path` in OpenAPI's path notation. */
const ROUTES = [
  "post /v1/domains",
  "get /v1/domains",
  "get /v1/domains/{name}",
  "post /v1/runs",
  "get /v1/runs",
  "get /v1/runs/{id}",
  "post /v1/runs/{id}/cancel",
  "post /v1/runs/{id}/retry",
  "get /v1/runs/{id}/samples",
  "get /v1/runs/{id}/metrics",
  "get /v1/runs/{id}/events",
  "get /openapi.json",
  "get /healthz",
  "get /readyz",
  "get /metrics",
];

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses: Record<string, unknown>;
}

async function fetchDocument(): Promise<
  { paths: Record<string, Record<string, Operation>> } & Record<string, unknown>
> {
  const res = await fx.app.server.inject({ method: "GET", url: "/openapi.json" });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /application\/json/);
  return JSON.parse(res.body);
}

test("GET /openapi.json is a valid OpenAPI 3 document", async () => {
  const document = await fetchDocument();
  const validator = new Validator();
  const result = await validator.validate(document);
  assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
  assert.equal(result.valid, true);
  assert.equal(validator.version, "3.0");
});

test("the document lists every route, with bearer auth on /v1 and the schemas fastify enforces", async () => {
  const document = await fetchDocument();
  const listed = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m} ${path}`),
  );
  assert.deepEqual([...listed].sort(), [...ROUTES].sort());
  for (const [path, ops] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const secured = path.startsWith("/v1/");
      assert.equal(op.security !== undefined, secured, `${method} ${path} security`);
      if (secured) assert.ok(op.responses["401"], `${method} ${path} documents 401`);
    }
  }
  const create = document.paths["/v1/domains"]?.post;
  const body = create?.requestBody?.content["application/json"]?.schema;
  assert.deepEqual(Object.keys(body?.properties ?? {}).sort(), ["config", "eval", "seeds"]);
  const samples = document.paths["/v1/runs/{id}/samples"]?.get;
  assert.deepEqual(samples?.parameters?.map((p) => `${p.in}:${p.name}`).sort(), [
    "path:id",
    "query:accepted",
    "query:cursor",
    "query:limit",
    "query:round",
  ]);
});
