import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  envBoolean,
  envDuration,
  envInt,
  envList,
  envListOf,
  envLogLevel,
  envPort,
  envUrl,
} from "./env-vars.js";

/** The messages a schema gives for `value`, or the parsed value when it passes. */
function parse<T>(schema: z.ZodType<T>, value: string): { ok: T } | { problems: string[] } {
  const r = schema.safeParse(value);
  return r.success ? { ok: r.data } : { problems: r.error.issues.map((i) => i.message) };
}

describe("env var schemas", () => {
  it("port accepts 1-65535 and refuses everything else", () => {
    assert.deepEqual(parse(envPort(), "8080"), { ok: 8080 });
    assert.deepEqual(parse(envPort(), " 1 "), { ok: 1 });
    for (const bad of ["0", "65536", "80a", "8080.5", "", "-1"]) {
      assert.ok("problems" in parse(envPort(), bad), `port ${JSON.stringify(bad)} should fail`);
    }
  });

  it("int honours its bounds", () => {
    assert.deepEqual(parse(envInt({ min: -5, max: 5 }), "-5"), { ok: -5 });
    assert.deepEqual(parse(envInt({ min: 1, max: 4 }), "5"), {
      problems: ['is "5" (expected an integer from 1 to 4)'],
    });
  });

  it("duration converts units to milliseconds and refuses bare numbers", () => {
    const cases: [string, number][] = [
      ["250ms", 250],
      ["30s", 30_000],
      ["5m", 300_000],
      ["1.5h", 5_400_000],
      ["1d", 86_400_000],
      ["0s", 0],
    ];
    for (const [text, ms] of cases) assert.deepEqual(parse(envDuration(), text), { ok: ms }, text);
    for (const bad of ["30", "5 minutes", "-1s", "s", "1w"]) {
      const r = parse(envDuration(), bad);
      assert.ok("problems" in r && /expected a duration with a unit/.test(r.problems[0] ?? ""), bad);
    }
  });

  it("boolean accepts only true/false/1/0, any case", () => {
    assert.deepEqual(parse(envBoolean(), "TRUE"), { ok: true });
    assert.deepEqual(parse(envBoolean(), "1"), { ok: true });
    assert.deepEqual(parse(envBoolean(), "False"), { ok: false });
    assert.deepEqual(parse(envBoolean(), "0"), { ok: false });
    assert.deepEqual(parse(envBoolean(), "yes"), {
      problems: ['is "yes" (expected one of true, false, 1, 0)'],
    });
  });

  it("url normalises, and checks protocols when asked", () => {
    assert.deepEqual(parse(envUrl(), "http://Qdrant:6333"), { ok: "http://qdrant:6333/" });
    assert.deepEqual(parse(envUrl({ protocols: ["https"] }), "http://x"), {
      problems: ['has protocol "http" (expected an absolute https URL)'],
    });
    assert.deepEqual(parse(envUrl(), "qdrant:6333"), {
      problems: ['has no host (expected an absolute URL, e.g. "http://qdrant:6333")'],
    });
    assert.deepEqual(parse(envUrl(), "file:///models/base.gguf"), { ok: "file:///models/base.gguf" });
    assert.deepEqual(parse(envUrl(), "not a url"), { problems: ["is not a URL (expected an absolute URL)"] });
  });

  it("list trims items and drops empty ones", () => {
    assert.deepEqual(parse(envList(), " a, b,,c ,"), { ok: ["a", "b", "c"] });
    assert.deepEqual(parse(envList(), ""), { ok: [] });
  });

  it("typed list reports every bad item with its position", () => {
    const ports = envListOf(envPort());
    assert.deepEqual(parse(ports, "9092, 9093"), { ok: [9092, 9093] });
    assert.deepEqual(parse(ports, "x,9093,70000"), {
      problems: [
        'item 1: is "x" (expected an integer from 1 to 65535)',
        'item 3: is "70000" (expected an integer from 1 to 65535)',
      ],
    });
  });

  it("log level is case-insensitive and refuses unknown names", () => {
    assert.deepEqual(parse(envLogLevel(), "DEBUG"), { ok: "debug" });
    assert.deepEqual(parse(envLogLevel(), "silent"), { ok: "silent" });
    const r = parse(envLogLevel(), "verbose");
    assert.ok(
      "problems" in r &&
        /expected one of fatal, error, warn, info, debug, trace, silent/.test(r.problems[0] ?? ""),
    );
  });

  it("a helper composes with zod's optional()", () => {
    const schema = z.object({ PORT: envPort().optional() });
    assert.deepEqual(schema.parse({}), {});
  });
});
