/**
 * What "every slot accounted for exactly once" means, checked through the public API and the run
 * folder: each of the round's N slots ends as exactly one sample, accepted or rejected, rejected ones
 * with a reason; every generated sample names its demos and model; the training set holds the seeds
 * and the accepted samples once each.
 */
import assert from "node:assert/strict";
import type { GatewayClient, Stack } from "@isara/stack";
import { readJsonl } from "./stack-fixture.js";

/** A sample as the gateway's samples endpoint shows it, as far as the accounting reads it. */
export interface SampleView {
  readonly id: string;
  readonly slot: number;
  readonly accepted: boolean;
  readonly lineage: {
    readonly promptDemos: readonly { id: string }[];
    readonly answerDemos: readonly { id: string }[];
    readonly generatorModel: string;
    readonly verdicts: readonly { filter: string; accepted: boolean; reason: string }[];
  };
}

/** Every sample of one round of a run, through the gateway's paged samples endpoint. */
export async function allSamples(client: GatewayClient, run: string, round: number): Promise<SampleView[]> {
  const out: SampleView[] = [];
  let cursor: string | null = null;
  do {
    const page = (await client.get(
      `/v1/runs/${run}/samples?round=${round}&limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
    )) as { samples: SampleView[]; nextCursor: string | null };
    out.push(...page.samples);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** What became of each slot of a round: how many samples it ended as (exactly one is right). */
export interface SlotFates {
  /** Slots 0..N-1 that ended as no sample. */
  readonly missing: readonly number[];
  /** Slots that ended as more than one sample, and how many. */
  readonly duplicated: readonly { readonly slot: number; readonly times: number }[];
  /** Slots outside 0..N-1 (a sample no slot asked for). */
  readonly unexpected: readonly number[];
  readonly accepted: number;
  readonly rejected: number;
}

/** The fate of each of `slots` slots from the round's samples; pure, shared by tests and benchmarks. */
export function slotFates(samples: readonly SampleView[], slots: number): SlotFates {
  const times = new Map<number, number>();
  for (const s of samples) times.set(s.slot, (times.get(s.slot) ?? 0) + 1);
  const inRange = (slot: number) => Number.isInteger(slot) && slot >= 0 && slot < slots;
  return {
    missing: Array.from({ length: slots }, (_, i) => i).filter((i) => !times.has(i)),
    duplicated: [...times]
      .filter(([slot, n]) => inRange(slot) && n > 1)
      .map(([slot, n]) => ({ slot, times: n }))
      .sort((a, b) => a.slot - b.slot),
    unexpected: [...times.keys()].filter((slot) => !inRange(slot)).sort((a, b) => a - b),
    accepted: samples.filter((s) => s.accepted).length,
    rejected: samples.filter((s) => !s.accepted).length,
  };
}

/** Asserts the accounting of round 1 of a finished one-round run of `slots` prompts on `seeds` seeds. */
export async function assertRoundAccounted(
  client: GatewayClient,
  stack: Stack,
  run: string,
  slots: number,
  seeds: number,
): Promise<void> {
  const view = await client.getRun(run);
  assert.equal(view.state, "done", `run ${run} ended ${view.state}: ${JSON.stringify(view.error)}`);

  const samples = await allSamples(client, run, 1);
  const fates = slotFates(samples, slots);
  assert.deepEqual(fates.missing, [], `run ${run}: every slot 0..${slots - 1} must end as a sample`);
  assert.deepEqual(fates.unexpected, [], `run ${run}: samples of slots the round never had`);
  assert.deepEqual(fates.duplicated, [], `run ${run}: a slot must end exactly once`);

  const seedIds = new Set((await allSamples(client, run, 0)).map((s) => s.id));
  assert.equal(seedIds.size, seeds);
  for (const s of samples) {
    assert.ok(
      s.lineage.promptDemos.length > 0 && s.lineage.answerDemos.length > 0,
      `${s.id} names its demos`,
    );
    for (const d of [...s.lineage.promptDemos, ...s.lineage.answerDemos]) {
      assert.ok(seedIds.has(d.id), `${s.id}: demo ${d.id} of a one-round run is a seed`);
    }
    assert.notEqual(s.lineage.generatorModel, "", `${s.id} names its model`);
    assert.ok(s.lineage.verdicts.length > 0, `${s.id} has verdicts`);
    assert.equal(
      s.accepted,
      s.lineage.verdicts.every((v) => v.accepted),
    );
    if (!s.accepted) {
      const no = s.lineage.verdicts.find((v) => !v.accepted);
      assert.ok(no !== undefined && no.reason.length > 0, `${s.id} is rejected with a reason`);
    }
  }

  const accepted = samples.filter((s) => s.accepted).length;
  const dataset = await readJsonl(stack, `${stack.tenant}--${run}/round-1/train/dataset.jsonl`);
  const rows = dataset.map((r) => JSON.stringify(r));
  assert.equal(new Set(rows).size, rows.length, `run ${run}: the training set has a duplicated row`);
  assert.equal(
    rows.length,
    seeds + accepted,
    `run ${run}: the training set is the seeds and the accepted samples`,
  );
}
