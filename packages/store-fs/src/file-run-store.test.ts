import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { IsaraError, isIsaraError } from "@isara/core";
import { failingFs, realDiskFullError } from "../testing/failing-fs.js";
import { FileRunStore } from "./file-run-store.js";

interface State {
  readonly runId: string;
  readonly round: number;
}

/** A strict parse, as a real state schema would be: refuses anything that is not a State. */
function parseState(json: unknown): State {
  const s = json as Partial<State> | null;
  if (typeof s !== "object" || s === null || typeof s.runId !== "string" || !Number.isInteger(s.round)) {
    throw new IsaraError("invalid_argument", "expected {runId: string, round: integer}");
  }
  return { runId: s.runId, round: s.round as number };
}

describe("FileRunStore", async () => {
  const base = await mkdtemp(join(tmpdir(), "isara-runstore-"));
  after(() => rm(base, { recursive: true, force: true }));
  let n = 0;
  const fresh = (layout?: "file-per-run" | "folder-per-run") =>
    new FileRunStore<State>({ dir: join(base, `s${n++}`), parse: parseState, layout });

  it("loads nothing for a run never saved, then what was saved last", async () => {
    const store = fresh();
    assert.equal(await store.load("run-1"), undefined);
    await store.save("run-1", { runId: "run-1", round: 1 });
    await store.save("run-1", { runId: "run-1", round: 2 });
    assert.deepEqual(await store.load("run-1"), { runId: "run-1", round: 2 });
  });

  it("lists saved runs sorted, ignoring temp files and foreign files", async () => {
    const store = fresh();
    assert.deepEqual(await store.list(), []);
    await store.save("b", { runId: "b", round: 0 });
    await store.save("a.2", { runId: "a.2", round: 0 });
    await writeFile(join(store.dir, ".tmp-c.json.123"), "{");
    await writeFile(join(store.dir, "notes.txt"), "hi");
    assert.deepEqual(await store.list(), ["a.2", "b"]);
  });

  it("keeps each run in <dir>/<run>/state.json with the folder-per-run layout", async () => {
    const store = fresh("folder-per-run");
    await store.save("r1", { runId: "r1", round: 3 });
    await mkdir(join(store.dir, "empty-run-folder"));
    assert.equal(JSON.parse(await readFile(join(store.dir, "r1", "state.json"), "utf8")).round, 3);
    assert.deepEqual(await store.list(), ["r1"]);
    assert.deepEqual(await store.load("r1"), { runId: "r1", round: 3 });
  });

  it("refuses run ids that are not plain names", async () => {
    const store = fresh();
    for (const id of ["", "../x", "a/b", ".hidden", "x".repeat(129)]) {
      await assert.rejects(store.load(id), (err: unknown) => isIsaraError(err, "invalid_argument"));
    }
  });

  it("reports a corrupt file with its path and never overwrites it", async () => {
    const store = fresh();
    const path = store.pathOf("r1");
    await mkdir(store.dir, { recursive: true });
    await writeFile(path, '{"runId": "r1", "rou');
    const isCorrupt = (err: unknown) =>
      isIsaraError(err, "failed_precondition") &&
      err.message.includes(path) &&
      /not valid JSON/.test(err.message);
    await assert.rejects(store.load("r1"), isCorrupt);
    await assert.rejects(store.save("r1", { runId: "r1", round: 1 }), isCorrupt);
    assert.equal(await readFile(path, "utf8"), '{"runId": "r1", "rou');
  });

  it("reports a file that parses as JSON but is not a state, with the parser's reason", async () => {
    const store = fresh();
    await mkdir(store.dir, { recursive: true });
    await writeFile(store.pathOf("r2"), '{"runId": "r2", "round": "two"}');
    await assert.rejects(
      store.load("r2"),
      (err: unknown) =>
        isIsaraError(err, "failed_precondition") &&
        /not hold a valid run state \(expected \{runId/.test(err.message),
    );
  });

  it("refuses to save a state that would not load back", async () => {
    const store = fresh();
    await assert.rejects(
      store.save("r3", { runId: "r3", round: Number.NaN }),
      (err: unknown) => isIsaraError(err, "invalid_argument") && /would not load back/.test(err.message),
    );
    assert.equal(await store.load("r3"), undefined);
  });

  it("keeps the previous state when the disk fills during a save", async (t) => {
    const diskFull = await realDiskFullError();
    if (!diskFull) return t.skip("needs /dev/full to get a real ENOSPC from the kernel");
    const dir = join(base, "full");
    await new FileRunStore<State>({ dir, parse: parseState }).save("r1", { runId: "r1", round: 1 });
    const full = new FileRunStore<State>({ dir, parse: parseState, fs: failingFs("write", diskFull) });
    await assert.rejects(
      full.save("r1", { runId: "r1", round: 2 }),
      (err: unknown) => isIsaraError(err, "resource_exhausted") && /Nothing was lost/.test(err.message),
    );
    assert.deepEqual(await full.load("r1"), { runId: "r1", round: 1 });
    assert.deepEqual(await readdir(dir), ["r1.json"]);
  });
});
