import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { QDRANT_INFRA_DIR, qdrantSkipReason } from "./qdrant-scripts.js";
import { repoRoot } from "./repo-root.js";
import { isQdrantProcess, startQdrant, testQdrant } from "./start-qdrant.js";

const top = mkdtempSync(join(tmpdir(), "testkit-qdrant-"));
after(() => rmSync(top, { recursive: true, force: true }));

/** A copy of the repo's infra/qdrant (and the infra/lib it sources) in a folder with no ../shared next to it: a user's clone. */
function cloneWithoutShared(): string {
  const root = join(top, "clone", "repo");
  mkdirSync(join(root, "infra"), { recursive: true });
  for (const dir of [QDRANT_INFRA_DIR, join("infra", "lib")]) {
    cpSync(join(repoRoot(), dir), join(root, dir), { recursive: true });
  }
  return root;
}

test("without the binary and without QDRANT_URL, Qdrant tests skip saying where the binary was looked for", () => {
  const root = cloneWithoutShared();
  const { QDRANT_BIN: _bin, QDRANT_URL: _url, ...env } = process.env;
  const reason = qdrantSkipReason({ env, root });
  assert.equal(typeof reason, "string");
  assert.match(
    String(reason),
    new RegExp(`no Qdrant server binary at ${join(top, "clone", "shared", "bin", "qdrant")}`),
  );
  assert.match(String(reason), /QDRANT_BIN/);
  assert.match(String(reason), /QDRANT_URL/);
  const named = qdrantSkipReason({ env: { ...env, QDRANT_BIN: join(top, "no-such-qdrant") }, root });
  assert.match(String(named), /no-such-qdrant \(from QDRANT_BIN\)/);
});

test("a server named by QDRANT_URL is used as it is: no skip, nothing started, nothing stopped", async () => {
  const root = cloneWithoutShared();
  const env = { PATH: process.env.PATH, QDRANT_URL: "http://127.0.0.1:6333", QDRANT_API_KEY: "k" };
  assert.equal(qdrantSkipReason({ env, root }), false);
  const qdrant = await testQdrant({ env, root });
  assert.deepEqual([qdrant.url, qdrant.apiKey], ["http://127.0.0.1:6333", "k"]);
  await qdrant.stop();
});

/** Whether the process is gone within a few seconds (SIGKILL is delivered, not waited for). */
async function goneSoon(pid: number, dataDir: string): Promise<boolean> {
  for (let i = 0; i < 50 && isQdrantProcess(pid, dataDir); i++) await sleep(100);
  return !isQdrantProcess(pid, dataDir);
}

const { QDRANT_URL: _external, ...ownEnv } = process.env;
const skip = qdrantSkipReason({ env: ownEnv });

describe("startQdrant with the real binary", () => {
  test("serves REST on loopback, keeps a caller's folder and port across restarts, and stops by PID", {
    skip,
  }, async () => {
    const dataDir = join(top, "kept");
    const first = await startQdrant({ dataDir, env: ownEnv });
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(isQdrantProcess(first.pid, dataDir));
    const created = await fetch(`${first.url}/collections/kept`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ vectors: { size: 4, distance: "Cosine" } }),
    });
    assert.equal(created.status, 200, await created.text());
    await first.stop();
    assert.equal(isQdrantProcess(first.pid, dataDir), false, "the server outlived stop()");
    assert.equal(existsSync(join(dataDir, "qdrant.pid")), false, "stop left the PID file");

    const second = await startQdrant({ dataDir, env: ownEnv });
    try {
      assert.equal(second.url, first.url, "a restart on the same folder keeps the port");
      const res = await fetch(`${second.url}/collections`);
      const body = (await res.json()) as { result: { collections: { name: string }[] } };
      assert.deepEqual(
        body.result.collections.map((c) => c.name),
        ["kept"],
      );
    } finally {
      await second.stop();
    }
    assert.ok(existsSync(join(dataDir, "qdrant.log")), "a caller's folder keeps the server's log");
  });

  test("a server in a temp folder goes away with its folder on stop(), and testQdrant starts one", {
    skip,
  }, async () => {
    const qdrant = await testQdrant({ env: ownEnv });
    const ready = await fetch(`${qdrant.url}/readyz`);
    assert.equal(ready.status, 200);
    await qdrant.stop();
    await assert.rejects(fetch(`${qdrant.url}/readyz`), "nothing answers after stop()");

    const server = await startQdrant({ env: ownEnv });
    await server.stop();
    await server.stop();
    assert.equal(existsSync(server.dataDir), false);
  });

  test("a test process that exits without stop() takes its server and temp folder down with it", {
    skip,
  }, async () => {
    const entry = new URL("./start-qdrant.js", import.meta.url).href;
    const child = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { startQdrant } = await import(${JSON.stringify(entry)});
         const server = await startQdrant();
         console.log(JSON.stringify({ pid: server.pid, dataDir: server.dataDir }));
         process.exit(0);`,
      ],
      { encoding: "utf8", timeout: 120_000, env: ownEnv },
    );
    assert.equal(child.status, 0, child.stderr);
    const { pid, dataDir } = JSON.parse(child.stdout) as { pid: number; dataDir: string };
    assert.ok(pid > 0);
    assert.ok(await goneSoon(pid, dataDir), `Qdrant ${pid} outlived its test process`);
    assert.equal(existsSync(dataDir), false, "the temp folder outlived its test process");
  });

  test("a folder with a ./config is refused before a server starts, saying why", { skip }, async () => {
    const dataDir = join(top, "with-config");
    mkdirSync(join(dataDir, "config"), { recursive: true });
    await assert.rejects(startQdrant({ dataDir, env: ownEnv }), /config exists; Qdrant would read it/);
    assert.equal(existsSync(join(dataDir, "qdrant.pid")), false);
  });
});
