/**
 * Page tokens of ListSamples. A token holds the position of the last sample of the previous page
 * (set index, slot, id) and a fingerprint of the query it belongs to. Keyset pagination rather than
 * an offset: samples upserted between two pages (a filtering worker writing while a trainer lists)
 * neither shift nor repeat the samples the caller has not seen yet. The token is opaque to callers
 * (base64url JSON), but it is not a secret and grants nothing: the query is checked on every page.
 */
import { createHash } from "node:crypto";
import { IsaraError, type Sample, type SampleQuery } from "@isara/core";

/** Where the previous page ended, in (setIndex, slot, id) order. */
export interface PagePosition {
  readonly setIndex: number;
  readonly slot: number;
  readonly id: string;
}

/** Page size when the caller sends 0 (the contract's default). */
export const DEFAULT_PAGE_SIZE = 500;
/** Largest page; bigger requests are served this many (AIP-158: coerce, do not fail). */
export const MAX_PAGE_SIZE = 1000;

function fingerprint(query: SampleQuery): string {
  const key = JSON.stringify([query.run, query.setIndex ?? null, query.round ?? null]);
  return createHash("sha256").update(key).digest("base64url").slice(0, 16);
}

/** The (setIndex, slot, id) order every store lists in. */
export function compareSamples(a: PagePosition, b: PagePosition): number {
  return a.setIndex - b.setIndex || a.slot - b.slot || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The token of the page after `last` for `query`. */
export function encodePageToken(query: SampleQuery, last: Sample): string {
  const body = { q: fingerprint(query), s: last.setIndex, l: last.slot, i: last.id };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/**
 * The position a token points after; `undefined` for the empty token (first page).
 * @throws IsaraError `invalid_argument` for a token this service did not issue, or one issued for
 *   another run, set or round (reusing it would silently skip samples).
 */
export function decodePageToken(token: string, query: SampleQuery): PagePosition | undefined {
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
  const { q, s, l, i } = body as Record<string, unknown>;
  if (typeof q !== "string" || !Number.isInteger(s) || !Number.isInteger(l) || typeof i !== "string") {
    return bad("is not a token this service issued");
  }
  if (q !== fingerprint(query)) return bad("belongs to a different run, set or round");
  return { setIndex: s as number, slot: l as number, id: i };
}

/** The page size to serve for a requested one (0 = default, above the maximum = the maximum). */
export function pageSizeFor(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}
