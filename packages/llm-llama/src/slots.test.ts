import assert from "node:assert/strict";
import { test } from "node:test";
import { IsaraError, isIsaraError } from "@isara/core";
import { Slots } from "./slots.js";

test("slots hand out at most `size` at once and serve the queue first come, first served", async () => {
  const slots = new Slots(2);
  const a = await slots.acquire();
  await slots.acquire();
  const order: string[] = [];
  const c = slots.acquire().then((release) => {
    order.push("c");
    return release;
  });
  const d = slots.acquire().then((release) => {
    order.push("d");
    return release;
  });
  await Promise.resolve();
  assert.equal(slots.waiting, 2);
  assert.deepEqual(order, [], "nobody gets a third slot while two are held");
  a();
  a(); // releasing twice frees one slot only
  const releaseC = await c;
  assert.deepEqual(order, ["c"]);
  assert.equal(slots.waiting, 1);
  releaseC();
  await d;
  assert.deepEqual(order, ["c", "d"]);
});

test("a queued caller whose signal fires leaves the queue with a cancelled error", async () => {
  const slots = new Slots(1);
  const held = await slots.acquire();
  const controller = new AbortController();
  const queued = slots.acquire(controller.signal);
  controller.abort(new Error("user gave up"));
  await assert.rejects(queued, (err) => isIsaraError(err, "cancelled"));
  assert.equal(slots.waiting, 0);
  held();
  assert.equal(slots.free, 1, "the slot is not lost to the cancelled caller");
});

test("an already aborted signal is refused without taking a slot", async () => {
  const slots = new Slots(1);
  await assert.rejects(slots.acquire(AbortSignal.abort()), (err) => isIsaraError(err, "cancelled"));
  assert.equal(slots.free, 1);
});

test("close rejects queued and later callers with the given error", async () => {
  const slots = new Slots(1);
  await slots.acquire();
  const queued = slots.acquire();
  slots.close(new IsaraError("unavailable", "closed"));
  await assert.rejects(queued, (err) => isIsaraError(err, "unavailable"));
  await assert.rejects(slots.acquire(), (err) => isIsaraError(err, "unavailable"));
});
