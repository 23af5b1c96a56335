import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "@isara/kit";
import { pendingRecord } from "./process-record.js";
import { stopStackIn } from "./stack-down.js";
import { readStackFile, type StackFile, writeStackFile } from "./stack-file.js";
import { stackLogPath, superviseStack } from "./stack-launch.js";
import { formatStackStatus, readStackStatus, type StackStatus } from "./stack-status.js";

/**
 * The detached supervisor of `make up`, end to end, on a stand-in service: a node one-liner that
 * answers HTTP on loopback (no Kafka; the stack file names an address nobody listens on).
 */
const TINY = `require("node:http").createServer((q, r) => r.end("ok")).listen(Number(process.env.HTTP_PORT), "127.0.0.1", () => console.log("listening"));`;

async function writeTinyStack(dir: string, script = TINY): Promise<void> {
  await mkdir(join(dir, "logs"), { recursive: true });
  const port = await freePort();
  const file: StackFile = {
    version: 2,
    kafka: { bootstrap: "127.0.0.1:1", dataDir: null },
    gatewayUrl: `http://127.0.0.1:${port}`,
    tenant: "local",
    tokenFile: join(dir, "token"),
    restart: { initialDelayMs: 200, maxDelayMs: 1000, resetAfterMs: 60_000 },
    supervisor: null,
    services: [
      {
        ...pendingRecord("tiny"),
        spec: {
          name: "tiny",
          command: process.execPath,
          args: ["-e", script],
          env: { HTTP_PORT: String(port) },
          readyUrl: `http://127.0.0.1:${port}/readyz`,
        },
        ports: { http: port },
      },
    ],
  };
  writeStackFile(dir, file);
}

async function statusUntil(
  dir: string,
  what: string,
  test: (s: StackStatus) => boolean,
): Promise<StackStatus> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await readStackStatus(dir);
    if (status !== undefined && test(status)) return status;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; status:\n${status ? formatStackStatus(status).join("\n") : "none"}`,
      );
    }
    await sleep(50);
  }
}

const tiny = (s: StackStatus) => s.services.find((x) => x.name === "tiny");

describe("the stack's detached supervisor (real processes, no Kafka)", () => {
  let root: string;
  let dir: string;
  let n = 0;
  const pids = new Set<number>();
  const remember = (): void => {
    const file = readStackFile(dir);
    if (file?.supervisor) pids.add(file.supervisor.pid);
    for (const s of file?.services ?? []) if (s.pid !== null) pids.add(s.pid);
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "isara-stack-"));
  });
  afterEach(async () => {
    remember();
    await stopStackIn(root, dir);
    // Whatever a failed test left behind.
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const fresh = async (script?: string): Promise<string> => {
    dir = join(root, `stack-${n++}`);
    await writeTinyStack(dir, script);
    return dir;
  };

  it("fails up with the service's own words when it dies while starting, and the supervisor exits", async () => {
    await fresh("console.error('config: MODEL_PATH /nope does not exist'); process.exit(1)");
    await assert.rejects(
      superviseStack(dir),
      /tiny \(pid \d+\) exited while starting[\s\S]*MODEL_PATH \/nope/,
    );
    remember();
    // `up` hears of the failure from the supervisor just before that process ends.
    const status = await statusUntil(dir, "the supervisor to exit", (s) => s.supervisor === "exited");
    assert.equal(status?.supervisor, "exited");
    assert.equal(status?.file.supervisor?.phase, "failed");
    assert.equal(tiny(status as StackStatus)?.state, "exited");
    assert.match(tiny(status as StackStatus)?.detail ?? "", /^exit code 1 after/);
  });

  it("restarts a service killed with SIGKILL, and status shows the restart and its reason", async () => {
    await fresh();
    const supervisorPid = await superviseStack(dir);
    remember();
    const up = await statusUntil(dir, "tiny ready", (s) => tiny(s)?.state === "running");
    assert.equal(up.supervisor, "running");
    const first = tiny(up)?.pid ?? 0;
    assert.ok(first > 0 && first !== supervisorPid);

    process.kill(first, "SIGKILL");
    const healed = await statusUntil(
      dir,
      "the restart",
      (s) => tiny(s)?.state === "running" && tiny(s)?.pid !== first,
    );
    remember();
    const line = formatStackStatus(healed).find((l) => l.startsWith("tiny"));
    assert.match(
      line ?? "",
      /running .*1 restart, last exit: signal SIGKILL \(out-of-memory killer or kill -9\)/,
    );
    const log = await readFile(stackLogPath(dir), "utf8");
    assert.match(log, new RegExp(`tiny \\(pid ${first}\\) exited: signal SIGKILL .*; restart 1 in 200 ms`));
    assert.match(log, /its log ends with:\n {4}listening/);
    assert.match(log, /restarted tiny \(pid \d+, restart 1\)/);
  });

  it("never shows a dead service as running: with the supervisor gone too, it is exited and unsupervised", async () => {
    await fresh();
    const supervisorPid = await superviseStack(dir);
    const up = await statusUntil(dir, "tiny ready", (s) => tiny(s)?.state === "running");
    remember();
    process.kill(supervisorPid, "SIGKILL");
    await statusUntil(dir, "the supervisor's death", (s) => s.supervisor === "exited");
    process.kill(tiny(up)?.pid ?? 0, "SIGKILL");
    // While the kernel tears it down it may briefly show as `not ready`; never again as running.
    const dead = await statusUntil(dir, "tiny gone", (s) => {
      assert.notEqual(tiny(s)?.state, "running", "a killed process shown as running");
      return tiny(s)?.state === "exited";
    });
    assert.equal(tiny(dead)?.pid, null);
    assert.match(tiny(dead)?.detail ?? "", /no exit status recorded; not restarted: no supervisor runs/);
    assert.match(formatStackStatus(dead)[0] ?? "", /^supervisor +pid \d+ +exited/);
    await sleep(500);
    assert.equal(tiny((await readStackStatus(dir)) as StackStatus)?.state, "exited", "nobody restarted it");
  });

  it("down stops the supervisor first, so nothing it stops comes back", async () => {
    await fresh();
    await superviseStack(dir);
    const up = await statusUntil(dir, "tiny ready", (s) => tiny(s)?.state === "running");
    remember();
    const lines: string[] = [];
    assert.equal(await stopStackIn(root, dir, (l) => lines.push(l)), true);
    assert.match(lines[0] ?? "", /^stopped the supervisor/);
    assert.match(lines[1] ?? "", /^stopped tiny/);
    assert.equal(readStackFile(dir), undefined);
    await sleep(600);
    const port = up.file.services[0]?.ports.http;
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), "no restarted process listens");
  });
});
