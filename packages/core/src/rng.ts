/**
 * Seedable randomness for the core. Every random choice of a run (which demos a slot sees, the order
 * they are shown in) flows from the domain's one integer seed through this module, so a run can be
 * replayed exactly and a retried step picks the same demos as the first attempt.
 */
import { IsaraError } from "./errors.js";
import type { Rng } from "./ports.js";

/** An {@link Rng} that can also hand out raw 32-bit words. */
export interface SeededRng extends Rng {
  /** Next value as an unsigned 32-bit integer (uniform over [0, 2^32)). */
  nextUint32(): number;
}

const TWO_POW_32 = 2 ** 32;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability ~1/2. */
function fmix32(h: number): number {
  let x = h;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** MurmurHash3 (x86, 32-bit) over a sequence of 32-bit words. */
function hashWords(words: readonly number[]): number {
  let h = 0x2545f491;
  for (const word of words) {
    let k = Math.imul(word, 0xcc9e2d51);
    k = rotl(k, 15);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ words.length);
}

function integerWords(value: number, what: string): [number, number] {
  if (!Number.isSafeInteger(value)) {
    throw new IsaraError(
      "invalid_argument",
      `${what} must be a safe integer, got ${value}; use an integer such as the domain's isara.seed`,
    );
  }
  return [value >>> 0, Math.floor(value / TWO_POW_32) >>> 0];
}

/**
 * xoshiro128** (Blackman & Vigna): 128-bit state, period 2^128 - 1, passes BigCrush, and uses only
 * 32-bit integer operations, so it is fast in JavaScript. The state is filled by splitmix32 so that
 * nearby seeds (0, 1, 2, …) give unrelated streams.
 */
class Xoshiro128StarStar implements SeededRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed32: number) {
    let state = seed32 | 0;
    const splitmix32 = (): number => {
      state = (state + 0x9e3779b9) | 0;
      return fmix32(state);
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }
}

/**
 * A deterministic random stream for `seed` (any safe integer): the same seed gives the same sequence
 * on every machine and Node version, which is what makes runs reproducible.
 */
export function createRng(seed: number): SeededRng {
  return new Xoshiro128StarStar(hashWords(integerWords(seed, "seed")));
}

/**
 * Derives an independent seed from a root seed and labels, e.g. `deriveSeed(seed, "prompt-demos", round, slot)`.
 * Each (seed, labels) tuple gets its own stream, so slot i's choices never depend on how many numbers
 * slot j drew, and slots can run in any order or in parallel. Labels are length- and type-tagged, so
 * `("ab", "c")`, `("a", "bc")` and `(1)` vs `("1")` all differ. Returns an unsigned 32-bit integer.
 */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  const words: number[] = [...integerWords(seed, "seed")];
  labels.forEach((label, i) => {
    if (typeof label === "number") {
      words.push(1, ...integerWords(label, `label ${i}`));
    } else {
      words.push(2, label.length);
      for (let c = 0; c < label.length; c++) words.push(label.charCodeAt(c));
    }
  });
  return hashWords(words);
}

/** A uniform integer in [0, n). The bias from 32-bit resolution is below n / 2^32 (negligible for demo picks). */
export function randomInt(rng: Rng, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new IsaraError("invalid_argument", `randomInt needs a positive integer bound, got ${n}`);
  }
  return Math.min(n - 1, Math.floor(rng.next() * n));
}

/** A shuffled copy of `items` (Fisher–Yates, every order equally likely); the input is not changed. */
export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  return sampleWithoutReplacement(rng, items, items.length);
}

/**
 * `k` distinct elements of `items` (by position), chosen uniformly, in the order they were drawn.
 * Partial Fisher–Yates on a copy: O(n) and the input is not changed. Asking for more than exist is a
 * caller bug (quotas should be clamped first, see `demoQuotas`), so it throws instead of returning fewer.
 */
export function sampleWithoutReplacement<T>(rng: Rng, items: readonly T[], k: number): T[] {
  if (!Number.isSafeInteger(k) || k < 0 || k > items.length) {
    throw new IsaraError(
      "invalid_argument",
      `cannot draw ${k} of ${items.length} items without replacement; ask for an integer from 0 to ${items.length}`,
    );
  }
  const pool = [...items];
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(rng, pool.length - i);
    const picked = pool[j] as T;
    pool[j] = pool[i] as T;
    pool[i] = picked;
  }
  pool.length = k;
  return pool;
}
