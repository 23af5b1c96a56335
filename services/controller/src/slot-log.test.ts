import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FsArtifactStore } from "@isara/store-fs";
import { SlotLog } from "./slot-log.js";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test("a slot log keeps each slot's first row and survives a line torn by a crash", async () => {
  const dir = await mkdtemp(join(tmpdir(), "isara-slot-log-"));
  dirs.push(dir);
  const artifacts = new FsArtifactStore({ root: dir });
  const log = new SlotLog<{ slot: number; text: string }>(
    artifacts,
    "run-a/controller/round-1/prompts.jsonl",
  );
  assert.deepEqual(await log.read(), []);
  await log.append({ slot: 1, text: "first" });
  await log.append({ slot: 1, text: "duplicate" });
  // A crash in the middle of an append leaves half a line without its newline.
  await appendFile(artifacts.locate("run-a/controller/round-1/prompts.jsonl"), '{"slot": 0, "te');
  await log.append({ slot: 2, text: "after the crash" });
  assert.deepEqual(await log.read(), [
    { slot: 1, text: "first" },
    { slot: 2, text: "after the crash" },
  ]);
  const text = await readFile(artifacts.locate("run-a/controller/round-1/prompts.jsonl"), "utf8");
  assert.equal(text.split("\n").length, 5, "the torn line stays alone on its line");
});
