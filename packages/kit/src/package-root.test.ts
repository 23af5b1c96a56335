import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { packageRootOf } from "./package-root.js";

test("finds the package of a module in the shipped build and one folder deeper in the test build", () => {
  const pkg = mkdtempSync(join(tmpdir(), "isara-package-root-"));
  try {
    writeFileSync(join(pkg, "package.json"), "{}");
    mkdirSync(join(pkg, "dist-test", "src"), { recursive: true });
    assert.equal(packageRootOf(pathToFileURL(join(pkg, "dist", "x.js")).href), pkg);
    assert.equal(packageRootOf(pathToFileURL(join(pkg, "dist-test", "src", "x.js")).href), pkg);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

test("this module's own package is @isara/kit", () => {
  assert.match(packageRootOf(import.meta.url), /packages[/\\]kit$/);
});
