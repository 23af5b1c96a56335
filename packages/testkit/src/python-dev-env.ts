import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "./repo-root.js";
import { found, missing, type Requirement } from "./requirement.js";

/** Environment variable naming a Python interpreter to use instead of `<repo>/.venv/bin/python`. */
export const DEV_PYTHON_ENV = "ISARA_DEV_PYTHON";

/** Where {@link pythonDevEnv} looks; overridable so the lookup itself can be tested. */
export interface PythonDevEnvOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly root?: string;
}

const SETUP_HINT = "run `bash infra/python-dev-env.sh` to create it";

/**
 * The Python interpreter of the dev environment (`<repo>/.venv`, made by infra/python-dev-env.sh,
 * or `ISARA_DEV_PYTHON`), checked to import every module in `modules`. Tests that compare against a
 * Python reference implementation call this so that a machine without the venv skips them with a
 * reason that says how to fix it, while a venv that exists but lacks a module is reported the same
 * way instead of failing deep inside the test.
 */
export function pythonDevEnv(
  modules: readonly string[] = [],
  options: PythonDevEnvOptions = {},
): Requirement {
  const env = options.env ?? process.env;
  const root = options.root ?? repoRoot();
  const configured = env[DEV_PYTHON_ENV];
  const python =
    configured !== undefined && configured !== ""
      ? resolve(root, configured)
      : join(root, ".venv", "bin", "python");
  if (!existsSync(python)) {
    return missing(`needs the Python dev environment, but ${python} does not exist; ${SETUP_HINT}`);
  }
  const bad = modules.filter((m) => !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(m));
  if (bad.length > 0) throw new Error(`not Python module names: ${bad.join(", ")}`);
  const probe = spawnSync(python, ["-c", modules.map((m) => `import ${m}`).join("; ") || "pass"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? lastLine(probe.stderr);
    return missing(
      `the Python dev environment at ${python} cannot import ${modules.join(", ") || "anything"} (${why}); ` +
        SETUP_HINT,
    );
  }
  return found(python);
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1] ?? "no output";
}
