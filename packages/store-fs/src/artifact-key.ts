import { isAbsolute, relative, resolve, sep } from "node:path";
import { IsaraError } from "@isara/core";

/**
 * Resolves an artifact key (a relative path with `/` separators, e.g. `round-1/accepted.jsonl`) to an
 * absolute path inside `root`, or throws `invalid_argument`. A key can never name something outside
 * the root: absolute paths, drive letters, `..` segments, backslashes (a second separator on
 * Windows), NUL bytes and the root itself are refused, and the resolved path is checked to lie
 * under the root as a last line of defence. Keys come from code, but run names and file names built
 * into them can come from users, so this check is what keeps a run from writing over other files.
 */
export function resolveArtifactKey(root: string, key: string): string {
  const fail = (why: string): never => {
    throw new IsaraError(
      "invalid_argument",
      `artifact key ${JSON.stringify(key)} ${why}; use a relative path like "round-1/accepted.jsonl"`,
      { key },
    );
  };
  if (typeof key !== "string" || key === "") fail("is empty");
  if (key.includes("\0")) fail("contains a NUL byte");
  if (key.includes("\\")) fail("contains a backslash (use / as the separator)");
  if (key.startsWith("/") || isAbsolute(key) || /^[A-Za-z]:/.test(key)) fail("is an absolute path");
  const segments = key.split("/");
  if (segments.some((s) => s === "..")) fail("climbs out of the artifact folder with '..'");
  if (segments.some((s) => s === "" || s === ".")) fail("has an empty or '.' path segment");
  const absRoot = resolve(root);
  const path = resolve(absRoot, key);
  const rel = relative(absRoot, path);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel))
    fail("escapes the artifact folder");
  return path;
}
