import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { RunLifecycle } from "@isara/contracts";
import { AUTH, domainBody, type GatewayFixture, startGateway } from "./gateway-fixture.js";

let fx: GatewayFixture;

interface ErrorBody {
  error: { code: string; message: string; requestId?: string };
}

before(async () => {
  fx = await startGateway();
  // Tenant acme owns a domain and a run; globex owns nothing yet.
  const domain = await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: AUTH.acme,
    payload: domainBody("secret-plans"),
  });
  assert.equal(domain.statusCode, 201);
  const run = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs",
    headers: AUTH.acme,
    payload: { domain: "secret-plans", runId: "r1" },
  });
  assert.equal(run.statusCode, 201, run.body);
});
after(() => fx.close());

async function acmeDomains(): Promise<string[]> {
  const res = await fx.app.server.inject({ method: "GET", url: "/v1/domains", headers: AUTH.acme });
  return (res.json() as { domains: { name: string }[] }).domains.map((d) => d.name);
}

const WRITES = [
  { method: "POST", url: "/v1/domains", payload: domainBody("intruder") },
  { method: "POST", url: "/v1/runs", payload: { domain: "secret-plans", runId: "r2" } },
  { method: "POST", url: "/v1/runs/r1/cancel", payload: { reason: "mischief" } },
  { method: "POST", url: "/v1/runs/r1/retry", payload: { reason: "mischief" } },
] as const;

const CASES = [
  {
    name: "a missing token",
    headers: {},
    challenge: /^Bearer realm="isara"$/,
    message: /missing bearer token; send the header "Authorization: Bearer <token>"/,
  },
  {
    name: "a wrong token",
    headers: { authorization: "Bearer not-a-real-token" },
    challenge: /^Bearer realm="isara", error="invalid_token"$/,
    message: /bearer token is not valid/,
  },
  {
    name: "a malformed Authorization header",
    headers: { authorization: "Basic dXNlcjpwYXNz" },
    challenge: /error="invalid_request"/,
    message: /is not "Bearer <token>"/,
  },
] as const;

for (const c of CASES) {
  test(`${c.name} gets 401 with a challenge and a message, and changes nothing`, async () => {
    const callsBefore = fx.controller.callsOf().length;
    const domainsBefore = await acmeDomains();
    for (const write of WRITES) {
      const res = await fx.app.server.inject({ ...write, headers: c.headers });
      assert.equal(res.statusCode, 401, `${write.method} ${write.url}`);
      assert.match(String(res.headers["www-authenticate"]), c.challenge);
      const body = res.json() as ErrorBody;
      assert.equal(body.error.code, "unauthenticated");
      assert.match(body.error.message, c.message);
    }
    for (const url of [
      "/v1/domains",
      "/v1/runs",
      "/v1/runs/r1",
      "/v1/runs/r1/samples",
      "/v1/runs/r1/events",
    ]) {
      const res = await fx.app.server.inject({ method: "GET", url, headers: c.headers });
      assert.equal(res.statusCode, 401, url);
    }
    assert.equal(fx.controller.callsOf().length, callsBefore, "the controller got no call");
    assert.deepEqual(await acmeDomains(), domainsBefore, "nothing was stored");
    assert.equal(
      fx.controller.status("acme--r1")?.lifecycle,
      RunLifecycle.RUNNING,
      "the run was not cancelled",
    );
  });
}

test("a bad body without a token is answered 401, not 400: authentication comes first", async () => {
  const res = await fx.app.server.inject({ method: "POST", url: "/v1/domains", payload: { nonsense: true } });
  assert.equal(res.statusCode, 401);
});

test("another tenant's domain and run read as 404 (never 403), and nothing of them changes", async () => {
  const callsBefore = fx.controller.callsOf().length;
  const domain = await fx.app.server.inject({
    method: "GET",
    url: "/v1/domains/secret-plans",
    headers: AUTH.globex,
  });
  assert.equal(domain.statusCode, 404);
  assert.match((domain.json() as ErrorBody).error.message, /domain "secret-plans" not found/);

  for (const url of ["/v1/runs/r1", "/v1/runs/r1/samples", "/v1/runs/r1/metrics", "/v1/runs/r1/events"]) {
    const res = await fx.app.server.inject({ method: "GET", url, headers: AUTH.globex });
    assert.equal(res.statusCode, 404, url);
    assert.equal(
      (res.json() as ErrorBody).error.message,
      'run "r1" not found; list your runs with GET /v1/runs',
    );
  }
  const cancel = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs/r1/cancel",
    headers: AUTH.globex,
    payload: {},
  });
  assert.equal(cancel.statusCode, 404);
  const start = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs",
    headers: AUTH.globex,
    payload: { domain: "secret-plans" },
  });
  assert.equal(start.statusCode, 404, "a run cannot be started on another tenant's domain");

  const list = await fx.app.server.inject({ method: "GET", url: "/v1/runs", headers: AUTH.globex });
  assert.deepEqual((list.json() as { runs: unknown[] }).runs, []);
  const domains = await fx.app.server.inject({ method: "GET", url: "/v1/domains", headers: AUTH.globex });
  assert.deepEqual((domains.json() as { domains: unknown[] }).domains, []);

  const about = fx.controller.callsOf().slice(callsBefore);
  assert.ok(about.length > 0);
  for (const call of about) {
    assert.equal(call.metadata["x-isara-tenant"], "globex");
    assert.doesNotMatch(JSON.stringify(call.request), /acme--/, "no call from globex names acme's run");
    assert.notEqual(call.method, "CreateRun");
  }
  assert.equal(fx.controller.status("acme--r1")?.lifecycle, RunLifecycle.RUNNING);
  assert.deepEqual(await acmeDomains(), ["secret-plans"]);
});

test("two tenants may use the same run id: each gets its own run", async () => {
  await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: AUTH.globex,
    payload: domainBody("secret-plans"),
  });
  const res = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs",
    headers: AUTH.globex,
    payload: { domain: "secret-plans", runId: "r1", mode: "base" },
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal((res.json() as { id: string; mode: string }).mode, "base");
  const acme = await fx.app.server.inject({ method: "GET", url: "/v1/runs/r1", headers: AUTH.acme });
  assert.equal((acme.json() as { mode: string }).mode, "isara", "acme's r1 is untouched");
  assert.ok(fx.controller.status("globex--r1"));
  assert.ok(fx.controller.status("acme--r1"));
});

test("probes, metrics and the OpenAPI document need no token", async () => {
  for (const url of ["/healthz", "/metrics", "/openapi.json"]) {
    const res = await fx.app.server.inject({ method: "GET", url });
    assert.equal(res.statusCode, 200, url);
  }
  const metrics = await fx.app.server.inject({ method: "GET", url: "/metrics" });
  assert.match(metrics.body, /isara_http_requests_total\{.*route="\/v1\/domains".*status="401".*\} \d+/);
});
