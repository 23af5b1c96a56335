/**
 * A run's settings have one hand-written definition, core's zod schemas; the gateway's request schema
 * and the AlignmentRun CRD in the chart are generated from it. These tests fail on any drift: the
 * committed CRD must be what the generator makes now, and every settings field of the gateway's
 * schema and of the CRD (parsed from the chart's YAML) must have core's limits — compared keyword by
 * keyword, and by probing each field's boundaries with core, the gateway's own validator and the
 * CRD's schema, which must all accept and refuse the same values.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CRD_CHART_FILE, CRD_TEMPLATE_FILE, renderAlignmentRunCrd } from "@isara/controller";
import {
  baseModelSchema,
  DEFAULT_RUN_MODE,
  domainConfigSchema,
  isaraSettingsSchema,
  RUN_MODES,
  runModeSchema,
  settingJsonSchema,
  stopSettingsSchema,
  trainingSettingsSchema,
} from "@isara/core";
import { createRunBodySchema, createValidatorCompiler } from "@isara/gateway";
import { parse } from "yaml";
import type { z } from "zod";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const crdText = readFileSync(join(ROOT, CRD_CHART_FILE), "utf8");

type Node = Readonly<Record<string, unknown>>;

/** Keywords that state a limit; anything else in a settings field must be one of `NOT_LIMITS`. */
const LIMITS = [
  "type",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "enum",
  "multipleOf",
] as const;
const NOT_LIMITS = new Set(["description", "default"]);

/**
 * A field's limits in one form whatever the dialect: OpenAPI v3.0's `exclusiveMinimum: true` beside
 * `minimum` (the CRD) and draft-07's `exclusiveMinimum: <n>` (the gateway) both become `>` bounds.
 */
function limitsOf(node: Node, where: string): Record<string, unknown> {
  const unknown = Object.keys(node).filter(
    (k) => !(LIMITS as readonly string[]).includes(k) && !NOT_LIMITS.has(k),
  );
  assert.deepEqual(unknown, [], `${where}: keywords this test does not know`);
  const out: Record<string, unknown> = {};
  for (const key of LIMITS) if (node[key] !== undefined) out[key] = node[key];
  for (const [bound, exclusive, inclusive, op] of [
    ["lower", "exclusiveMinimum", "minimum", ">"],
    ["upper", "exclusiveMaximum", "maximum", "<"],
  ] as const) {
    const flag = out[exclusive];
    const value = out[inclusive];
    const bounds: string[] = [];
    if (flag === true) bounds.push(`${op}${String(value)}`);
    else {
      if (typeof flag === "number") bounds.push(`${op}${flag}`);
      if (value !== undefined) bounds.push(`${op}=${String(value)}`);
    }
    if (bounds.length > 0) out[bound] = bounds;
    delete out[exclusive];
    delete out[inclusive];
  }
  return out;
}

/** Whether a value passes a CRD field's schema, as the API server decides it for these keywords. */
function crdAccepts(node: Node, v: unknown): boolean {
  const type = node.type;
  if (type === "integer" && !Number.isInteger(v)) return false;
  if (type === "number" && (typeof v !== "number" || !Number.isFinite(v))) return false;
  if (type === "string" && typeof v !== "string") return false;
  if (typeof v === "number") {
    const { minimum: min, maximum: max } = node as { minimum?: number; maximum?: number };
    if (min !== undefined && (node.exclusiveMinimum === true ? v <= min : v < min)) return false;
    if (max !== undefined && (node.exclusiveMaximum === true ? v >= max : v > max)) return false;
  }
  if (typeof v === "string") {
    const length = [...v].length;
    if (typeof node.minLength === "number" && length < node.minLength) return false;
    if (typeof node.maxLength === "number" && length > node.maxLength) return false;
    if (typeof node.pattern === "string" && !new RegExp(node.pattern, "u").test(v)) return false;
  }
  if (Array.isArray(node.enum) && !node.enum.includes(v)) return false;
  return true;
}

/** Values on and around every bound any of `nodes` states, and a few of the wrong type or form. */
function probes(...nodes: Node[]): unknown[] {
  const out: unknown[] = ["3", null, true, 1.5, 0, -1, "", " ", "   ", "a", "A", "-a", "a_b", "a-b", "x y"];
  for (const node of nodes) {
    for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
      const b = node[key];
      if (typeof b === "number") out.push(b - 1, b - 0.5, b - 1e-6, b, b + 1e-6, b + 0.5, b + 1);
    }
    for (const key of ["minLength", "maxLength"]) {
      const n = node[key];
      if (typeof n === "number") for (const len of [n - 1, n, n + 1]) if (len >= 0) out.push("a".repeat(len));
    }
    if (Array.isArray(node.enum)) out.push(...node.enum, "nope");
  }
  return out;
}

/** The CRD's spec schema, parsed from the chart's file. */
function crdSpec(text: string): Node {
  const crd = parse(text) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: Node } } } }[] };
  };
  const version = crd.spec.versions[0];
  assert.ok(version, "the CRD has a version");
  return version.schema.openAPIV3Schema.properties.spec;
}

function at(node: Node, ...path: string[]): Node {
  let here: unknown = node;
  for (const key of path) here = (here as Node | undefined)?.[key];
  assert.ok(typeof here === "object" && here !== null, `${path.join(".")} is in the schema`);
  return here as Node;
}

/** Every settings field of the CRD with the core schema that defines it. */
function crdFields(spec: Node): [string, Node, z.ZodType][] {
  const fields: [string, Node, z.ZodType][] = [
    [
      "spec.domain.name",
      at(spec, "properties", "domain", "properties", "name"),
      domainConfigSchema.shape.name,
    ],
    ["spec.mode", at(spec, "properties", "mode"), runModeSchema],
    ["spec.model.base", at(spec, "properties", "model", "properties", "base"), baseModelSchema],
  ];
  const blocks: [string, Readonly<Record<string, z.ZodType>>][] = [
    ["isara", isaraSettingsSchema.shape],
    ["trainer", trainingSettingsSchema.shape],
    ["stop", stopSettingsSchema.shape],
  ];
  for (const [block, shape] of blocks) {
    const properties = at(spec, "properties", block, "properties");
    assert.ok(Object.keys(properties).length > 0, `spec.${block} has settings`);
    for (const [field, node] of Object.entries(properties)) {
      const core = shape[field];
      assert.ok(core !== undefined, `spec.${block}.${field} is not a setting of core's ${block} block`);
      fields.push([`spec.${block}.${field}`, node as Node, core]);
    }
  }
  return fields;
}

/** Every problem where a CRD field's limits are not core's (empty when they agree). */
function crdDrift(spec: Node): string[] {
  const problems: string[] = [];
  for (const [name, node, core] of crdFields(spec)) {
    const want = limitsOf(settingJsonSchema(core, "openapi-3.0"), `core's ${name}`);
    const got = limitsOf(node, `the CRD's ${name}`);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`${name}: the CRD says ${JSON.stringify(got)}, core ${JSON.stringify(want)}`);
    }
    for (const v of probes(node, settingJsonSchema(core, "openapi-3.0"))) {
      if (crdAccepts(node, v) !== core.safeParse(v).success) {
        problems.push(`${name}: the CRD ${crdAccepts(node, v) ? "accepts" : "refuses"} ${JSON.stringify(v)}`);
      }
    }
  }
  return problems;
}

test("the chart's CRD is what the generator makes now from its template and core (run `make crd` if not)", () => {
  assert.equal(crdText, renderAlignmentRunCrd(readFileSync(CRD_TEMPLATE_FILE, "utf8")));
});

test("every settings field of the CRD has core's limits, and the CRD accepts exactly what core accepts", () => {
  const spec = crdSpec(crdText);
  assert.deepEqual(crdDrift(spec), []);
  assert.deepEqual(at(spec, "properties", "mode").enum, [...RUN_MODES]);
  assert.equal(at(spec, "properties", "mode").default, DEFAULT_RUN_MODE);
});

test("the drift check is not vacuous: a CRD limit changed by hand is caught", () => {
  const spec = crdSpec(crdText);
  const rounds = at(spec, "properties", "isara", "properties", "rounds") as Record<string, unknown>;
  rounds.maximum = Number(rounds.maximum) + 1;
  const base = at(spec, "properties", "model", "properties", "base") as Record<string, unknown>;
  base.maxLength = 200;
  const problems = crdDrift(spec);
  assert.ok(
    problems.some((p) => p.startsWith("spec.isara.rounds:")),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.startsWith("spec.model.base:")),
    problems.join("\n"),
  );
});

test("every override of POST /v1/runs has core's limits, and the gateway accepts exactly what core accepts", () => {
  const validate = createValidatorCompiler()({
    schema: createRunBodySchema,
    method: "POST",
    url: "/v1/runs",
    httpPart: "body",
  }) as (data: unknown) => boolean;
  const overrides = createRunBodySchema.properties.overrides.properties as Record<string, Node>;
  /** The override's field in the domain config (what the controller checks it with), or the run's own. */
  const core: Readonly<Record<string, z.ZodType>> = {
    rounds: isaraSettingsSchema.shape.rounds,
    promptsPerRound: isaraSettingsSchema.shape.promptsPerRound,
    demos: isaraSettingsSchema.shape.demos,
    seed: isaraSettingsSchema.shape.seed,
    baseModel: baseModelSchema,
  };
  assert.deepEqual(Object.keys(overrides).sort(), Object.keys(core).sort());
  for (const [field, node] of Object.entries(overrides)) {
    const schema = core[field] as z.ZodType;
    const want = settingJsonSchema(schema, "draft-7");
    assert.deepEqual(
      limitsOf(node, `overrides.${field}`),
      limitsOf(want, `core's ${field}`),
      `overrides.${field}`,
    );
    for (const v of probes(node, want)) {
      const body = { domain: "d", overrides: { [field]: v } };
      assert.equal(validate(body), schema.safeParse(v).success, `overrides.${field} = ${JSON.stringify(v)}`);
    }
  }
  assert.deepEqual(createRunBodySchema.properties.mode.enum, [...RUN_MODES]);
});

test("the gateway's domain name accepts exactly core's domain slugs", () => {
  const validate = createValidatorCompiler()({
    schema: createRunBodySchema,
    method: "POST",
    url: "/v1/runs",
    httpPart: "body",
  }) as (data: unknown) => boolean;
  const name = domainConfigSchema.shape.name;
  const values = [
    ...probes(createRunBodySchema.properties.domain),
    "a".repeat(63),
    "a".repeat(64),
    "0-",
    "é",
  ];
  for (const v of values) {
    assert.equal(validate({ domain: v }), name.safeParse(v).success, `domain = ${JSON.stringify(v)}`);
  }
});
