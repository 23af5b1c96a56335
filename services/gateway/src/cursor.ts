/**
 * Opaque page cursors: a small JSON position, base64url-encoded, so callers pass it back unchanged and
 * never depend on its shape. A cursor that does not decode to the expected position is refused with a
 * message saying where cursors come from, instead of silently restarting from the first page.
 */
import { IsaraError } from "@isara/core";

/** Longest cursor accepted, in characters (query schemas use it too). */
export const MAX_CURSOR_CHARS = 512;

/** Encodes a position as a cursor. */
export function encodeCursor(position: Readonly<Record<string, string | number>>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/**
 * Decodes a cursor whose fields `check` accepts.
 * @throws IsaraError `invalid_argument` for anything else, e.g. a cursor edited by hand or taken from
 *   another list.
 */
export function decodeCursor<T>(cursor: string, check: (value: Record<string, unknown>) => T | undefined): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const position =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? check(value as Record<string, unknown>)
      : undefined;
  if (position === undefined) {
    throw new IsaraError(
      "invalid_argument",
      "cursor is not one this list issued; pass the nextCursor of the previous page unchanged, or leave it out for the first page",
      [{ in: "querystring", field: "cursor", problem: "is not a cursor of this list" }],
    );
  }
  return position;
}

/** `true` for a non-negative safe integer, the only numbers positions hold. */
export function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
