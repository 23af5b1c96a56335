import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `done` every 50 ms until it holds; the deadline is a safety net for a hung client, not a
 * timing assertion. Giving up prints `state()`, so a failure on another machine still says what had
 * happened.
 */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  deadlineMs = 45_000,
  state: () => string = () => "",
): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > until)
      assert.fail(`gave up after ${deadlineMs} ms waiting for ${what}\n${state()}`.trimEnd());
    await sleep(50);
  }
}
