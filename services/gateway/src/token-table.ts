/**
 * Bearer tokens scoped to tenants. The gateway keeps only SHA-256 hashes of tokens (a leaked config
 * does not leak credentials) and checks a presented token against every hash with a constant-time
 * comparison, so neither the answer time nor an early exit tells an attacker how close a guess was
 * or which entry matched.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { IsaraError, isTenantName, MAX_TENANT_CHARS } from "@isara/core";

/** One accepted token: the SHA-256 of the token, and the tenant it acts for. */
interface TokenEntry {
  readonly hash: Buffer;
  readonly tenant: string;
}

/** The accepted tokens, by hash; build it with {@link parseTokenTable}. */
export interface TokenTable {
  readonly entries: readonly TokenEntry[];
  /** Distinct tenants, sorted, for the start-up log. */
  readonly tenants: readonly string[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The lowercase hex SHA-256 of a token, as `GATEWAY_TOKENS` keys hold it. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Parses the token table: a JSON object `{ "<sha256 hex of token>": "<tenant>" }`. `source` names where
 * the text came from (a variable or file) in messages.
 * @throws IsaraError `invalid_argument` listing every bad entry (a key that is not 64 hex digits, e.g. a
 *   raw token pasted by mistake; a malformed tenant name) or an empty table, which would lock everyone out.
 */
export function parseTokenTable(text: string, source: string): TokenTable {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new IsaraError(
      "invalid_argument",
      `${source} is not valid JSON (${(err as Error).message}); expected {"<sha256 hex of a token>": "<tenant>"}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new IsaraError(
      "invalid_argument",
      `${source} must be a JSON object {"<sha256 hex of a token>": "<tenant>"}`,
    );
  }
  const problems: string[] = [];
  const entries: TokenEntry[] = [];
  for (const [key, tenant] of Object.entries(value)) {
    const hash = key.trim().toLowerCase();
    const shown = `${key.slice(0, 8)}…`;
    if (!SHA256_HEX.test(hash)) {
      problems.push(
        `key ${shown} is not a SHA-256 hex digest (64 hex digits); store the hash of the token, e.g. the output of \`printf %s "$TOKEN" | sha256sum\`, never the token itself`,
      );
    }
    if (typeof tenant !== "string" || !isTenantName(tenant)) {
      problems.push(
        `tenant of key ${shown} must be 1-${MAX_TENANT_CHARS} lowercase letters or digits in groups joined by single "-"`,
      );
    }
    if (SHA256_HEX.test(hash) && typeof tenant === "string")
      entries.push({ hash: Buffer.from(hash, "hex"), tenant });
  }
  if (problems.length === 0 && entries.length === 0) {
    problems.push("it lists no tokens, so every request would be refused; add at least one");
  }
  if (problems.length > 0) {
    throw new IsaraError(
      "invalid_argument",
      `${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      problems,
    );
  }
  return { entries, tenants: [...new Set(entries.map((e) => e.tenant))].sort() };
}

/**
 * The tenant a token acts for, or `undefined` for an unknown token. Every entry is compared (in
 * constant time), whatever matched first.
 */
export function tenantOfToken(table: TokenTable, token: string): string | undefined {
  const digest = createHash("sha256").update(token, "utf8").digest();
  let tenant: string | undefined;
  for (const entry of table.entries) {
    if (timingSafeEqual(entry.hash, digest) && tenant === undefined) tenant = entry.tenant;
  }
  return tenant;
}
