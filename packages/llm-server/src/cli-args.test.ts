import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { DEFAULT_PORT, parseServerArgs } from "./cli-args.js";

test("defaults: the cached default model on 127.0.0.1:8000, no adapters", () => {
  const config = parseServerArgs([], { HOME: "/home/u" });
  assert.equal(config.modelPath, "/home/u/.cache/isara/models/SmolLM2-135M-Instruct.Q4_1.gguf");
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, DEFAULT_PORT);
  assert.deepEqual(config.adapters, {});
  assert.equal(config.parallel, undefined);
  assert.equal(config.logLevel, "info");
  assert.equal(config.help, false);
});

test("every flag, with --adapter repeated", () => {
  const config = parseServerArgs([
    "--model",
    "m.gguf",
    "--model-name",
    "judge",
    "--host",
    "0.0.0.0",
    "--port",
    "0",
    "--parallel",
    "4",
    "--context-size",
    "2048",
    "--threads",
    "2",
    "--adapter",
    "round-1=out/r1.gguf",
    "--adapter",
    "round-2=out/a=b.gguf",
    "--log-level",
    "warn",
  ]);
  assert.equal(config.modelPath, "m.gguf");
  assert.equal(config.modelName, "judge");
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.port, 0);
  assert.equal(config.parallel, 4);
  assert.equal(config.contextSize, 2048);
  assert.equal(config.threads, 2);
  assert.deepEqual(config.adapters, { "round-1": "out/r1.gguf", "round-2": "out/a=b.gguf" });
  assert.equal(config.logLevel, "warn");
});

test("every bad value is reported at once", () => {
  assert.throws(
    () =>
      parseServerArgs([
        "--port",
        "http",
        "--parallel",
        "0",
        "--adapter",
        "no-equals-sign",
        "--adapter",
        "a=x.gguf",
        "--adapter",
        "a=y.gguf",
        "--log-level",
        "verbose",
      ]),
    (err) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /--port must be an integer from 0 to 65535, got "http"/);
      assert.match(err.message, /--parallel must be an integer from 1 to 64/);
      assert.match(err.message, /--adapter must be name=path/);
      assert.match(err.message, /--adapter "a" is given twice/);
      assert.match(err.message, /--log-level must be one of/);
      return true;
    },
  );
});

test("an unknown flag is refused with the usage text", () => {
  assert.throws(
    () => parseServerArgs(["--modle", "x.gguf"]),
    (err) =>
      isIsaraError(err, "invalid_argument") && /--modle/.test(err.message) && /usage:/.test(err.message),
  );
});
