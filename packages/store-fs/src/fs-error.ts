import { IsaraError } from "@isara/core";

/** The `code` of a Node.js system error (`ENOSPC`, `EACCES`, ...), or undefined for anything else. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Turns a file-system failure into an {@link IsaraError} whose code and message tell a person what
 * happened to which path and what to do. The stores write atomically, so on every write failure the
 * previous content is intact; the messages say so, because "disk full" otherwise reads like data loss.
 *
 * - `ENOSPC`/`EDQUOT` -> `resource_exhausted` (retryable once space is freed)
 * - `EACCES`/`EPERM`/`EROFS` -> `permission_denied`
 * - `ENOTDIR`/`EISDIR` -> `failed_precondition` (a file stands where a folder must be, or the reverse)
 * - anything else -> `internal`, with the original error as `cause`
 */
export function storeError(err: unknown, action: "read" | "write" | "list", path: string): IsaraError {
  if (err instanceof IsaraError) return err;
  const code = errnoCode(err);
  const keep = action === "write" ? " Nothing was lost: the previous version of the file is unchanged." : "";
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return new IsaraError(
        "resource_exhausted",
        `disk full while writing ${path} (${code}): free space on that disk and rerun.${keep}`,
        { path, errno: code },
        { cause: err },
      );
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new IsaraError(
        "permission_denied",
        `no permission to ${action} ${path} (${code}): make the folder ${action === "read" ? "readable" : "writable"} ` +
          `by this user (chmod/chown) or point ISARA at another folder.${keep}`,
        { path, errno: code },
        { cause: err },
      );
    case "ENOTDIR":
    case "EISDIR":
      return new IsaraError(
        "failed_precondition",
        `cannot ${action} ${path} (${code}): a file stands where a folder is needed, or a folder where a ` +
          `file is needed; move the conflicting entry away.${keep}`,
        { path, errno: code },
        { cause: err },
      );
    default:
      return new IsaraError(
        "internal",
        `could not ${action} ${path}: ${err instanceof Error ? err.message : String(err)}`,
        { path, errno: code },
        { cause: err },
      );
  }
}
