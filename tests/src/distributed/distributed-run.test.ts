/**
 * The distributed mode end to end: every service as its own process on a real Kafka broker, the real
 * small model and the real trainer, driven through the gateway's REST API. One clean round first,
 * then two runs of different domains at once while generation and filtering are killed with SIGKILL
 * and restarted, the broker is restarted and the controller is killed and restarted, beside a niced
 * busy loop on every core (the fault test once failed only on a busy machine); every run must finish
 * with each slot accounted for exactly once and nothing duplicated in its training set. The same
 * faults, repeated at random moments, are the chaos benchmark (bench/chaos.mjs).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunView } from "@isara/stack";
import { writeSmallDomain } from "../embedded/fixtures.js";
import { startCpuHog } from "./cpu-hog.js";
import { allSamples, assertRoundAccounted } from "./run-accounting.js";
import { distributedSkip, qdrantPoints, startTestStack, type TestStack } from "./stack-fixture.js";

const skip = distributedSkip();
const SLOTS = 6;
const SEEDS = 8;

/** Polls the runs until `ready` holds for one of them; returns that run's view. */
async function until(
  t: TestStack,
  runs: readonly string[],
  ready: (run: RunView) => boolean,
): Promise<RunView> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    for (const id of runs) {
      const run = await t.client.getRun(id).catch(() => undefined);
      if (run !== undefined && ready(run)) return run;
      if (run !== undefined && run.state !== "running")
        assert.fail(`run ${id} ended ${run.state} early: ${JSON.stringify(run.error)}`);
    }
    if (Date.now() > deadline) assert.fail("the runs did not reach the expected phase in 15 minutes");
    await sleep(100);
  }
}

const inRound1 = (phase: string) => (run: RunView) => run.round === 1 && run.phase === phase;

describe("distributed mode on the local stack (real Kafka, model and trainer)", { skip }, () => {
  let t: TestStack;

  before(async () => {
    t = await startTestStack();
    await t.client.uploadDomain(await writeSmallDomain("small", 0));
    await t.client.uploadDomain(await writeSmallDomain("small-two", 20));
  });

  after(async () => {
    await t?.stop();
  });

  it("runs one round through all services: every slot ends once, accepted or rejected with a reason, lineage complete", async () => {
    await t.client.createRun({ domain: "small", runId: "clean" });
    const end = await t.client.waitForRun("clean", { timeoutMs: 15 * 60_000 });
    assert.equal(end.state, "done", JSON.stringify(end.error));
    await assertRoundAccounted(t.client, t.stack, "clean", SLOTS, SEEDS);
    // The controller's run id is the gateway's, prefixed with the tenant.
    const points = await qdrantPoints(t.stack, `${t.stack.tenant}--clean`);
    if (points !== undefined) {
      // Retrieval ran on Qdrant: the run's seeds and accepted samples are its points there.
      const accepted = (await allSamples(t.client, "clean", 1)).filter((s) => s.accepted).length;
      assert.equal(points, SEEDS + accepted, "Qdrant holds the run's seeds and accepted samples");
    }
  });

  it("finishes two runs of different domains at once through kill -9 of generation and filtering, a broker restart and a controller restart, on a busy machine", async (ctx) => {
    const hog = startCpuHog();
    ctx.after(() => hog.stop());
    const runs = ["faulty-a", "faulty-b"];
    await t.client.createRun({ domain: "small", runId: "faulty-a" });
    await t.client.createRun({ domain: "small-two", runId: "faulty-b" });

    await until(t, runs, (r) => r.round === 1 && (r.phase === "prompts" || r.phase === "answers"));
    await t.stack.kill("generation");
    await sleep(1000);
    await t.stack.start("generation");

    await until(t, runs, inRound1("answers"));
    await t.broker.restart();

    await until(t, runs, (r) => r.round === 1 && r.phase !== "prompts" && r.phase !== "answers");
    await t.stack.kill("filtering");
    await sleep(1000);
    await t.stack.start("filtering");

    await until(t, runs, (r) => r.round === 1 && (r.phase === "train" || r.phase === "evaluate"));
    await t.stack.kill("controller");
    await sleep(1000);
    await t.stack.start("controller");

    for (const id of runs) {
      const end = await t.client.waitForRun(id, { timeoutMs: 20 * 60_000 });
      assert.equal(end.state, "done", `${id}: ${JSON.stringify(end.error)}`);
      await assertRoundAccounted(t.client, t.stack, id, SLOTS, SEEDS);
    }
  });
});
