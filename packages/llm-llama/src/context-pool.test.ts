/**
 * The pool on real llama.cpp contexts of a tiny model: contexts are made lazily per adapter and lane,
 * bounded by maxAdapters (least recently used idle adapter closed first), and all closed on close().
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { getLlama, type Llama, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import { makeTinyFixtureFiles, type TinyFixtureFiles } from "../testing/tiny-fixture-files.js";
import { ContextPool } from "./context-pool.js";

let files: TinyFixtureFiles;
let llama: Llama;
let model: LlamaModel;

before(async () => {
  files = await makeTinyFixtureFiles();
  llama = await getLlama({ gpu: false, build: "never", skipDownload: true, maxThreads: 2 });
  model = await llama.loadModel({ modelPath: files.model });
});
after(async () => {
  await model?.dispose();
  await llama?.dispose();
  await files?.cleanup();
});

/** A factory that records what it made, so tests can see which contexts exist. */
function recordingFactory() {
  const made: { adapter: string | undefined; context: LlamaContext }[] = [];
  const create = async (adapter: string | undefined) => {
    const context = await model.createContext({ contextSize: 128, sequences: 1, threads: 1 });
    made.push({ adapter, context });
    return context;
  };
  const alive = () => made.filter((m) => !m.context.disposed).map((m) => m.adapter ?? "base");
  return { create, alive, made };
}

test("contexts are made per adapter on first use, and a second lane only when the first is busy", async () => {
  const { create, alive } = recordingFactory();
  const pool = new ContextPool(create, { lanes: 2, sequencesPerLane: 1, maxAdapters: 4 });
  const one = await pool.lease(undefined);
  await one.release();
  const again = await pool.lease(undefined);
  assert.deepEqual(alive(), ["base"], "an idle lane is reused");
  const second = await pool.lease(undefined);
  assert.deepEqual(alive(), ["base", "base"], "a busy lane gets a sibling");
  await Promise.all([again.release(), second.release()]);
  await pool.close();
  assert.deepEqual(alive(), [], "close disposes every context");
});

test("at most maxAdapters adapters keep contexts; the least recently used idle one is closed", async () => {
  const { create, alive } = recordingFactory();
  const pool = new ContextPool(create, { lanes: 1, sequencesPerLane: 1, maxAdapters: 2 });
  for (const adapter of ["a", "b", "a", "c"]) await (await pool.lease(adapter)).release();
  assert.deepEqual(alive().sort(), ["a", "c"], "b was used least recently");
  const held = await pool.lease("a");
  const d = await pool.lease("d");
  assert.deepEqual(alive().sort(), ["a", "d"], "a is busy and c idle, so c made room for d");
  await d.release();
  await held.release();
  await pool.close();
});

test("a new adapter waits while every adapter is busy, and a cancelled wait ends at once", async () => {
  const { create } = recordingFactory();
  const pool = new ContextPool(create, { lanes: 1, sequencesPerLane: 1, maxAdapters: 1 });
  const held = await pool.lease("a");
  const controller = new AbortController();
  const waiting = pool.lease("b", controller.signal);
  controller.abort();
  await assert.rejects(waiting, (err) => isIsaraError(err, "cancelled"));
  const queued = pool.lease("b");
  await held.release();
  await (await queued).release();
  await pool.close();
  await assert.rejects(pool.lease("a"), (err) => isIsaraError(err, "unavailable"));
});

test("a context that fails to build is forgotten, so the next lease tries again", async () => {
  let attempts = 0;
  const pool = new ContextPool(
    async () => {
      attempts++;
      if (attempts === 1) throw new Error("no memory");
      return model.createContext({ contextSize: 128, sequences: 1, threads: 1 });
    },
    { lanes: 1, sequencesPerLane: 1, maxAdapters: 1 },
  );
  await assert.rejects(pool.lease(undefined), /no memory/);
  const lease = await pool.lease(undefined);
  await lease.release();
  assert.equal(attempts, 2);
  await pool.close();
});
