import { z } from "zod";

/**
 * Zod schemas for the environment variable types every service needs. Each takes the raw string,
 * returns the typed value, and on failure says `what is wrong (expected …)` so `loadConfig` can list
 * it verbatim. Use zod's `.default(value)` (typed output) or `.optional()` on them as usual.
 */

/** A string schema whose "missing" and "not a string" messages name what was expected. */
function raw(expected: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined ? `is not set (expected ${expected})` : `is not text (expected ${expected})`,
  });
}

/** Quotes a bad value for a message, cut short so a pasted blob does not flood the log. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** An integer within bounds, e.g. a pool size or a batch size. */
export function envInt(options: { min?: number; max?: number } = {}) {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `an integer from ${min} to ${max}`;
  return raw(expected).transform((value, ctx) => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `is ${shown(value)} (expected ${expected})` });
      return z.NEVER;
    }
    return n;
  });
}

/** A TCP port, 1 to 65535: a typo such as `80800` fails at start, not at `listen`. */
export function envPort() {
  return envInt({ min: 1, max: 65535 });
}

/**
 * An absolute URL with a host, optionally restricted to protocols (e.g. `["http", "https"]`).
 * Returned as the string, normalised by WHATWG URL parsing. `qdrant:6333` (scheme forgotten) is
 * refused: it parses as protocol `qdrant:` with no host and would fail only at the first request.
 * The value is never echoed: URLs often carry passwords.
 */
export function envUrl(options: { protocols?: readonly string[] } = {}) {
  const protocols = options.protocols;
  const expected = protocols ? `an absolute ${protocols.join(" or ")} URL` : "an absolute URL";
  return raw(expected).transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      ctx.addIssue({ code: "custom", message: `is not a URL (expected ${expected})` });
      return z.NEVER;
    }
    const scheme = url.protocol.replace(/:$/, "");
    if (protocols && !protocols.includes(scheme)) {
      ctx.addIssue({ code: "custom", message: `has protocol "${scheme}" (expected ${expected})` });
      return z.NEVER;
    }
    if (url.host === "" && scheme !== "file") {
      ctx.addIssue({
        code: "custom",
        message: `has no host (expected ${expected}, e.g. "http://qdrant:6333")`,
      });
      return z.NEVER;
    }
    return url.toString();
  });
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration such as `250ms`, `30s`, `5m`, `1.5h` or `1d`, returned in milliseconds (rounded).
 * A bare number is refused because it is ambiguous (seconds? milliseconds?).
 */
export function envDuration() {
  const expected = 'a duration with a unit, like "250ms", "30s", "5m", "1h" or "1d"';
  return raw(expected).transform((value, ctx) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
    const unit = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
    if (match === null || unit === undefined) {
      ctx.addIssue({ code: "custom", message: `is ${shown(value)} (expected ${expected})` });
      return z.NEVER;
    }
    return Math.round(Number(match[1]) * unit);
  });
}

/** `true`/`false`/`1`/`0` (any case). Anything else, such as `yes`, fails instead of silently meaning false. */
export function envBoolean() {
  const expected = "one of true, false, 1, 0";
  return raw(expected).transform((value, ctx) => {
    const v = value.trim().toLowerCase();
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
    ctx.addIssue({ code: "custom", message: `is ${shown(value)} (expected ${expected})` });
    return z.NEVER;
  });
}

/** Splits on commas, trims, drops empty items: `"a, b,,c"` → `["a","b","c"]`. */
function splitList(value: string): string[] {
  return value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** A comma-separated list of strings, items trimmed and empty items dropped (`"a, b,,c"` → `["a","b","c"]`). */
export function envList() {
  return raw("a comma-separated list").transform(splitList);
}

/**
 * A comma-separated list whose items are each checked by `item` (e.g. `envListOf(z.url())`); a bad
 * item is reported with its 1-based position, and every bad item is reported, not just the first.
 */
export function envListOf<T>(item: z.ZodType<T, string>) {
  return raw("a comma-separated list").transform((value, ctx) => {
    const out: T[] = [];
    splitList(value).forEach((part, index) => {
      const parsed = item.safeParse(part);
      if (parsed.success) {
        out.push(parsed.data);
        return;
      }
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: "custom", message: `item ${index + 1}: ${issue.message}` });
      }
    });
    return out;
  });
}

/** The log levels pino knows, `silent` included (useful in tests and one-off jobs). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A pino log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A log level, case-insensitive (`INFO` works), so a typo such as `verbose` fails at start. */
export function envLogLevel() {
  const expected = `one of ${LOG_LEVELS.join(", ")}`;
  return raw(expected).transform((value, ctx): LogLevel => {
    const v = value.trim().toLowerCase();
    const level = LOG_LEVELS.find((l) => l === v);
    if (level === undefined) {
      ctx.addIssue({ code: "custom", message: `is ${shown(value)} (expected ${expected})` });
      return z.NEVER;
    }
    return level;
  });
}
