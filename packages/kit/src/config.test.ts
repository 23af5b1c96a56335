import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { z } from "zod";
import { type ConfigProblem, loadConfig } from "./config.js";
import { envBoolean, envDuration, envLogLevel, envPort, envUrl } from "./env-vars.js";

const schema = z.object({
  PORT: envPort().default(8080),
  QDRANT_URL: envUrl({ protocols: ["http", "https"] }),
  REQUEST_TIMEOUT: envDuration().default(30_000),
  LOG_LEVEL: envLogLevel().default("info"),
  DRY_RUN: envBoolean().default(false),
  MODE: z.enum(["embedded", "distributed"]),
  TENANT: z.string(),
});

/** Runs `fn`, expecting it to throw, and returns the IsaraError it threw. */
function thrown(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    assert.ok(isIsaraError(err, "invalid_argument"), `expected invalid_argument, got ${String(err)}`);
    return err;
  }
  assert.fail("expected loadConfig to throw");
}

describe("loadConfig", () => {
  it("returns typed values with defaults applied for unset and empty variables", () => {
    const config = loadConfig(schema, {
      QDRANT_URL: "http://qdrant:6333",
      MODE: "distributed",
      TENANT: "acme",
      PORT: "",
      DRY_RUN: "1",
      UNRELATED: "ignored",
    });
    assert.deepEqual(config, {
      PORT: 8080,
      QDRANT_URL: "http://qdrant:6333/",
      REQUEST_TIMEOUT: 30_000,
      LOG_LEVEL: "info",
      DRY_RUN: true,
      MODE: "distributed",
      TENANT: "acme",
    });
    assert.ok(Object.isFrozen(config), "config should be read-only");
  });

  it("lists every problem at once, one line per variable, each saying what was expected", () => {
    const err = thrown(() =>
      loadConfig(schema, {
        PORT: "80800",
        QDRANT_URL: "ftp://user:secret@files",
        REQUEST_TIMEOUT: "30",
        LOG_LEVEL: "verbose",
        DRY_RUN: "yes",
        MODE: "cloud",
      }),
    );
    const problems = err.details as ConfigProblem[];
    assert.deepEqual(
      problems.map((p) => p.variable),
      ["PORT", "QDRANT_URL", "REQUEST_TIMEOUT", "LOG_LEVEL", "DRY_RUN", "MODE", "TENANT"],
    );
    for (const p of problems) {
      assert.match(err.message, new RegExp(`^  ${p.variable}: .*\\(expected .+\\)$`, "m"));
    }
    assert.match(err.message, /7 problems/);
    assert.match(err.message, /PORT: is "80800" \(expected an integer from 1 to 65535\)/);
    assert.match(err.message, /MODE: is "cloud" \(expected one of: embedded, distributed\)/);
    assert.match(err.message, /TENANT: is not set \(expected string\)/);
    assert.match(err.message, /QDRANT_URL: has protocol "ftp" \(expected an absolute http or https URL\)/);
  });

  it("never echoes a URL value, which may hold a password", () => {
    const err = thrown(() => loadConfig(schema, { QDRANT_URL: "ftp://user:secret@files", MODE: "embedded" }));
    assert.doesNotMatch(err.message, /secret/);
  });

  it("says a required helper variable is not set and what it should look like", () => {
    const err = thrown(() => loadConfig(z.object({ TIMEOUT: envDuration() }), {}));
    assert.match(err.message, /TIMEOUT: is not set \(expected a duration with a unit/);
    assert.match(err.message, /1 problem\)/);
  });

  it("reads process.env when no environment is passed", () => {
    const name = "ISARA_KIT_TEST_PORT";
    process.env[name] = "9090";
    try {
      assert.deepEqual(loadConfig(z.object({ [name]: envPort() })), { [name]: 9090 });
    } finally {
      delete process.env[name];
    }
  });
});
