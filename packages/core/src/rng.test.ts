import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "./errors.js";
import { createRng, deriveSeed, randomInt, sampleWithoutReplacement, shuffle } from "./rng.js";

function draws(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
}

/** Pearson chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

test("the same seed replays the same stream; other seeds give other streams", () => {
  assert.deepEqual(draws(7, 50), draws(7, 50));
  assert.notDeepEqual(draws(7, 50), draws(8, 50));
  assert.notDeepEqual(draws(0, 50), draws(2 ** 32, 50), "high bits of the seed count too");
});

test("the stream is pinned: changing the generator would silently change every past run's demos", () => {
  const rng = createRng(0);
  assert.deepEqual(
    [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()],
    [2949953936, 2171858275, 1175132073],
  );
  assert.equal(deriveSeed(0, "prompt-demos", 1, 0), 3174118658);
});

test("next() stays in [0, 1) and is uniform over 10 buckets (chi-square, p > 0.001)", () => {
  const counts = new Array<number>(10).fill(0);
  for (const x of draws(12345, 100_000)) {
    assert.ok(x >= 0 && x < 1, `draw ${x} outside [0, 1)`);
    const bucket = Math.floor(x * 10);
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  assert.ok(chiSquare(counts) < 27.88, `chi-square ${chiSquare(counts)} for counts ${counts}`);
});

test("consecutive seeds give uncorrelated streams", () => {
  const a = draws(1, 20_000);
  const b = draws(2, 20_000);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ma = mean(a);
  const mb = mean(b);
  let cov = 0;
  let va = 0;
  let vb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    cov += (x - ma) * (y - mb);
    va += (x - ma) ** 2;
    vb += (y - mb) ** 2;
  });
  const r = cov / Math.sqrt(va * vb);
  assert.ok(Math.abs(r) < 0.03, `correlation ${r}`);
});

test("createRng refuses seeds that are not safe integers", () => {
  for (const seed of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
    assert.throws(
      () => createRng(seed),
      (err) => isIsaraError(err, "invalid_argument"),
    );
  }
});

test("deriveSeed is deterministic and separates labels by value, type and boundaries", () => {
  assert.equal(deriveSeed(3, "answer-demos", 2, 17), deriveSeed(3, "answer-demos", 2, 17));
  const distinct = [
    deriveSeed(3),
    deriveSeed(4),
    deriveSeed(3, "ab", "c"),
    deriveSeed(3, "a", "bc"),
    deriveSeed(3, "abc"),
    deriveSeed(3, 1),
    deriveSeed(3, "1"),
    deriveSeed(3, "prompt-demos", 1, 0),
    deriveSeed(3, "answer-demos", 1, 0),
  ];
  assert.equal(new Set(distinct).size, distinct.length);
  for (const s of distinct) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
});

test("deriveSeed gives every slot of a large round its own seed", () => {
  const seeds = new Set<number>();
  for (let slot = 0; slot < 10_000; slot++) seeds.add(deriveSeed(0, "prompt-demos", 1, slot));
  assert.equal(seeds.size, 10_000);
});

test("a slot's stream does not depend on what other slots drew", () => {
  const slotStream = (slot: number) => draws(deriveSeed(9, "slot", slot), 5);
  const before = slotStream(3);
  for (let other = 0; other < 3; other++) draws(deriveSeed(9, "slot", other), 1000);
  assert.deepEqual(slotStream(3), before);
});

test("randomInt covers [0, n) evenly and refuses bad bounds", () => {
  const rng = createRng(5);
  const counts = new Array<number>(7).fill(0);
  for (let i = 0; i < 70_000; i++) {
    const v = randomInt(rng, 7);
    counts[v] = (counts[v] ?? 0) + 1;
  }
  assert.equal(counts.length, 7);
  assert.ok(chiSquare(counts) < 22.46, `chi-square ${chiSquare(counts)} for counts ${counts}`);
  for (const n of [0, -1, 2.5])
    assert.throws(
      () => randomInt(rng, n),
      (err) => isIsaraError(err, "invalid_argument"),
    );
});

test("sampleWithoutReplacement returns k distinct items and leaves the input alone", () => {
  const items = Object.freeze(["a", "b", "c", "d", "e", "f"]);
  const rng = createRng(11);
  for (let k = 0; k <= items.length; k++) {
    const picked = sampleWithoutReplacement(rng, items, k);
    assert.equal(picked.length, k);
    assert.equal(new Set(picked).size, k);
    for (const p of picked) assert.ok(items.includes(p));
  }
  assert.deepEqual(items, ["a", "b", "c", "d", "e", "f"]);
});

test("sampleWithoutReplacement picks each item with probability k/n", () => {
  const rng = createRng(21);
  const counts = new Array<number>(10).fill(0);
  const items = Array.from({ length: 10 }, (_, i) => i);
  for (let i = 0; i < 20_000; i++) {
    for (const v of sampleWithoutReplacement(rng, items, 3)) counts[v] = (counts[v] ?? 0) + 1;
  }
  assert.ok(chiSquare(counts) < 27.88, `chi-square ${chiSquare(counts)} for counts ${counts}`);
});

test("sampleWithoutReplacement refuses to draw more than exist, or a bad k", () => {
  const rng = createRng(1);
  for (const k of [4, -1, 1.5]) {
    assert.throws(
      () => sampleWithoutReplacement(rng, [1, 2, 3], k),
      (err) => isIsaraError(err, "invalid_argument") && /cannot draw/.test(err.message),
    );
  }
});

test("shuffle gives every order of three items about equally often", () => {
  const rng = createRng(99);
  const counts = new Map<string, number>();
  for (let i = 0; i < 60_000; i++) {
    const key = shuffle(rng, ["x", "y", "z"]).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  assert.ok(chiSquare([...counts.values()]) < 20.52, `counts ${[...counts.entries()]}`);
});
