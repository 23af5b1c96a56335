/** A stage service's process as an operator runs it: `runStageMain` in a child process (see the fixture). */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort } from "@isara/kit";

const fixture = fileURLToPath(new URL("../testing/run-stage-main-fixture.js", import.meta.url));
const REQUIRED = { KAFKA_BROKERS: "127.0.0.1:1", ARTIFACT_ROOT: "/tmp/isara-nowhere", LOG_LEVEL: "debug" };

interface LogLine {
  readonly level: string | number;
  readonly msg: string;
  readonly err?: { readonly message: string };
}

function logLines(stdout: string): LogLine[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine);
}

function runToEnd(env: Record<string, string>) {
  return spawnSync(process.execPath, [fixture], {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
}

test("a bad environment prints every problem to stderr and exits 1 before logging anything", () => {
  const run = runToEnd({ HTTP_PORT: "80800", FIXTURE_START: "later" });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /invalid configuration \(4 problems\)/);
  for (const variable of ["KAFKA_BROKERS", "ARTIFACT_ROOT", "FIXTURE_START", "HTTP_PORT"]) {
    assert.match(run.stderr, new RegExp(`^  ${variable}: `, "m"), variable);
  }
  assert.deepEqual(logLines(run.stdout), []);
});

test("a failed setup check is logged as fatal with the service's words and the cause, and exits 1", () => {
  const run = runToEnd({ ...REQUIRED, FIXTURE_SETUP: "fail" });
  assert.equal(run.status, 1);
  const fatal = logLines(run.stdout).find((l) => l.msg === "the fixture cannot run on this replica");
  assert.ok(fatal, run.stdout + run.stderr);
  assert.match(fatal.err?.message ?? "", /FIXTURE_SETUP says this replica cannot work/);
  assert.equal(
    logLines(run.stdout).some((l) => l.msg === "probe server listening"),
    false,
    "nothing starts after a failed setup check",
  );
});

test("a failed start is logged as fatal with its cause and exits 1", async () => {
  const run = runToEnd({ ...REQUIRED, FIXTURE_START: "fail", HTTP_PORT: String(await freePort()) });
  assert.equal(run.status, 1);
  const lines = logLines(run.stdout);
  const fatal = lines.find((l) => l.msg === "fixture service failed to start");
  assert.ok(fatal, run.stdout + run.stderr);
  assert.match(fatal.err?.message ?? "", /FIXTURE_START says the broker is unreachable/);
});

test("a started service serves its probes, and SIGTERM closes its components and exits 0", async () => {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [fixture], {
    env: { PATH: process.env.PATH, ...REQUIRED, HTTP_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  const exited = once(child, "exit");
  try {
    const until = Date.now() + 30_000;
    while (!logLines(stdout).some((l) => l.msg === "fixture service started")) {
      if (Date.now() > until) assert.fail(`the fixture never started:\n${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(metrics.status, 200);
    child.kill("SIGTERM");
    const [code] = await exited;
    assert.equal(code, 0);
    assert.ok(
      logLines(stdout).some((l) => l.msg === "fixture component closed"),
      `shutdown did not close the component:\n${stdout}`,
    );
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
