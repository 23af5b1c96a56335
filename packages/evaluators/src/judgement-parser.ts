/**
 * Reads a judge's verdict out of free text. Judges add reasons, markdown and stray words around the
 * verdict line, so the parser looks for every `Field: value` occurrence (any case, `**bold**` or
 * `[[brackets]]` allowed around the value) and accepts the value only when every occurrence that
 * holds a valid value agrees. Anything else is reported as unparsed with a reason: a verdict is never
 * guessed, because a guessed verdict would bias the very metric it feeds.
 */

/** A parsed value, or why there is none. */
export type Parsed<V> =
  | { readonly ok: true; readonly value: V }
  | { readonly ok: false; readonly reason: string };

/** A numeric rating on a closed scale, e.g. `Rating: 7` on 1..10. */
export interface RatingOutput {
  readonly kind: "rating";
  readonly field: string;
  readonly min: number;
  readonly max: number;
}

/** One word out of a fixed set, e.g. `Verdict: harmful`; keys are matched case-insensitively. */
export interface ChoiceOutput<V> {
  readonly kind: "choice";
  readonly field: string;
  readonly choices: Readonly<Record<string, V>>;
  /** Words the judge may put before the choice, e.g. `reply` in `Winner: Reply A`. */
  readonly prefixes?: readonly string[];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The text right after each `Field:` / `Field =` label, with markdown and brackets stripped from its start. */
function valuesAfter(text: string, field: string): string[] {
  const label = new RegExp(`(?<![a-z0-9])${escapeRegExp(field)}(?![a-z0-9])[\\s*_]*[:=]`, "gi");
  const out: string[] = [];
  for (const match of text.matchAll(label)) {
    const rest = text.slice((match.index ?? 0) + match[0].length);
    out.push(rest.replace(/^[\s*_"'`[(]+/, ""));
  }
  return out;
}

function agree<V>(field: string, values: readonly V[], problems: readonly string[]): Parsed<V> {
  const [first] = values;
  if (first === undefined) {
    const why = problems.length > 0 ? problems.join("; ") : `no "${field}:" line`;
    return { ok: false, reason: why };
  }
  if (values.some((v) => v !== first)) {
    return { ok: false, reason: `conflicting ${field} values: ${[...new Set(values)].join(", ")}` };
  }
  return { ok: true, value: first };
}

/** Parses a rating such as `Rating: 7`, `**Rating:** [[7]]` or `rating = 7/10`; out-of-scale values are unparsed. */
export function parseRating(text: string, output: RatingOutput): Parsed<number> {
  const values: number[] = [];
  const problems: string[] = [];
  for (const rest of valuesAfter(text, output.field)) {
    const m = /^(\d+(?:\.\d+)?)(?!\.?\d)\s*(?:(?:\/|out of)\s*(\d+(?:\.\d+)?)|([-–]|to\b)\s*\d)?/i.exec(rest);
    if (!m?.[1]) continue;
    const value = Number(m[1]);
    if (m[3] !== undefined) {
      problems.push(`${output.field} is a range, not one value`);
    } else if (m[2] !== undefined && Number(m[2]) !== output.max) {
      problems.push(`${output.field} ${m[1]}/${m[2]} is not on the ${output.min}-${output.max} scale`);
    } else if (value < output.min || value > output.max) {
      problems.push(`${output.field} ${m[1]} is outside ${output.min}-${output.max}`);
    } else {
      values.push(value);
    }
  }
  return agree(output.field, values, problems);
}

/** Parses one of a fixed set of words, such as `Verdict: harmless` or `Winner: Reply B`. */
export function parseChoice<V>(text: string, output: ChoiceOutput<V>): Parsed<V> {
  const keys = Object.keys(output.choices).sort((a, b) => b.length - a.length);
  const prefix = output.prefixes?.length ? `(?:(?:${output.prefixes.map(escapeRegExp).join("|")})\\s+)?` : "";
  const pattern = new RegExp(`^${prefix}(${keys.map(escapeRegExp).join("|")})(?![a-z0-9])`, "i");
  const values: V[] = [];
  for (const rest of valuesAfter(text, output.field)) {
    const word = pattern.exec(rest)?.[1]?.toLowerCase();
    const key = keys.find((k) => k.toLowerCase() === word);
    if (key !== undefined) values.push(output.choices[key] as V);
  }
  const wanted = Object.keys(output.choices).join("|");
  return agree(output.field, values, values.length === 0 ? [`no "${output.field}: ${wanted}" line`] : []);
}
