import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CreateRunRequest, ErrorCode, Phase, RunLifecycle, RunMode } from "@isara/contracts";
import { MAX_BASE_MODEL_CHARS } from "@isara/core";
import { AUTH, domainBody, type GatewayFixture, startGateway } from "./gateway-fixture.js";

let fx: GatewayFixture;

interface ErrorBody {
  error: { code: string; message: string; details?: { field: string | null; problem: string }[] };
}
interface Run {
  id: string;
  domain: string;
  mode: string;
  state: string;
  round: number;
  phase: string | null;
  plannedRounds: number;
  rounds: { round: number; metrics: Record<string, number> | null }[];
}

before(async () => {
  fx = await startGateway();
  for (const name of ["habits", "chess"]) {
    const res = await fx.app.server.inject({
      method: "POST",
      url: "/v1/domains",
      headers: AUTH.acme,
      payload: domainBody(name),
    });
    assert.equal(res.statusCode, 201);
  }
});
after(() => fx.close());

function createRun(payload: object, headers: Record<string, string> = AUTH.acme) {
  return fx.app.server.inject({ method: "POST", url: "/v1/runs", headers, payload });
}

test("POST /v1/runs starts a run: the controller gets the scoped id, the domain folder, mode, overrides and the log context", async () => {
  const res = await createRun(
    {
      domain: "habits",
      runId: "first",
      mode: "one-shot",
      overrides: { rounds: 1, promptsPerRound: 16, seed: 7, baseModel: "smollm2" },
    },
    { ...AUTH.acme, "x-request-id": "req-create-1" },
  );
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.headers["x-request-id"], "req-create-1");
  const run = res.json() as Run;
  assert.equal(run.id, "first");
  assert.equal(run.mode, "one-shot");
  assert.equal(run.state, "running");
  assert.equal(run.plannedRounds, 1);

  const [call] = fx.controller.callsOf("CreateRun");
  assert.ok(call);
  const spec = CreateRunRequest.fromPartial(call.request as CreateRunRequest).spec;
  assert.equal(spec?.runId, "acme--first");
  assert.equal(spec?.tenant, "acme", "the run's tenant, for the controller's admission");
  assert.deepEqual(spec?.domain, { name: "habits", source: "tenants/acme/domains/habits" });
  assert.equal(spec?.mode, RunMode.ONE_SHOT);
  assert.deepEqual(spec?.overrides, {
    rounds: 1,
    promptsPerRound: 16,
    demos: undefined,
    seed: 7,
    baseModel: "smollm2",
  });
  assert.equal(call.metadata["x-request-id"], "req-create-1");
  assert.equal(call.metadata["x-isara-run"], "acme--first");
  assert.equal(call.metadata["x-isara-domain"], "habits");
  assert.equal(call.metadata["x-isara-tenant"], "acme");

  const line = fx.logs.find((l) => l.msg === "run created");
  assert.ok(line, "the gateway logs the creation");
  assert.equal(line.service, "gateway");
  assert.equal(line.component, "http");
  assert.equal(line.requestId, "req-create-1");
  assert.equal(line.tenant, "acme");
  assert.equal(line.run, "acme--first");
  assert.equal(line.domain, "habits");
  assert.ok(
    fx.logs.every((l) => !JSON.stringify(l).includes("acme-secret-token-1")),
    "no token reaches the log",
  );
});

test("the same run id and request again returns the same run; with another request it is refused with 409", async () => {
  const first = await createRun({ domain: "habits", runId: "twice" });
  const again = await createRun({ domain: "habits", runId: "twice" });
  assert.equal(again.statusCode, 201);
  assert.deepEqual(again.json(), first.json());
  const other = await createRun({ domain: "chess", runId: "twice" });
  assert.equal(other.statusCode, 409);
  assert.match((other.json() as ErrorBody).error.message, /exists with another spec/);
  assert.equal(fx.controller.status("acme--twice")?.domain, "habits");
});

test("a run without an id gets a generated one", async () => {
  const res = await createRun({ domain: "chess" });
  assert.equal(res.statusCode, 201);
  assert.match((res.json() as Run).id, /^run-[0-9a-f]{12}$/);
});

test("bad run requests are refused with each problem named, and the controller gets no call", async () => {
  const before = fx.controller.callsOf().length;
  const cases: [object, string, RegExp][] = [
    [{}, "domain", /"domain" is missing/],
    [{ domain: "habits", mode: "magic" }, "mode", /must be one of "isara", "base", .*got "magic"/],
    [
      { domain: "habits", runId: "Bad_Id" },
      "runId",
      /has the wrong form \(got "Bad_Id"\) — use 1-37 lowercase/,
    ],
    [{ domain: "habits", overrides: { rounds: 0 } }, "overrides.rounds", /must be at least 1, got 0/],
    [{ domain: "habits", overrides: { rounds: "3" } }, "overrides.rounds", /must be a whole number, got "3"/],
    [{ domain: "habits", overrides: { round: 3 } }, "overrides.round", /did you mean "rounds"/],
    [
      { domain: "habits", overrides: { baseModel: "  " } },
      "overrides.baseModel",
      /name a model, not only spaces/,
    ],
    [
      { domain: "habits", overrides: { baseModel: "m".repeat(MAX_BASE_MODEL_CHARS + 1) } },
      "overrides.baseModel",
      new RegExp(`over the limit of ${MAX_BASE_MODEL_CHARS}`),
    ],
  ];
  for (const [payload, field, problem] of cases) {
    const res = await createRun(payload);
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    const details = (res.json() as ErrorBody).error.details ?? [];
    const hit = details.find((d) => d.field === field);
    assert.ok(hit, `${field} in ${JSON.stringify(details)}`);
    assert.match(hit.problem, problem);
  }
  const unknown = await createRun({ domain: "no-such-domain" });
  assert.equal(unknown.statusCode, 404);
  assert.match(
    (unknown.json() as ErrorBody).error.message,
    /domain "no-such-domain" not found; create it first/,
  );
  assert.equal(fx.controller.callsOf().length, before);
});

test("GET /v1/runs lists the tenant's runs newest first, pages with a cursor, and filters by domain and state", async () => {
  for (const id of ["p1", "p2", "p3"])
    assert.equal((await createRun({ domain: "chess", runId: id })).statusCode, 201);
  await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: AUTH.globex,
    payload: domainBody("chess"),
  });
  await createRun({ domain: "chess", runId: "theirs" }, AUTH.globex);

  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/v1/runs?domain=chess&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
    const res = await fx.app.server.inject({ method: "GET", url, headers: AUTH.acme });
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as { runs: Run[]; nextCursor: string | null };
    assert.ok(page.runs.length <= 2);
    ids.push(...page.runs.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  assert.deepEqual(ids.slice(0, 3), ["p3", "p2", "p1"]);
  assert.ok(!ids.includes("theirs"));
  assert.equal(new Set(ids).size, ids.length, "no run twice across pages");

  fx.controller.update("acme--p2", {
    lifecycle: RunLifecycle.DONE,
    stopReason: "reached the last round (3)",
  });
  const done = await fx.app.server.inject({ method: "GET", url: "/v1/runs?state=done", headers: AUTH.acme });
  assert.deepEqual(
    (done.json() as { runs: Run[] }).runs.map((r) => r.id),
    ["p2"],
  );

  const bad = await fx.app.server.inject({
    method: "GET",
    url: "/v1/runs?cursor=bm9wZQ",
    headers: AUTH.acme,
  });
  assert.equal(bad.statusCode, 400);
  assert.match((bad.json() as ErrorBody).error.message, /cursor is not one this list issued/);
  const typo = await fx.app.server.inject({ method: "GET", url: "/v1/runs?stat=done", headers: AUTH.acme });
  assert.equal(typo.statusCode, 400);
  assert.match(
    (typo.json() as ErrorBody).error.message,
    /query parameter "stat" is not a known field — did you mean "state"/,
  );
});

test("GET /v1/runs/:id shows the run with core's names; an unknown id is 404", async () => {
  await createRun({ domain: "habits", runId: "shown" });
  fx.controller.update("acme--shown", {
    round: 1,
    phase: Phase.TRAIN,
    progress: { done: 3, total: 10 },
    rounds: [
      { round: 0, metrics: { values: { rougeL_diff: -0.1 } }, filter: undefined, training: undefined },
      {
        round: 1,
        learningRate: 2e-5,
        promptsWritten: 16,
        answersWritten: 16,
        filter: { written: 16, accepted: 12, rejectedBy: { "rouge-l": 4 } },
        training: undefined,
        metrics: undefined,
      },
    ],
  });
  const res = await fx.app.server.inject({ method: "GET", url: "/v1/runs/shown", headers: AUTH.acme });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), {
    id: "shown",
    domain: "habits",
    mode: "isara",
    state: "running",
    round: 1,
    phase: "train",
    plannedRounds: 3,
    progress: { done: 3, total: 10 },
    rounds: [
      {
        round: 0,
        learningRate: null,
        promptsWritten: null,
        answersWritten: null,
        filter: null,
        training: null,
        metrics: { rougeL_diff: -0.1 },
      },
      {
        round: 1,
        learningRate: 2e-5,
        promptsWritten: 16,
        answersWritten: 16,
        filter: { written: 16, accepted: 12, rejectedBy: { "rouge-l": 4 } },
        training: null,
        metrics: null,
      },
    ],
    stopReason: null,
    error: null,
    queuePosition: null,
  });

  const metrics = await fx.app.server.inject({
    method: "GET",
    url: "/v1/runs/shown/metrics",
    headers: AUTH.acme,
  });
  assert.equal(metrics.statusCode, 200);
  assert.deepEqual(metrics.json(), {
    id: "shown",
    domain: "habits",
    state: "running",
    baseline: { rougeL_diff: -0.1 },
    rounds: [
      { round: 0, metrics: { rougeL_diff: -0.1 }, keptFraction: null, finalLoss: null },
      { round: 1, metrics: null, keptFraction: 0.75, finalLoss: null },
    ],
  });

  const missing = await fx.app.server.inject({ method: "GET", url: "/v1/runs/ghost", headers: AUTH.acme });
  assert.equal(missing.statusCode, 404);
  assert.equal(
    (missing.json() as ErrorBody).error.message,
    'run "ghost" not found; list your runs with GET /v1/runs',
  );
});

test("a run over the tenant's running limit is queued with its place; over the queue limit POST answers 429 with the controller's message", async () => {
  const domain = await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: AUTH.globex,
    payload: domainBody("habits"),
  });
  assert.ok([201, 409].includes(domain.statusCode), domain.body);
  fx.controller.tenantLimits = { maxRunningRuns: 0, maxQueuedRuns: 2 };
  try {
    const first = await createRun({ domain: "habits", runId: "wait-1" }, AUTH.globex);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal((first.json() as Run).state, "queued");
    assert.equal((first.json() as { queuePosition: number | null }).queuePosition, 1);
    assert.equal((await createRun({ domain: "habits", runId: "wait-2" }, AUTH.globex)).statusCode, 201);

    const shown = await fx.app.server.inject({ method: "GET", url: "/v1/runs/wait-2", headers: AUTH.globex });
    assert.equal(shown.statusCode, 200);
    const view = shown.json() as Run & { queuePosition: number | null; progress: unknown };
    assert.equal(view.state, "queued");
    assert.equal(view.queuePosition, 2);
    const listed = await fx.app.server.inject({
      method: "GET",
      url: "/v1/runs?state=queued",
      headers: AUTH.globex,
    });
    assert.deepEqual(
      (listed.json() as { runs: Run[] }).runs.map((r) => r.id),
      ["wait-2", "wait-1"],
      "the state filter knows queued",
    );

    const full = await createRun({ domain: "habits", runId: "wait-3" }, AUTH.globex);
    assert.equal(full.statusCode, 429, full.body);
    const error = (full.json() as ErrorBody).error;
    assert.equal(error.code, "resource_exhausted");
    assert.match(
      error.message,
      /tenant "globex" has \d+ run\(s\) running and 2 waiting, its limit of 2 waiting run\(s\)/,
    );
    assert.match(error.message, /TENANT_MAX_QUEUED=2/);
    const [call] = fx.controller.callsOf("CreateRun").slice(-1);
    assert.equal(CreateRunRequest.fromPartial(call?.request as CreateRunRequest).spec?.tenant, "globex");

    fx.controller.update("globex--wait-1", { lifecycle: RunLifecycle.RUNNING, queuePosition: undefined });
    const started = await fx.app.server.inject({
      method: "GET",
      url: "/v1/runs/wait-1",
      headers: AUTH.globex,
    });
    assert.equal((started.json() as Run).state, "running");
    assert.equal((started.json() as { queuePosition: number | null }).queuePosition, null);
  } finally {
    fx.controller.tenantLimits = undefined;
  }
});

test("POST /v1/runs/:id/cancel cancels (body optional); a finished run answers 409 with the controller's reason", async () => {
  await createRun({ domain: "habits", runId: "stop-me" });
  const res = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs/stop-me/cancel",
    headers: AUTH.acme,
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((res.json() as Run).state, "cancelled");
  const [call] = fx.controller.callsOf("CancelRun").slice(-1);
  assert.deepEqual(call?.request, { runId: "acme--stop-me", reason: "cancelled through the gateway" });

  await createRun({ domain: "habits", runId: "finished" });
  fx.controller.update("acme--finished", { lifecycle: RunLifecycle.DONE });
  const done = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs/finished/cancel",
    headers: AUTH.acme,
    payload: { reason: "changed my mind" },
  });
  assert.equal(done.statusCode, 409);
  assert.match((done.json() as ErrorBody).error.message, /finished run cannot be cancelled/);
});

test("POST /v1/runs/:id/retry resumes a failed run (body optional); a finished run answers 409", async () => {
  await createRun({ domain: "habits", runId: "broke" });
  fx.controller.update("acme--broke", {
    lifecycle: RunLifecycle.FAILED,
    error: { code: ErrorCode.UNAVAILABLE, message: "training of round 1 failed: the GPU node went away" },
  });
  const res = await fx.app.server.inject({ method: "POST", url: "/v1/runs/broke/retry", headers: AUTH.acme });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((res.json() as Run).state, "running");
  const [call] = fx.controller.callsOf("RetryRun").slice(-1);
  assert.deepEqual(call?.request, { runId: "acme--broke", reason: "retried through the gateway" });

  fx.controller.update("acme--broke", { lifecycle: RunLifecycle.CANCELLED });
  const cancelled = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs/broke/retry",
    headers: AUTH.acme,
    payload: { reason: "try again" },
  });
  assert.equal(cancelled.statusCode, 409);
  assert.match((cancelled.json() as ErrorBody).error.message, /only a failed run can be retried/);
  const other = await fx.app.server.inject({
    method: "POST",
    url: "/v1/runs/broke/retry",
    headers: AUTH.globex,
  });
  assert.equal(other.statusCode, 404, "another tenant's run is not found");
});

test("a controller that is down answers 503 with a retry hint, and /readyz fails", async () => {
  const ready = await fx.app.server.inject({ method: "GET", url: "/readyz" });
  assert.equal(ready.statusCode, 200, ready.body);
  fx.controller.close();
  const res = await fx.app.server.inject({ method: "GET", url: "/v1/runs/shown", headers: AUTH.acme });
  assert.equal(res.statusCode, 503);
  assert.equal(
    (res.json() as ErrorBody).error.message,
    "the controller is unreachable right now; retry later",
  );
  const notReady = await fx.app.server.inject({ method: "GET", url: "/readyz" });
  assert.equal(notReady.statusCode, 503);
  assert.match(notReady.body, /"controller":\{"status":"fail"/);
});
