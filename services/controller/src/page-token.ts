/**
 * Page tokens of ListRuns: the position of the last run of the previous page (its creation time and
 * id, the listing order) and a fingerprint of the filter. Keyset paging, so runs created between two
 * pages neither shift nor repeat the runs the caller has not seen; a token of another filter is
 * refused rather than silently skipping runs. Opaque to callers (base64url JSON), but no secret.
 */
import { createHash } from "node:crypto";
import { IsaraError } from "@isara/core";

/** Where the previous page ended, in (createdAt desc, runId asc) order. */
export interface RunPosition {
  readonly createdAt: string;
  readonly runId: string;
}

/** Page size when the caller sends 0 (the contract's default). */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest page; bigger requests are served this many. */
export const MAX_PAGE_SIZE = 500;

function fingerprint(filter: unknown): string {
  return createHash("sha256").update(JSON.stringify(filter)).digest("base64url").slice(0, 16);
}

/** `true` when `run` comes after `position` in the listing order (newest first, then by id). */
export function isAfter(run: RunPosition, position: RunPosition): boolean {
  if (run.createdAt !== position.createdAt) return run.createdAt < position.createdAt;
  return run.runId > position.runId;
}

/** The token of the page after `last` for `filter`. */
export function encodePageToken(filter: unknown, last: RunPosition): string {
  const body = { f: fingerprint(filter), c: last.createdAt, r: last.runId };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/**
 * The position a token points after; `undefined` for the empty token (first page).
 * @throws IsaraError `invalid_argument` for a token this service did not issue, or one issued for
 *   another filter.
 */
export function decodePageToken(token: string, filter: unknown): RunPosition | undefined {
  if (token === "") return undefined;
  const bad = (why: string): never => {
    throw new IsaraError(
      "invalid_argument",
      `page_token ${why}; send the next_page_token of the previous page of the same query, or an empty token to start over`,
    );
  };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return bad("is not a token this service issued");
  }
  if (typeof body !== "object" || body === null) return bad("is not a token this service issued");
  const { f, c, r } = body as Record<string, unknown>;
  if (typeof f !== "string" || typeof c !== "string" || typeof r !== "string") {
    return bad("is not a token this service issued");
  }
  if (f !== fingerprint(filter)) return bad("belongs to a different domain or lifecycle filter");
  return { createdAt: c, runId: r };
}

/** The page size to serve for a requested one (0 = default, above the maximum = the maximum). */
export function pageSizeFor(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}
