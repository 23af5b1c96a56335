import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "./repo-root.js";

test("repoRoot finds the monorepo root from this package", () => {
  const root = repoRoot();
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces?: unknown };
  assert.ok(Array.isArray(manifest.workspaces));
});

test("repoRoot skips package.json files without workspaces on the way up", () => {
  const top = mkdtempSync(join(tmpdir(), "testkit-root-"));
  try {
    const pkg = join(top, "packages", "x", "src");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(top, "package.json"), JSON.stringify({ name: "r", workspaces: ["packages/*"] }));
    writeFileSync(join(top, "packages", "x", "package.json"), JSON.stringify({ name: "x" }));
    assert.equal(repoRoot(pkg), top);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test("repoRoot says so when it is not inside a repo", () => {
  const top = mkdtempSync(join(tmpdir(), "testkit-noroot-"));
  try {
    assert.throws(() => repoRoot(top), /no package.json with "workspaces"/);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
