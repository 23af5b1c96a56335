import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import {
  DOMAIN_SLUG_PATTERN,
  domainConfigSchema,
  MAX_DOMAIN_NAME_CHARS,
  trainingSettingsSchema,
} from "./domain.js";
import { RUN_MODES } from "./run-modes.js";
import {
  baseModelSchema,
  DEFAULT_RUN_MODE,
  MAX_BASE_MODEL_CHARS,
  runOverridesSchema,
  settingJsonSchema,
} from "./run-settings.js";

test("a base model is named by 1 to MAX_BASE_MODEL_CHARS characters, not only spaces", () => {
  for (const ok of ["smollm2", " HuggingFaceTB/SmolLM2-135M ", "x".repeat(MAX_BASE_MODEL_CHARS)]) {
    assert.ok(baseModelSchema.safeParse(ok).success, ok);
  }
  for (const bad of ["", "   ", "x".repeat(MAX_BASE_MODEL_CHARS + 1)]) {
    assert.equal(baseModelSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test("run overrides hold the domain config's own limits and default nothing", () => {
  assert.deepEqual(runOverridesSchema.parse({}), {});
  for (const rounds of [0, 51, 1.5]) {
    assert.equal(runOverridesSchema.safeParse({ rounds }).success, false, String(rounds));
    assert.equal(
      domainConfigSchema.safeParse({ name: "d", isara: { rounds } }).success,
      false,
      "the config refuses it too",
    );
  }
  assert.deepEqual(runOverridesSchema.parse({ rounds: 50, seed: 2 ** 31 - 1, baseModel: "m" }), {
    rounds: 50,
    seed: 2 ** 31 - 1,
    baseModel: "m",
  });
  assert.ok(RUN_MODES.includes(DEFAULT_RUN_MODE));
});

test("the domain slug rule has the length limit in it", () => {
  assert.ok(DOMAIN_SLUG_PATTERN.test("a".repeat(MAX_DOMAIN_NAME_CHARS)));
  assert.equal(DOMAIN_SLUG_PATTERN.test("a".repeat(MAX_DOMAIN_NAME_CHARS + 1)), false);
  assert.equal(DOMAIN_SLUG_PATTERN.test("-a"), false);
});

test("a setting as JSON Schema: type and limits in the target's dialect, no $schema, default or optional", () => {
  assert.deepEqual(settingJsonSchema(runOverridesSchema.shape.rounds, "draft-7"), {
    type: "integer",
    minimum: 1,
    maximum: 50,
  });
  const learningRate = trainingSettingsSchema.shape.learningRate;
  assert.deepEqual(settingJsonSchema(learningRate, "draft-7"), {
    type: "number",
    exclusiveMinimum: 0,
    maximum: 1,
  });
  assert.deepEqual(settingJsonSchema(learningRate, "openapi-3.0"), {
    type: "number",
    minimum: 0,
    exclusiveMinimum: true,
    maximum: 1,
  });
  assert.deepEqual(settingJsonSchema(baseModelSchema.optional(), "openapi-3.0"), {
    type: "string",
    minLength: 1,
    maxLength: MAX_BASE_MODEL_CHARS,
    pattern: "\\S",
  });
});

test("a setting with a check JSON Schema cannot express is refused, not published without it", () => {
  assert.throws(
    () =>
      settingJsonSchema(
        z.number().refine((n) => n % 2 === 0),
        "draft-7",
      ),
    /refine or transform/,
  );
  assert.throws(
    () =>
      settingJsonSchema(
        z.string().transform((s) => s.length),
        "draft-7",
      ),
    /refine or transform/,
  );
});
