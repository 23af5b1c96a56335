import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "@isara/kit";
import { probeProcess } from "./process-identity.js";
import type { ProcessRecord } from "./process-record.js";
import { createSupervisor, type ProcessSpec, type Supervisor } from "./supervisor.js";

/** A tiny service: answers every request with 200 on HTTP_PORT; exits with EXIT_CODE after EXIT_AFTER ms. */
const TINY = `
const server = require("node:http").createServer((q, r) => r.end("ok"));
server.listen(Number(process.env.HTTP_PORT), "127.0.0.1", () => console.log("listening"));
if (process.env.EXIT_AFTER) setTimeout(() => process.exit(Number(process.env.EXIT_CODE)), Number(process.env.EXIT_AFTER));
`;

async function tiny(name: string, env: Record<string, string> = {}): Promise<ProcessSpec> {
  const port = await freePort();
  return {
    name,
    command: process.execPath,
    args: ["-e", TINY],
    env: { HTTP_PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
  };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const quick = { initialDelayMs: 100, maxDelayMs: 400, resetAfterMs: 60_000 };

describe("supervisor (real child processes)", () => {
  let dir: string;
  const running: Supervisor[] = [];
  const supervise = (specs: ProcessSpec[], lines: string[] = [], restart = quick) => {
    let records: readonly ProcessRecord[] = [];
    const supervisor = createSupervisor({
      specs,
      logDir: dir,
      restart,
      readyTimeoutMs: 15_000,
      log: (line) => lines.push(line),
      onChange: (r) => {
        records = r;
      },
    });
    running.push(supervisor);
    return { supervisor, record: (name: string) => records.find((r) => r.name === name) };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "isara-supervisor-"));
  });
  after(async () => {
    for (const s of running) await s.stopAll(2000);
    await rm(dir, { recursive: true, force: true });
  });

  it("restarts a process killed with SIGKILL and records the restart and its reason", async () => {
    const lines: string[] = [];
    const { supervisor, record } = supervise([await tiny("victim")], lines);
    await supervisor.startAll();
    const first = supervisor.pid("victim") ?? 0;
    const firstStart = record("victim")?.startTime ?? null;
    assert.equal(record("victim")?.state, "running");

    process.kill(first, "SIGKILL");
    const after = await until("the restart", () => {
      const r = record("victim");
      return r?.restarts === 1 && r.pid !== first ? r : undefined;
    });
    assert.equal(after.state, "running");
    assert.equal(after.lastExit?.pid, first);
    assert.equal(after.lastExit?.signal, "SIGKILL");
    assert.deepEqual(after.lastExit?.logTail, ["listening"], "the end of its log is kept with the exit");
    assert.equal(probeProcess(after.pid ?? 0, after.startTime), "ours");
    assert.equal(probeProcess(first, firstStart), "gone");
    assert.ok(
      lines.some(
        (l) =>
          l.startsWith(`victim (pid ${first}) exited: signal SIGKILL`) && l.includes("restart 1 in 100 ms"),
      ),
      lines.join("\n"),
    );
    assert.ok(lines.some((l) => l.startsWith(`restarted victim (pid ${after.pid}, restart 1)`)));
  });

  it("spaces the restarts of a crash loop exponentially up to the cap", async () => {
    const lines: string[] = [];
    const spec = await tiny("looper", { EXIT_AFTER: "30", EXIT_CODE: "3" });
    // Ready once spawned, so the loop starts at once (its readiness would race its exit).
    const noReadiness = { name: spec.name, command: spec.command, args: spec.args, env: spec.env };
    const { supervisor, record } = supervise([noReadiness], lines);
    await supervisor.startAll();
    await until("four restarts", () => ((record("looper")?.restarts ?? 0) >= 4 ? true : undefined));
    await supervisor.kill("looper");
    const delays = lines
      .filter((l) => l.startsWith("looper (pid"))
      .map((l) => /exited: exit code 3 .*; restart \d+ in (\d+) ms/.exec(l)?.[1]);
    assert.deepEqual(delays.slice(0, 4), ["100", "200", "400", "400"], lines.join("\n"));
  });

  it("leaves a process stopped on purpose down, and starts it again on request", async () => {
    const { supervisor, record } = supervise([await tiny("held")]);
    await supervisor.startAll();
    const pid = supervisor.pid("held") ?? 0;
    await supervisor.kill("held");
    await sleep(400);
    assert.equal(record("held")?.state, "stopped");
    assert.equal(record("held")?.restarts, 0);
    assert.equal(supervisor.pid("held"), undefined);
    await supervisor.start("held");
    assert.notEqual(supervisor.pid("held"), pid);
    assert.equal(record("held")?.state, "running");
  });

  it("fails the start with the end of the log when a process exits before it is ready, and stops the others", async () => {
    const ok = await tiny("first");
    const broken: ProcessSpec = {
      name: "broken",
      command: process.execPath,
      args: ["-e", "console.error('config: HTTP_PORT is missing'); process.exit(2)"],
      env: {},
      readyUrl: "http://127.0.0.1:1/readyz",
    };
    const { supervisor, record } = supervise([ok, broken]);
    await assert.rejects(
      supervisor.startAll(),
      /broken \(pid \d+\) exited while starting[\s\S]*HTTP_PORT is missing/,
    );
    assert.equal(record("broken")?.state, "exited");
    assert.equal(record("broken")?.lastExit?.code, 2);
    assert.equal(record("first")?.state, "stopped");
    assert.equal(supervisor.pid("first"), undefined);
  });
});
