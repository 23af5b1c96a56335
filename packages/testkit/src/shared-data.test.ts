import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { firstSkip, pathOf } from "./requirement.js";
import { SHARED_DATA_ENV, sharedDataDir } from "./shared-data.js";

const top = mkdtempSync(join(tmpdir(), "testkit-shared-"));
const root = join(top, "repo");
mkdirSync(join(root), { recursive: true });
mkdirSync(join(top, "shared", "data", "truthfulqa"), { recursive: true });
after(() => rmSync(top, { recursive: true, force: true }));

test("sharedDataDir finds ../shared/data next to the repo root", () => {
  const data = sharedDataDir(undefined, { env: {}, root });
  assert.equal(pathOf(data), join(top, "shared", "data"));
  assert.equal(
    pathOf(sharedDataDir("truthfulqa", { env: {}, root })),
    join(top, "shared", "data", "truthfulqa"),
  );
});

test("sharedDataDir gives a skip reason naming the missing folder and the fix", () => {
  const data = sharedDataDir("hh-rlhf", { env: {}, root });
  assert.equal(data.ok, false);
  assert.match(String(data.skip), /hh-rlhf/);
  assert.match(String(data.skip), /ISARA_SHARED_DATA/);
  assert.equal(firstSkip(sharedDataDir(undefined, { env: {}, root }), data), data.skip);
  assert.throws(() => pathOf(data), /requirement not met/);
});

test("ISARA_SHARED_DATA overrides the default, relative to the repo root", () => {
  mkdirSync(join(root, "elsewhere"), { recursive: true });
  const data = sharedDataDir(undefined, { env: { [SHARED_DATA_ENV]: "elsewhere" }, root });
  assert.equal(pathOf(data), join(root, "elsewhere"));
  const gone = sharedDataDir(undefined, { env: { [SHARED_DATA_ENV]: "/no/such/folder" }, root });
  assert.match(String(gone.skip), /ISARA_SHARED_DATA=\/no\/such\/folder/);
});
