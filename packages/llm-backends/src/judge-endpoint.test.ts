import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { createRootLogger, type Env, loadConfig } from "@isara/kit";
import { z } from "zod";
import { JUDGE_ENDPOINT_ENV, judgeEndpointFrom, openJudgeChat, withJudgeRules } from "./judge-endpoint.js";
import { startFakeOpenAiServer } from "./openai/fake-openai-server.js";

/** A service's schema as services build it: its own variables, the fragment, the rules. */
const schema = withJudgeRules(z.object({ ARTIFACT_ROOT: z.string(), ...JUDGE_ENDPOINT_ENV }));
const load = (env: Env) => judgeEndpointFrom(loadConfig(schema, env));

/** The variables at fault in a config error, sorted. */
function variablesOf(err: unknown): string[] {
  assert.ok(isIsaraError(err, "invalid_argument"));
  return (err.details as { variable: string }[]).map((p) => p.variable).sort();
}

test("no judge unless JUDGE_URL is set; with it, the model, key and parallelism are read", () => {
  assert.equal(load({ ARTIFACT_ROOT: "/a" }), undefined);
  assert.deepEqual(load({ ARTIFACT_ROOT: "/a", JUDGE_URL: "http://judge:8000", JUDGE_MODEL: "judge" }), {
    baseUrl: "http://judge:8000/",
    model: "judge",
    apiKey: undefined,
    parallelism: 2,
  });
  assert.deepEqual(
    load({
      ARTIFACT_ROOT: "/a",
      JUDGE_URL: "https://judge.example/v1",
      JUDGE_MODEL: "judge",
      JUDGE_API_KEY: "sk-test",
      JUDGE_PARALLEL: "6",
    }),
    { baseUrl: "https://judge.example/v1", model: "judge", apiKey: "sk-test", parallelism: 6 },
  );
});

test("half a judge is refused, whichever half is missing, beside the service's other problems", () => {
  assert.throws(
    () => load({ JUDGE_URL: "http://judge:8000", JUDGE_PARALLEL: "0" }),
    (err: unknown) => {
      assert.deepEqual(variablesOf(err), ["ARTIFACT_ROOT", "JUDGE_MODEL", "JUDGE_PARALLEL"]);
      assert.match((err as Error).message, /JUDGE_MODEL: is not set .*required when JUDGE_URL is set/);
      return true;
    },
  );
  assert.throws(
    () => load({ ARTIFACT_ROOT: "/a", JUDGE_MODEL: "judge" }),
    (err: unknown) => {
      assert.deepEqual(variablesOf(err), ["JUDGE_URL"]);
      assert.match((err as Error).message, /JUDGE_URL: is not set, but JUDGE_MODEL is/);
      return true;
    },
  );
});

test("the judge's chat client sends the served model and the key, and warns of each retried attempt", async () => {
  const server = await startFakeOpenAiServer({ models: ["judge"] });
  const lines: Record<string, unknown>[] = [];
  const logger = createRootLogger({
    level: "warn",
    name: "judge-test",
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const chat = openJudgeChat(
    { baseUrl: server.baseUrl, model: "judge", apiKey: "sk-test", parallelism: 3 },
    logger,
  );
  try {
    assert.equal(chat.modelId, "judge");
    assert.equal(chat.parallelism, 3);
    server.enqueue({ status: 503, json: { error: { message: "busy" } } });
    const reply = await chat.chat({
      messages: [{ role: "user", content: "Rate this" }],
      maxTokens: 8,
      temperature: 0,
    });
    assert.equal(reply.text, " Rate this");
    assert.equal(server.requests.length, 2, "the 503 was retried");
    const sent = server.requests[1] ?? assert.fail("no second request");
    assert.equal(sent.headers.authorization, "Bearer sk-test");
    assert.equal((sent.body as { model?: string }).model, "judge");
    assert.equal(lines.length, 1);
    assert.match(String(lines[0]?.msg), /^judge request failed; the HTTP client retries it/);
  } finally {
    await chat.close();
    await server.close();
  }
});
