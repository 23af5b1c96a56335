import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of the workspace package that holds the module at `moduleUrl` (pass `import.meta.url`):
 * the nearest folder at or above it with a `package.json`. A module finds its package's files (a
 * template, the repository beside it) through this rather than a fixed number of `..`, because the
 * same module runs from the shipped build (`dist/`) and from the test build (`dist-test/src/`), one
 * folder deeper.
 * @throws Error when no folder above has a `package.json` (the module is not inside a package).
 */
export function packageRootOf(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json at or above ${start}`);
  }
}
