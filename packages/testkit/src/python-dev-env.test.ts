import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DEV_PYTHON_ENV, pythonDevEnv } from "./python-dev-env.js";

const root = mkdtempSync(join(tmpdir(), "testkit-python-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes an executable stand-in for a Python interpreter that exits with `status` (after `stderr`). */
function fakePython(name: string, status: number, stderr = ""): string {
  const path = join(root, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' '${stderr}' >&2\nexit ${status}\n`);
  chmodSync(path, 0o755);
  return path;
}

test("pythonDevEnv skips with the setup command when the venv is missing", () => {
  const py = pythonDevEnv(["rouge_score"], { env: {}, root });
  assert.equal(py.ok, false);
  assert.match(String(py.skip), /\.venv\/bin\/python does not exist/);
  assert.match(String(py.skip), /infra\/python-dev-env\.sh/);
});

test("pythonDevEnv uses <root>/.venv/bin/python when it imports the modules", () => {
  mkdirSync(join(root, ".venv", "bin"), { recursive: true });
  const python = fakePython(join(".venv", "bin", "python"), 0);
  const py = pythonDevEnv(["rouge_score.rouge_scorer"], { env: {}, root });
  assert.deepEqual(py, { ok: true, path: python, skip: false });
});

test("pythonDevEnv reports a venv that lacks a module, with Python's own message", () => {
  fakePython("broken-python", 1, "ModuleNotFoundError: No module named rouge_score");
  const py = pythonDevEnv(["rouge_score"], { env: { [DEV_PYTHON_ENV]: "broken-python" }, root });
  assert.equal(py.ok, false);
  assert.match(
    String(py.skip),
    /cannot import rouge_score \(ModuleNotFoundError: No module named rouge_score\)/,
  );
});

test("pythonDevEnv refuses strings that are not module names", () => {
  assert.throws(() => pythonDevEnv(["os; import shutil"], { env: {}, root }), /not Python module names/);
});
