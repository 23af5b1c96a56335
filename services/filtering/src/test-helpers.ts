/** Test support for the broker and process tests: polling and a free port. Not exported. */
import assert from "node:assert/strict";
import { type AddressInfo, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Polls `done` until it holds; the deadline is a safety net for a hung client, not a timing assertion. */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  deadlineMs = 45_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > until) assert.fail(`gave up after ${deadlineMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A loopback TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
