import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { MAX_FIELD_CHARS } from "@isara/core";
import { packageRootOf } from "@isara/kit";
import { AUTH, domainBody, type GatewayFixture, seedPairs, startGateway } from "./gateway-fixture.js";

const BODY_LIMIT = 64 * 1024;
let fx: GatewayFixture;

before(async () => {
  fx = await startGateway({ bodyLimit: BODY_LIMIT });
});
after(() => fx.close());

interface ErrorBody {
  error: { code: string; message: string; details?: { in: string; field: string | null; problem: string }[] };
}

function post(body: unknown, headers: Record<string, string> = AUTH.acme) {
  return fx.app.server.inject({ method: "POST", url: "/v1/domains", headers, payload: body as object });
}

async function listNames(headers: Record<string, string> = AUTH.acme): Promise<string[]> {
  const res = await fx.app.server.inject({ method: "GET", url: "/v1/domains", headers });
  assert.equal(res.statusCode, 200);
  return (res.json() as { domains: { name: string }[] }).domains.map((d) => d.name);
}

/** Asserts a 400 whose details name `field`, and that nothing was stored and the controller was not called. */
async function assertRefused(
  body: unknown,
  field: string,
  problem: RegExp,
  status = 400,
): Promise<ErrorBody> {
  const before = await listNames();
  const res = await post(body);
  assert.equal(res.statusCode, status, res.body);
  const json = res.json() as ErrorBody;
  assert.equal(json.error.code, "invalid_argument");
  const hit = json.error.details?.find((d) => d.field === field);
  assert.ok(hit, `details name ${field}: ${JSON.stringify(json.error.details)}`);
  assert.match(hit.problem, problem);
  assert.deepEqual(await listNames(), before, "a refused domain stores nothing");
  assert.equal(fx.controller.callsOf().length, 0, "domain routes never call the controller");
  return json;
}

test("a valid domain is created (201), read back with defaults, listed, and a repeat changes nothing (200)", async () => {
  const created = await post(domainBody("habits"));
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(created.json(), { name: "habits", description: "Healthy habits", seeds: 8, evalItems: 2 });

  const detail = await fx.app.server.inject({ method: "GET", url: "/v1/domains/habits", headers: AUTH.acme });
  assert.equal(detail.statusCode, 200);
  const domain = detail.json() as {
    config: { isara: { rounds: number; demos: number } };
    seeds: unknown[];
    eval: { incorrect: string[] }[];
  };
  assert.equal(domain.config.isara.rounds, 2, "the caller's value is kept");
  assert.equal(domain.config.isara.demos, 8, "unset settings get the paper default");
  assert.deepEqual(domain.seeds, seedPairs());
  assert.deepEqual(domain.eval[0]?.incorrect, [], "eval defaults are filled");

  const again = await post(domainBody("habits"));
  assert.equal(again.statusCode, 200);
  assert.deepEqual(await listNames(), ["habits"]);
  assert.ok(existsSync(fx.artifacts.locate("tenants/acme/domains/habits/seeds.jsonl")));
});

test("another domain under an existing name is refused with 409 and the stored one is untouched", async () => {
  await post(domainBody("stable"));
  const stored = readFileSync(fx.artifacts.locate("tenants/acme/domains/stable/domain.json"), "utf8");
  const res = await post({ ...domainBody("stable"), seeds: seedPairs(9) });
  assert.equal(res.statusCode, 409);
  assert.match(
    (res.json() as ErrorBody).error.message,
    /already exists with different content.*another name/,
  );
  assert.equal(readFileSync(fx.artifacts.locate("tenants/acme/domains/stable/domain.json"), "utf8"), stored);
  const detail = await fx.app.server.inject({ method: "GET", url: "/v1/domains/stable", headers: AUTH.acme });
  assert.equal((detail.json() as { seeds: unknown[] }).seeds.length, 8);
});

test("missing fields are each named", async () => {
  const { seeds } = domainBody();
  const body = { seeds: [...seeds.slice(0, 7), { prompt: "Only a prompt here?" }] };
  const json = await assertRefused(body, "config", /"config" is missing/);
  const fields = json.error.details?.map((d) => d.field);
  assert.ok(fields?.includes("eval"), "every missing field is listed in one answer");
  assert.ok(fields?.includes("seeds[7].response"));
  assert.match(json.error.message, /"seeds\[7\]\.response" is missing/);
});

test("wrong types are refused with what was expected and what was sent", async () => {
  const body = domainBody();
  await assertRefused(
    { ...body, seeds: "eight seeds" },
    "seeds",
    /must be a list \[ … \], got "eight seeds"/,
  );
  const numbers = { ...body, seeds: [{ prompt: 42, response: "x" }, ...body.seeds.slice(1)] };
  await assertRefused(numbers, "seeds[0].prompt", /must be text in quotes, got 42/);
  await assertRefused({ ...body, config: ["habits"] }, "config", /must be an object/);
});

test("too few seeds are refused with the number given and needed", async () => {
  const body = { ...domainBody(), seeds: seedPairs(3) };
  await assertRefused(body, "seeds", /lists 3 items, but needs at least 8 — a domain takes 8-100 seed pairs/);
});

test("an oversized field is refused with its length and the limit", async () => {
  const seeds = seedPairs();
  seeds[4] = { prompt: "A long one?", response: "x".repeat(MAX_FIELD_CHARS + 1) };
  await assertRefused(
    { ...domainBody(), seeds },
    "seeds[4].response",
    new RegExp(`is ${MAX_FIELD_CHARS + 1} characters long, over the limit of ${MAX_FIELD_CHARS}`),
  );
});

test("a body over the limit is refused with 413 and a message that says the limit", async () => {
  const seeds = seedPairs().map((s) => ({ ...s, response: "y".repeat(10_000) }));
  const before = await listNames();
  const res = await post({ ...domainBody("huge"), seeds });
  assert.equal(res.statusCode, 413);
  const json = res.json() as ErrorBody;
  assert.match(json.error.message, new RegExp(`larger than the limit of ${BODY_LIMIT} bytes \\(64 KiB\\)`));
  assert.deepEqual(await listNames(), before);
});

test("unknown fields are refused with a did-you-mean, in the body and in the config", async () => {
  const typo = { ...domainBody(), evals: [] };
  await assertRefused(typo, "evals", /not a known field — did you mean "eval"\?/);
  const configTypo = domainBody("typo", { isara: { roundz: 2 } });
  await assertRefused(configTypo, "config.isara.roundz", /did you mean "rounds"/);
});

test("core's domain checks run too: duplicate seed prompts, eval prompts copied from seeds, a bad name", async () => {
  const seeds = seedPairs();
  seeds[5] = { prompt: seeds[1]?.prompt ?? "", response: "Another answer to the same question." };
  const dup = await assertRefused(
    { ...domainBody(), seeds },
    "seeds[5].prompt",
    /repeats the prompt on row 2/,
  );
  assert.match(dup.error.message, /domain "habits" is invalid/);
  const leaked = domainBody();
  leaked.eval[0] = { id: "e1", prompt: leaked.seeds[0]?.prompt ?? "", correct: ["x"] };
  await assertRefused(leaked, "eval[0].prompt", /also the seed prompt on seeds row 1/);
  await assertRefused(domainBody("Bad Name"), "config.name", /lowercase letters, digits or '-'/);
});

test("a body that is not JSON is refused with 400 (415 for another content type)", async () => {
  const broken = await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: { ...AUTH.acme, "content-type": "application/json" },
    payload: '{"config": {',
  });
  assert.equal(broken.statusCode, 400);
  assert.match((broken.json() as ErrorBody).error.message, /not valid JSON/);
  const text = await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: { ...AUTH.acme, "content-type": "text/plain" },
    payload: "config",
  });
  assert.equal(text.statusCode, 415);
  assert.match((text.json() as ErrorBody).error.message, /application\/json/);
});

test("a body that is not UTF-8 is refused with its line and byte, not stored as U+FFFD; UTF-8 text is kept", async () => {
  const json = JSON.stringify(domainBody("latin1"), null, 1);
  const at = Buffer.byteLength(json.slice(0, json.indexOf("Healthy")));
  const bytes = Buffer.from(json);
  bytes[at] = 0xc9; // "É" as Latin-1 writes it; in UTF-8 a lead byte, here without its continuation byte
  const line = json.slice(0, json.indexOf("Healthy")).split("\n").length;
  const before = await listNames();
  const res = await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: { ...AUTH.acme, "content-type": "application/json" },
    payload: bytes,
  });
  assert.equal(res.statusCode, 400, res.body);
  const error = (res.json() as ErrorBody).error;
  assert.equal(error.code, "invalid_argument");
  assert.match(
    error.message,
    new RegExp(`not valid UTF-8 at line ${line}, column \\d+ \\(byte offset ${at}, byte 0xC9\\)`),
  );
  assert.match(error.message, /re-save the domain's files as UTF-8/);
  assert.deepEqual(await listNames(), before, "a refused body stores nothing");

  const ok = await post(domainBody("accents", { description: "Élan — 日本語 😀" }));
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.json().description, "Élan — 日本語 😀");
});

test("an unknown domain is 404 with how to create one; a malformed name in the path is 400", async () => {
  const missing = await fx.app.server.inject({ method: "GET", url: "/v1/domains/nope", headers: AUTH.acme });
  assert.equal(missing.statusCode, 404);
  assert.match(
    (missing.json() as ErrorBody).error.message,
    /domain "nope" not found; create it with POST \/v1\/domains/,
  );
  const bad = await fx.app.server.inject({ method: "GET", url: "/v1/domains/NOPE!", headers: AUTH.acme });
  assert.equal(bad.statusCode, 400);
  assert.equal((bad.json() as ErrorBody).error.details?.[0]?.in, "path");
});

/** The shared data folder: `ISARA_SHARED_DATA`, else `../shared/data` beside the repository. */
function sharedData(): string {
  return process.env.ISARA_SHARED_DATA ?? resolve(packageRootOf(import.meta.url), "../../../shared/data");
}

const truthful = join(sharedData(), "truthfulqa");
const skip = existsSync(join(truthful, "seeds.jsonl"))
  ? false
  : `skipped: the TruthfulQA domain test needs ${truthful} (set ISARA_SHARED_DATA to the shared data folder)`;

test("a real domain (TruthfulQA seeds and eval questions) is accepted and stored whole", {
  skip,
}, async () => {
  const rows = (file: string) =>
    readFileSync(join(truthful, file), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            question: string;
            best_answer: string;
            correct_answers: string[];
            incorrect_answers: string[];
          },
      );
  const seeds = rows("seeds.jsonl")
    .slice(0, 32)
    .map((r) => ({ prompt: r.question, response: r.best_answer }));
  const evalItems = rows("eval.jsonl")
    .slice(0, 50)
    .map((r) => ({
      id: r.id,
      prompt: r.question,
      correct: r.correct_answers,
      incorrect: r.incorrect_answers,
    }));
  const res = await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: AUTH.globex,
    payload: { config: { name: "truthfulqa" }, seeds, eval: evalItems },
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual(res.json(), { name: "truthfulqa", description: "", seeds: 32, evalItems: 50 });
  assert.deepEqual(await listNames(AUTH.globex), ["truthfulqa"]);
});
