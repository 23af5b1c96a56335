import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The monorepo root: the nearest folder at or above `from` whose package.json declares `workspaces`.
 * Tests use it to find repo files (scripts, the dev venv) without depending on the working directory
 * node was started from, so `node --test` works from the root, a package folder or a turbo task.
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && hasWorkspaces(manifest)) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `no package.json with "workspaces" at or above ${from}: is this inside the ISARA repo?`,
      );
    }
    dir = parent;
  }
}

function hasWorkspaces(manifest: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, "utf8"));
    return typeof parsed === "object" && parsed !== null && "workspaces" in parsed;
  } catch {
    return false;
  }
}
