/** The service's process as an operator starts it: `node dist/main.js` with its environment. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const main = join(dirname(fileURLToPath(import.meta.url)), "main.js");

test("a bad environment stops the service at start with every problem listed", () => {
  const run = spawnSync(process.execPath, [main], {
    env: { PATH: process.env.PATH, HTTP_PORT: "80800", RETRIEVAL_ADDRESS: "retrieval" },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /invalid configuration \(4 problems\)/);
  for (const variable of ["KAFKA_BROKERS", "ARTIFACT_ROOT", "RETRIEVAL_ADDRESS", "HTTP_PORT"]) {
    assert.match(run.stderr, new RegExp(`^  ${variable}: `, "m"), variable);
  }
});
