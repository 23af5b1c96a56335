import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "./repo-root.js";
import { found, missing, type Requirement } from "./requirement.js";

/** Environment variable naming the trainer's Python interpreter, as the CLI and the stack read it. */
export const TRAINER_PYTHON_ENV = "ISARA_TRAINER_PYTHON";

const SETUP_HINT = "run `bash infra/trainer-env.sh` to create it";

/**
 * The Python interpreter of the trainer's environment (`services/trainer/.venv`, made by
 * infra/trainer-env.sh, or `ISARA_TRAINER_PYTHON`), checked to import every module in `modules`.
 * Tests that compare against torch/transformers use it rather than the lighter dev environment,
 * which has neither; a machine without it skips them with a reason that says how to fix it.
 */
export function trainerPythonEnv(
  modules: readonly string[] = [],
  options: { readonly env?: NodeJS.ProcessEnv; readonly root?: string } = {},
): Requirement {
  const env = options.env ?? process.env;
  const root = options.root ?? repoRoot();
  const configured = env[TRAINER_PYTHON_ENV];
  const python =
    configured !== undefined && configured !== ""
      ? resolve(root, configured)
      : join(root, "services", "trainer", ".venv", "bin", "python");
  if (!existsSync(python)) {
    return missing(`needs the trainer's Python environment, but ${python} does not exist; ${SETUP_HINT}`);
  }
  const bad = modules.filter((m) => !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(m));
  if (bad.length > 0) throw new Error(`not Python module names: ${bad.join(", ")}`);
  const probe = spawnSync(python, ["-c", modules.map((m) => `import ${m}`).join("; ") || "pass"], {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split("\n").pop() ?? "no output";
    return missing(
      `the trainer's Python environment at ${python} cannot import ${modules.join(", ") || "anything"} (${why}); ` +
        SETUP_HINT,
    );
  }
  return found(python);
}
