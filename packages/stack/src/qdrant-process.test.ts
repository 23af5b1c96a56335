import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { packageRootOf } from "@isara/kit";
import { chooseVectorStore } from "./qdrant-process.js";

const ROOT = resolve(packageRootOf(import.meta.url), "../..");
const top = mkdtempSync(join(tmpdir(), "stack-qdrant-"));
after(() => rmSync(top, { recursive: true, force: true }));

/** A repository with infra/qdrant (and the infra/lib it sources) but no ../shared next to it: a user's clone. */
function clone(): string {
  const root = join(top, "repo");
  mkdirSync(join(root, "infra"), { recursive: true });
  for (const dir of ["qdrant", "lib"]) {
    cpSync(join(ROOT, "infra", dir), join(root, "infra", dir), { recursive: true });
  }
  return root;
}

test("without QDRANT_BIN and without ../shared/bin/qdrant the stack keeps its samples in LanceDB, saying why", () => {
  const { QDRANT_BIN: _ignored, ...env } = process.env;
  const choice = chooseVectorStore(clone(), env);
  assert.equal(choice.kind, "lancedb");
  assert.match(
    choice.kind === "lancedb" ? choice.why : "",
    new RegExp(`no Qdrant server binary at ${join(top, "shared", "bin", "qdrant")} \\(the default`),
  );
});

test("QDRANT_BIN picks Qdrant as it is, so a wrong binary fails at start instead of falling back", () => {
  const choice = chooseVectorStore(clone(), { ...process.env, QDRANT_BIN: "/nowhere/qdrant" });
  assert.deepEqual(choice, { kind: "qdrant", bin: "/nowhere/qdrant" });
});
