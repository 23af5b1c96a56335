import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { createLimiter } from "./limiter.js";

test("never lets more than its capacity in, and serves waiters in arrival order", async () => {
  const limiter = createLimiter(2);
  const order: string[] = [];
  const a = await limiter.acquire();
  const b = await limiter.acquire();
  const c = limiter.acquire().then((release) => {
    order.push("c");
    return release;
  });
  const d = limiter.acquire().then((release) => {
    order.push("d");
    return release;
  });
  assert.equal(limiter.active, 2);
  assert.equal(limiter.waiting, 2);
  a();
  const releaseC = await c;
  assert.deepEqual(order, ["c"], "d still waits: only one slot came free");
  b();
  const releaseD = await d;
  assert.deepEqual(order, ["c", "d"]);
  assert.equal(limiter.active, 2);
  releaseC();
  releaseD();
  assert.equal(limiter.active, 0);
});

test("a slot given back twice frees one slot, not two", async () => {
  const limiter = createLimiter(1);
  const release = await limiter.acquire();
  const next = limiter.acquire();
  release();
  release();
  await next;
  assert.equal(limiter.active, 1);
  assert.equal(limiter.waiting, 0);
});

test("refuses a capacity that is not a positive integer", () => {
  assert.throws(
    () => createLimiter(0),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
});
